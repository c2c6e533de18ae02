"""The Mermaid export's golden runner: tests/golden/mermaid/<case>.mmd for
every tests/golden/mermaid/<case>.copis, and example_<name>.mmd for every
example. Regenerate with `make golden`."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, GOLDEN, golden_cases, golden_compare
from copisdsl.api import check
from copisdsl.workflow.export.mermaid import mermaid_journey

CASES = sorted(EXAMPLES.glob("*.copis")) + golden_cases("mermaid")


def golden_path(path: Path) -> Path:
    name = f"example_{path.stem}.mmd" if path.parent == EXAMPLES else f"{path.stem}.mmd"
    return GOLDEN / "mermaid" / name


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_mermaid_golden(path: Path, update_golden: bool) -> None:
    result = check(path.read_text(encoding="utf-8"), path.name)
    assert result.ok, [d.message for d in result.diagnostics if d.is_error]
    golden_compare(golden_path(path), mermaid_journey(result.model), update_golden)


def test_no_orphan_golden_files() -> None:
    """A golden file whose journey was removed or renamed is stale."""
    assert set((GOLDEN / "mermaid").glob("*.mmd")) == {golden_path(p) for p in CASES}
