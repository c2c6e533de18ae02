"""The check stage's golden runner: every tests/golden/check/<case>.copis has
its text and JSON diagnostics next to it. Regenerate with `make golden`."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import golden_cases, golden_compare
from copisdsl.api import check
from copisdsl.diagnostics import format_json, format_text, summary_line

CASES = golden_cases("check")


def render(case: Path) -> tuple[str, str]:
    name = case.name
    result = check(case.read_text(encoding="utf-8"), name)
    sources = {name: result.source.lines}
    text = "".join(format_text(d, sources) + "\n\n" for d in result.diagnostics)
    text += summary_line(1, result.diagnostics) + "\n"
    return text, format_json(1, result.diagnostics) + "\n"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_check_golden(case: Path, update_golden: bool) -> None:
    text, js = render(case)
    golden_compare(case.with_suffix(".diag.txt"), text, update_golden)
    golden_compare(case.with_suffix(".diag.json"), js, update_golden)


def test_every_case_reports_the_code_it_is_named_for() -> None:
    for case in CASES:
        code = case.stem.split("_")[0]
        if code[0] in "EW" and code[1:].isdigit():
            result = check(case.read_text(encoding="utf-8"), case.name)
            assert code in {d.code for d in result.diagnostics}, case.name
