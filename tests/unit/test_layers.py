"""The import-linter contracts in pyproject.toml hold, and they catch a
renderer that imports pandas: run on a copy of the package with one
import added, the contract breaks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = shutil.which("lint-imports", path=os.path.dirname(sys.executable)) or shutil.which("lint-imports")

pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter is not installed (pip install -e '.[dev]')")


def lint(root: Path) -> subprocess.CompletedProcess:
    """lint-imports with the project's contracts over the package in ``root``."""
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run([LINT, "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def copy(tmp_path) -> Path:
    shutil.copytree(ROOT / "copisdsl", tmp_path / "copisdsl",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold(copy):
    result = lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_renderer_importing_pandas_breaks_the_contract(copy):
    dot = copy / "copisdsl" / "render" / "dot.py"
    dot.write_text(dot.read_text(encoding="utf-8") + "\nimport pandas  # a deliberate violation\n",
                   encoding="utf-8")
    result = lint(copy)
    assert result.returncode == 1
    assert "copisdsl.render is not allowed to import pandas" in result.stdout
    assert "copisdsl.render.dot -> pandas" in result.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(copy):
    values = copy / "copisdsl" / "semantic" / "values.py"
    values.write_text(values.read_text(encoding="utf-8") + "\nfrom copisdsl.checks import run_checks\n",
                      encoding="utf-8")
    result = lint(copy)
    assert result.returncode == 1
    assert "copisdsl.semantic.values -> copisdsl.checks" in result.stdout
