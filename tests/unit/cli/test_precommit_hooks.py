"""The pre-commit hooks of `.pre-commit-hooks.yaml`, run the way pre-commit
runs them: the entry, split like a shell would, then the staged file names
that match `files`, with the package's console scripts on PATH; a hook fails
when its exit code is not 0 or when it modified a file."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from copisdsl.workflow.fmt import format_source

HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}

GOOD = 'journey shop "Shop" {\n  stage buy "Buy" {\n    touchpoint cart "Cart" {\n      emotion 4\n    }\n  }\n}\n'
MESSY = 'journey shop "Shop" {   stage buy "Buy" { touchpoint cart "Cart" { emotion 4 } }\n\n\n}'
SEMANTIC_ERROR = 'journey shop "Shop" {\n  stage buy "Buy" {\n    touchpoint cart "Cart" { emotion 9 }\n  }\n}\n'
SYNTAX_ERROR = 'journey shop "Shop" {\n  stage buy "Buy" {\n'


def run_hook(hook_id: str, folder: Path, staged: list[str]) -> tuple[bool, subprocess.CompletedProcess | None]:
    """(passed, the process) for one hook over the staged files, or
    (True, None) when no staged file matches (pre-commit skips the hook)."""
    hook = HOOKS[hook_id]
    pattern = re.compile(hook["files"])
    names = [name for name in staged if pattern.search(name)]
    if not names:
        return True, None
    before = {name: (folder / name).read_bytes() for name in names}
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(shlex.split(hook["entry"]) + hook.get("args", []) + names, cwd=folder,
                          capture_output=True, text=True, env=env, timeout=120)
    modified = any((folder / name).read_bytes() != data for name, data in before.items())
    return done.returncode == 0 and not modified, done


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_hook_definitions() -> None:
    assert set(HOOKS) == {"copis-check", "copis-check-data", "copis-fmt"}
    for hook in HOOKS.values():
        assert hook["language"] == "python" and hook["name"] and hook["description"]
        assert hook["files"] == r"\.copis$"
    assert HOOKS["copis-check"]["entry"] == "copis check --no-data"  # the light install has no data libraries
    assert HOOKS["copis-check-data"]["entry"] == "copis check"
    # The data hook installs exactly the `data` extra's libraries.
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["data"]
    assert HOOKS["copis-check-data"]["additional_dependencies"] == extra
    assert HOOKS["copis-fmt"]["entry"] == "copis fmt"
    pattern = re.compile(HOOKS["copis-fmt"]["files"])
    assert [n for n in ("a.copis", "j/b c.copis", "a.copis.bak", "a.copisx", "README.md") if pattern.search(n)] \
        == ["a.copis", "j/b c.copis"]
    # `language: python` installs this repository: it must build a package with the `copis` script
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'copis = "copisdsl.cli:run"' in pyproject


def test_copis_check_hook(tmp_path: Path) -> None:
    write(tmp_path, {"journeys/good.copis": GOOD, "journeys/bad journey.copis": SEMANTIC_ERROR, "notes.md": "x"})
    passed, done = run_hook("copis-check", tmp_path, ["journeys/good.copis", "notes.md"])
    assert passed, done.stdout + done.stderr
    passed, done = run_hook("copis-check", tmp_path, ["journeys/good.copis", "journeys/bad journey.copis"])
    assert not passed and done.returncode == 1
    assert "journeys/bad journey.copis:3:38: E204 error" in done.stdout
    assert "2 files, 1 error" in done.stdout
    assert run_hook("copis-check", tmp_path, ["notes.md"]) == (True, None)


def test_copis_fmt_hook_formats_the_staged_files(tmp_path: Path) -> None:
    write(tmp_path, {"a.copis": MESSY, "sub/b.copis": GOOD, "sub/broken.copis": SYNTAX_ERROR})
    expected, _ = format_source(MESSY, "a.copis")
    assert expected != MESSY

    passed, done = run_hook("copis-fmt", tmp_path, ["a.copis", "sub/b.copis"])
    assert not passed and done.returncode == 0  # pre-commit fails it: a file changed
    assert (tmp_path / "a.copis").read_text(encoding="utf-8") == expected
    assert (tmp_path / "sub/b.copis").read_text(encoding="utf-8") == GOOD
    assert "reformatted a.copis" in done.stderr
    assert "1 file reformatted, 1 file left unchanged." in done.stderr

    passed, done = run_hook("copis-fmt", tmp_path, ["a.copis", "sub/b.copis"])
    assert passed, done.stderr  # the second commit attempt goes through

    passed, done = run_hook("copis-fmt", tmp_path, ["sub/broken.copis", "a.copis"])
    assert not passed and done.returncode == 1
    assert (tmp_path / "sub/broken.copis").read_text(encoding="utf-8") == SYNTAX_ERROR  # left untouched
    assert "sub/broken.copis:" in done.stderr and "E100" in done.stderr


@pytest.mark.parametrize("hook_id", sorted(HOOKS))
def test_hooks_read_file_names_with_spaces_and_unicode(tmp_path: Path, hook_id: str) -> None:
    write(tmp_path, {"réseau social/j ü.copis": GOOD})
    passed, done = run_hook(hook_id, tmp_path, ["réseau social/j ü.copis"])
    assert passed, done.stdout + done.stderr
