"""`copis diff`: two files, a git revision against the working tree (a real
git repository in a temporary folder), formats, colour and exit codes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, golden_text
from copisdsl.cli import main

GOLDEN = ROOT / "tests" / "golden" / "diff"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def run(*args: str):
    return CliRunner().invoke(main, ["diff", *args])


def case(name: str, side: str) -> str:
    return str(GOLDEN / name / f"{side}.copis")


# ------------------------------------------------------------------ two files


def test_differences_exit_1_and_print_the_golden_text() -> None:
    old, new = case("kpis", "old"), case("kpis", "new")
    result = run(old, new)
    assert result.exit_code == 1
    expected = golden_text(GOLDEN / "kpis" / "expected.txt")
    assert result.stdout == expected.replace("old.copis → new.copis", f"{old} → {new}", 1)


def test_formatting_only_exits_0() -> None:
    result = run(case("formatting_only", "old"), case("formatting_only", "new"))
    assert result.exit_code == 0
    assert result.stdout.endswith(": no differences\n")


def test_markdown_format() -> None:
    result = run("--format", "markdown", case("escaping", "old"), case("escaping", "new"))
    assert result.exit_code == 1
    assert result.stdout.startswith("#### `")
    assert "**Touchpoints**" in result.stdout
    assert "\x1b[" not in result.stdout


def test_colour_only_when_asked_or_on_a_terminal() -> None:
    args = (case("flows", "old"), case("flows", "new"))
    assert "\x1b[" not in run(*args).stdout  # the test runner is not a terminal
    coloured = run("--color=always", *args).stdout
    assert "\x1b[32m+ flow ad -> cart" in coloured and "\x1b[31m- flow search -> ad" in coloured
    assert "\x1b[" not in run("--color=always", "--format", "markdown", *args).stdout


def test_usage_errors_exit_2() -> None:
    assert run(case("kpis", "old")).exit_code == 2
    missing = run(case("kpis", "old"), "no/such/file.copis")
    assert missing.exit_code == 2 and "no/such/file.copis" in missing.stderr
    assert run("--format", "html", case("kpis", "old"), case("kpis", "new")).exit_code == 2


def test_a_side_that_does_not_compile_exits_3_with_its_diagnostics(tmp_path: Path) -> None:
    broken = tmp_path / "broken.copis"
    broken.write_text('journey j "J" {\n  stage s "S" {\n    touchpoint t "T" { emotion 9 }\n  }\n}\n')
    result = run(case("kpis", "old"), str(broken))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert f"{broken}:3:32: E204 error: emotion must be" in result.stderr
    assert "1 file, 1 error" in result.stderr
    not_utf8 = tmp_path / "latin1.copis"
    not_utf8.write_bytes('journey j "Café" {}\n'.encode("latin-1"))
    result = run(str(not_utf8), case("kpis", "new"))
    assert result.exit_code == 3 and "E100" in result.stderr and "UTF-8" in result.stderr


# ------------------------------------------------------------------ git


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    repo = tmp_path / "repo"
    (repo / "journeys").mkdir(parents=True)
    shutil.copy(case("touchpoints", "old"), repo / "journeys" / "shop.copis")
    shutil.copy(case("formatting_only", "old"), repo / "journeys" / "layout.copis")
    shutil.copy(case("journey_removed", "old"), repo / "journeys" / "gone.copis")
    (repo / "notes.txt").write_text("not a journey\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "journeys")
    shutil.copy(case("touchpoints", "new"), repo / "journeys" / "shop.copis")
    shutil.copy(case("formatting_only", "new"), repo / "journeys" / "layout.copis")
    (repo / "journeys" / "gone.copis").unlink()
    shutil.copy(case("journey_added", "new"), repo / "journeys" / "untracked.copis")
    (repo / "notes.txt").write_text("changed\n")
    monkeypatch.chdir(repo)
    return repo


def test_rev_compares_every_changed_tracked_journey(repo: Path) -> None:
    result = run("--rev", "HEAD")
    assert result.exit_code == 1, result.output
    out = result.stdout
    expected = golden_text(GOLDEN / "touchpoints" / "expected.txt")
    assert expected.replace("old.copis → new.copis", "HEAD:journeys/shop.copis → journeys/shop.copis", 1) in out
    assert "HEAD:journeys/layout.copis → journeys/layout.copis: no differences\n" in out
    assert "HEAD:journeys/gone.copis → journeys/gone.copis: 1 removed\n" in out
    assert '- journey warranty "Warranty claims": 2 stages, 2 touchpoints' in out
    assert "untracked" not in out and "notes" not in out
    # files in path order
    assert out.index("gone.copis") < out.index("layout.copis") < out.index("shop.copis")


def test_rev_with_paths(repo: Path, monkeypatch) -> None:
    assert run("--rev", "HEAD", "journeys/layout.copis").exit_code == 0
    added = run("--rev", "HEAD", "journeys/untracked.copis")
    assert added.exit_code == 1
    assert "+ journey returns" in added.stdout
    folder = run("--rev", "HEAD", "journeys")
    assert folder.exit_code == 1 and "shop.copis" in folder.stdout
    monkeypatch.chdir(repo / "journeys")  # paths relative to the current folder
    here = run("--rev", "HEAD", "shop.copis")
    assert here.exit_code == 1
    assert here.stdout.startswith("HEAD:journeys/shop.copis → shop.copis: ")


def test_rev_markdown(repo: Path) -> None:
    result = run("--rev", "HEAD", "--format", "markdown", "journeys/shop.copis")
    expected = golden_text(GOLDEN / "touchpoints" / "expected.md")
    assert result.stdout == expected.replace(
        "`old.copis` → `new.copis`", "`HEAD:journeys/shop.copis` → `journeys/shop.copis`", 1)


def test_rev_nothing_changed(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "update")
    result = run("--rev", "HEAD")
    assert result.exit_code == 0
    assert result.stdout == "no .copis files changed since HEAD\n"
    older = run("--rev", "HEAD~1", "journeys/shop.copis")
    assert older.exit_code == 1 and "renamed from cart" in older.stdout


def test_rev_errors_exit_2(repo: Path, tmp_path: Path, monkeypatch) -> None:
    unknown = run("--rev", "no-such-branch")
    assert unknown.exit_code == 2 and "unknown revision 'no-such-branch'" in unknown.stderr
    dash = run("--rev", "--output=/tmp/x")
    assert dash.exit_code == 2
    missing = run("--rev", "HEAD", "journeys/nothing.copis")
    assert missing.exit_code == 2
    assert "'journeys/nothing.copis' is neither in the working tree nor in HEAD" in missing.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.copis").write_text('journey x "X" {}\n')
    assert run("--rev", "HEAD", str(outside / "x.copis")).exit_code == 2
    monkeypatch.chdir(outside)
    not_repo = run("--rev", "HEAD")
    assert not_repo.exit_code == 2 and "not inside a git repository" in not_repo.stderr


def test_rev_old_version_that_does_not_compile_exits_3(repo: Path) -> None:
    (repo / "journeys" / "shop.copis").write_text('journey shop "Shop" {\n  stage\n}\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "broken")
    shutil.copy(case("touchpoints", "new"), repo / "journeys" / "shop.copis")
    result = run("--rev", "HEAD", "journeys/shop.copis")
    assert result.exit_code == 3
    assert "HEAD:journeys/shop.copis:2:" in result.stderr and "E100" in result.stderr


def test_diff_never_loads_pandas() -> None:
    import sys

    code = ("import sys; from click.testing import CliRunner; from copisdsl.cli import main; "
            f"r = CliRunner().invoke(main, ['diff', {case('data', 'old')!r}, {case('data', 'new')!r}]); "
            "assert r.exit_code == 1, r.output; assert 'pandas' not in sys.modules, 'pandas loaded'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
