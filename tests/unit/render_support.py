"""Shared by the render and build tests: the journeys they draw, loaded the
way `copis build` loads them (checked, then enriched from their data)."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "golden" / "render"
FIXTURE_CASES = sorted(FIXTURES.glob("*.copis"))
EXAMPLE_CASES = sorted(EXAMPLES.glob("*.copis"))
ALL_CASES = FIXTURE_CASES + EXAMPLE_CASES


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@lru_cache(maxsize=None)
def load(path: Path):
    """(model, figures) of a journey that has no errors."""
    from copisdsl.api import check_file
    from copisdsl.data import enrich

    result = check_file(path, path.relative_to(ROOT).as_posix(), data=False)
    assert result.ok and result.model is not None, result.diagnostics
    figures, diagnostics = enrich(result.model, path.parent, path.parent)
    assert not [d for d in diagnostics if d.is_error], diagnostics
    return result.model, figures


def copis(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The `copis` command in a fresh process (``python -m copisdsl``)."""
    return subprocess.run([sys.executable, "-m", "copisdsl", *args], capture_output=True, cwd=cwd,
                          env=env if env is not None else {**os.environ, "NO_COLOR": "1"}, check=False)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
