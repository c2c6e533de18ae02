"""Golden diagnostics of the data codes (E400-E404, W403, W405, W406): every
tests/golden/data/<case>.copis, read with its data files, has its text and
JSON output next to it. The data stage's golden runner; regenerate with
`make golden`."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import golden_cases, golden_compare
from copisdsl.api import check_file
from copisdsl.diagnostics import format_json, format_text, summary_line

CASES = golden_cases("data")


def render(case: Path) -> tuple[str, str, list[str]]:
    result = check_file(case, case.name)
    sources = {case.name: result.source.lines}
    text = "".join(format_text(d, sources) + "\n\n" for d in result.diagnostics)
    text += summary_line(1, result.diagnostics) + "\n"
    return text, format_json(1, result.diagnostics) + "\n", [d.code for d in result.diagnostics]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_data_golden(case: Path, update_golden: bool) -> None:
    text, js, codes = render(case)
    assert case.stem.split("_")[0] in codes, f"{case.name} does not report its code"
    assert "Traceback" not in text
    golden_compare(case.with_suffix(".diag.txt"), text, update_golden)
    golden_compare(case.with_suffix(".diag.json"), js, update_golden)


def test_every_data_code_has_a_case() -> None:
    named = {case.stem.split("_")[0] for case in CASES}
    assert {"E400", "E401", "E402", "W403", "E404", "W405", "W406"} <= named
