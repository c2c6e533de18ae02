"""Shared fixtures. `pytest --update-golden` rewrites golden files.

Hypothesis runs with the profile named by ``HYPOTHESIS_PROFILE``: ``full``
(the default, what ``make test`` runs) or ``quick`` for development, which
tries a tenth of the examples (see ``examples``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "full")
settings.register_profile("full", max_examples=100, deadline=None)
settings.register_profile("quick", max_examples=10, deadline=None)
if PROFILE not in ("full", "quick"):
    raise pytest.UsageError(f"HYPOTHESIS_PROFILE is 'full' or 'quick', not {PROFILE!r}")
settings.load_profile(PROFILE)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def golden_compare(path: Path, actual: str, update: bool) -> None:
    """Compare ``actual`` with the golden file, or rewrite it with --update-golden."""
    if update or not path.exists():
        if not update:
            pytest.fail(f"golden file {path.relative_to(ROOT)} is missing; run pytest --update-golden")
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{path.relative_to(ROOT)} differs; run pytest --update-golden if intended"


def has_dot() -> bool:
    return shutil.which("dot") is not None


def has_chromium() -> bool:
    return shutil.which("chromium") is not None
