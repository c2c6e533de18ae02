"""The code registry, the docs generated from it, the checks and the spec agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from copisdsl.api import check
from copisdsl.checks import REGISTRY, run_checks  # noqa: F401  (run_checks imports the families)
from copisdsl.codes import BY_CODE, CODES, markdown

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "spec" / "LANGUAGE.md"
DATA_CODES = {"E400", "E401", "E402", "W403", "W405", "W406", "W407"}  # their examples need data files


def test_docs_are_generated_from_the_registry():
    assert (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8") == markdown(), \
        "run: python -m copisdsl.codes > docs/diagnostics.md"


def test_registered_checks_only_report_documented_codes():
    check("journey j {}")  # make sure every family is imported
    for entry in REGISTRY:
        assert set(entry.codes) <= set(BY_CODE), entry.fn.__name__
        assert entry.fn.__doc__, f"{entry.fn.__name__} needs a docstring"


def test_severity_follows_the_code_letter():
    for c in CODES:
        assert c.severity == ("error" if c.code.startswith("E") else "warning")


# Codes of our own, beyond the reference (docs/diagnostics.md says so).
PROJECT_CODES = {"W310"}
# Codes the reference names that are not implemented yet: each is an open
# issue's work, and this set only ever shrinks.
NOT_YET: set[str] = set()


@pytest.mark.skipif(not SPEC.exists(), reason="the shared spec is not beside the checkout")
def test_registry_has_exactly_the_codes_of_the_reference():
    text = SPEC.read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| ([EW]\d{3}) \| (error|warning) \|", text, re.M))
    named = set(re.findall(r"\b([EW]\d{3})\b", text))  # the tables' codes and those named in prose (v1.1)
    registry = {c.code: c.severity for c in CODES}
    assert set(registry) == (named - NOT_YET) | PROJECT_CODES
    assert not NOT_YET & set(registry), "a code in NOT_YET is implemented: remove it from the set"
    assert {code: registry[code] for code in table} == table


@pytest.mark.parametrize("info", [c for c in CODES if c.code not in DATA_CODES], ids=lambda c: c.code)
def test_each_documented_example_reports_its_code(info):
    result = check(info.example, "example.copis")
    assert info.code in {d.code for d in result.diagnostics}


def test_every_code_has_a_golden_case():
    golden = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "golden").rglob("*.diag.txt"))
    # The data codes' cases live in tests/golden/data (they need data files).
    required = [c for c in CODES if c.code not in DATA_CODES or (ROOT / "tests" / "golden" / "data").is_dir()]
    missing = [c.code for c in required if f" {c.code} " not in golden]
    assert not missing, f"no golden case shows {missing}"
