"""Golden semantic diffs: every tests/golden/diff/<case>/ holds old.copis and
new.copis (one of them may be missing: a journey added or removed) and the
expected text (expected.txt) and Markdown (expected.md) output.
The diff stage's golden runner; regenerate with `make golden`."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import GOLDEN as ALL_GOLDEN, golden_cases, golden_compare
from copisdsl.api import check
from copisdsl.workflow.diff import diff_models
from copisdsl.workflow.diff.render import format_markdown, format_text

GOLDEN = ALL_GOLDEN / "diff"
CASES = golden_cases("diff", "*/")


def model(path: Path):
    if not path.exists():
        return None
    result = check(path.read_text(encoding="utf-8"), path.name)
    assert result.ok, [d.message for d in result.diagnostics if d.is_error]
    return result.model


def diff_case(case: Path):
    return diff_models(model(case / "old.copis"), model(case / "new.copis"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_diff_golden(case: Path, update_golden: bool) -> None:
    diff = diff_case(case)
    golden_compare(case / "expected.txt", format_text(diff, "old.copis", "new.copis"), update_golden)
    golden_compare(case / "expected.md", format_markdown(diff, "old.copis", "new.copis"), update_golden)


def test_the_cases_cover_every_kind_of_change_in_every_group() -> None:
    seen = {(c.group, c.kind) for case in CASES for c in diff_case(case).changes}
    for group in ("stages", "touchpoints", "kpis", "segments", "personas", "data"):
        for kind in ("added", "removed", "renamed", "changed"):
            assert (group, kind) in seen, (group, kind)
    for group in ("journey", "moments", "objectives", "flows"):
        for kind in ("added", "removed", "changed"):
            assert (group, kind) in seen, (group, kind)
    assert ("journey", "renamed") in seen
    whats = {c.what for case in CASES for c in diff_case(case).changes}
    assert {"stage order", "touchpoint order", "segment order", "clv settings", "tradeoff",
            "moment of truth", "re-purchase"} <= whats


def test_formatting_only_changes_are_no_difference() -> None:
    case = GOLDEN / "formatting_only"
    assert (case / "old.copis").read_text() != (case / "new.copis").read_text()
    diff = diff_case(case)
    assert not diff and diff.changes == ()
    assert format_text(diff, "a", "b") == "a → b: no differences\n"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_reversed_diff_swaps_added_and_removed(case: Path) -> None:
    forward = diff_case(case).counts()
    backward = diff_models(model(case / "new.copis"), model(case / "old.copis")).counts()
    assert (forward["added"], forward["removed"]) == (backward["removed"], backward["added"])
    assert forward["renamed"] == backward["renamed"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_a_version_has_no_differences_with_itself(case: Path) -> None:
    for side in ("old.copis", "new.copis"):
        m = model(case / side)
        if m is not None:
            assert not diff_models(m, model(case / side))
