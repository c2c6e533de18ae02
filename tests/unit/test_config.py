"""Configuration (reference, section 15): copis.toml and [tool.copis], each
key and its errors, the nearest-file rule, --config / --no-config, --ignore
/ --error, and the folder search (git-ignored files, exclude, hidden)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from copisdsl.cli import main
from copisdsl.config import ConfigError, Settings, glob_matches, load_config

# W305 at 2:3 (an empty stage).
WARN = 'journey j "J" {\n  stage s "S" {}\n}\n'
# W306 for `lonely`, W300 for all three.
FLOWS = ('journey f "F" {\n  stage s "S" {\n    touchpoint a "A" {}\n    touchpoint b "B" {}\n'
         '    touchpoint lonely "L" {}\n  }\n  flow a -> b\n}\n')


def run(*args, cwd=None):
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)


def codes(result) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


@pytest.fixture
def tree(tmp_path):
    """A project: a git work tree's root marker (.git), a journey with W305."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "warn.copis").write_text(WARN)
    return tmp_path


def test_no_configuration_reports_everything(tree):
    result = run("check", "--format", "json", str(tree))
    assert codes(result) == ["W305"] and result.exit_code == 0


def test_ignore_drops_the_warning(tree):
    (tree / "copis.toml").write_text('ignore = ["W305"]\n')
    result = run("check", "--format", "json", str(tree / "warn.copis"))
    assert codes(result) == [] and result.exit_code == 0


def test_error_reports_the_warning_as_an_error(tree):
    (tree / "copis.toml").write_text('error = ["w305"]\n')
    result = run("check", "--format", "json", str(tree / "warn.copis"))
    diag = json.loads(result.stdout)["diagnostics"][0]
    assert (diag["code"], diag["severity"]) == ("W305", "error") and result.exit_code == 1
    assert json.loads(result.stdout)["summary"] == {"errors": 1, "warnings": 0}


def test_strict_fails_on_warnings(tree):
    (tree / "copis.toml").write_text("strict = true\n")
    assert run("check", str(tree)).exit_code == 1
    (tree / "copis.toml").write_text("strict = false\n")
    assert run("check", str(tree)).exit_code == 0
    assert run("check", "--strict", str(tree)).exit_code == 1  # the command line's --strict wins


def test_exclude_globs_are_relative_to_the_configuration(tree):
    (tree / "drafts" / "deep").mkdir(parents=True)
    (tree / "drafts" / "deep" / "a.copis").write_text(WARN)
    (tree / "keep").mkdir()
    (tree / "keep" / "b.draft.copis").write_text(WARN)
    (tree / "keep" / "c.copis").write_text(WARN)
    (tree / "copis.toml").write_text('exclude = ["drafts/", "*.draft.copis"]\n')
    result = run("check", "-v", str(tree))
    assert "3 files" not in result.stdout and result.stdout.strip().endswith("2 files, 0 errors, 2 warnings")
    assert "drafts" not in result.output and "b.draft" not in result.output
    # A file named is always checked.
    named = run("check", str(tree / "drafts" / "deep" / "a.copis"))
    assert "1 file, 0 errors, 1 warning" in named.stdout


def test_root_is_the_data_root_relative_to_the_configuration(tree):
    (tree / "data").mkdir()
    (tree / "data" / "survey.csv").write_text("score\n9\n10\n")
    (tree / "journeys").mkdir()
    (tree / "journeys" / "j.copis").write_text(
        'journey j "J" {\n  data survey "../data/survey.csv"\n  kpi mean_score = mean(survey.score)\n}\n')
    outside = run("check", "--format", "json", str(tree / "journeys"))
    assert "E400" in codes(outside)  # the file's folder is the root by default
    (tree / "copis.toml").write_text('root = "."\n')
    inside = run("check", "--format", "json", str(tree / "journeys"))
    assert "E400" not in codes(inside) and inside.exit_code == 0


def test_the_data_root_need_not_hold_the_journeys(tree):
    """``root`` bounds the data paths (§15), not the journeys themselves:
    a journey beside the data root reads the data inside it; one outside
    it, a folder beside the root, is E400 for that data only."""
    (tree / "data").mkdir()
    (tree / "data" / "survey.csv").write_text("score\n9\n10\n")
    (tree / "other.csv").write_text("score\n1\n")
    (tree / "journeys").mkdir()
    journey = tree / "journeys" / "j.copis"
    journey.write_text('journey j "J" {\n  data survey "../data/survey.csv"\n  kpi mean_score = mean(survey.score)\n}\n')
    (tree / "copis.toml").write_text('root = "data"\n')
    inside = run("check", "--format", "json", str(journey))
    assert codes(inside) == [] and inside.exit_code == 0
    journey.write_text('journey j "J" {\n  data other "../other.csv"\n  kpi mean_score = mean(other.score)\n}\n')
    outside = run("check", "--format", "json", str(journey))
    diagnostics = json.loads(outside.stdout)["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [("E400", 2, 14)] and outside.exit_code == 1
    assert run("check", "--no-config", "--root", str(tree / "nowhere"), str(journey)).exit_code == 2


@pytest.mark.parametrize("text, key", [
    ("stritc = true\n", "stritc"),
    ('strict = "yes"\n', "strict"),
    ('ignore = "W305"\n', "ignore"),
    ('ignore = ["E201"]\n', "ignore"),
    ('ignore = ["W999"]\n', "ignore"),
    ('error = ["E201"]\n', "error"),
    ("error = [1]\n", "error"),
    ('exclude = "drafts"\n', "exclude"),
    ("root = 3\n", "root"),
    ('root = "nowhere"\n', "root"),  # a data root that is not a folder
])
def test_a_bad_key_or_value_is_a_usage_error_naming_file_and_key(tree, text, key):
    (tree / "copis.toml").write_text(text)
    result = run("check", str(tree))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "copis.toml" in result.stderr and f"'{key}'" in result.stderr


def test_unknown_key_in_pyproject_names_the_table(tree):
    (tree / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.copis]\nignroe = ["W305"]\n')
    result = run("check", str(tree))
    assert result.exit_code == 2 and "pyproject.toml" in result.stderr and "'tool.copis.ignroe'" in result.stderr


def test_invalid_toml_is_a_usage_error(tree):
    (tree / "copis.toml").write_text("ignore = [\n")
    result = run("check", str(tree))
    assert result.exit_code == 2 and "copis.toml: not valid TOML" in result.stderr


def test_pyproject_tool_copis_is_read(tree):
    (tree / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.copis]\nignore = ["W305"]\n')
    assert codes(run("check", "--format", "json", str(tree))) == []


def test_the_nearest_configuration_wins_and_copis_toml_beats_pyproject(tree):
    (tree / "copis.toml").write_text('ignore = ["W305"]\n')
    sub = tree / "sub"
    sub.mkdir()
    (sub / "warn.copis").write_text(WARN)
    (sub / "copis.toml").write_text('error = ["W305"]\n')  # not merged with the parent's
    result = run("check", "--format", "json", str(tree))
    assert [(d["file"].endswith("sub/warn.copis"), d["severity"])
            for d in json.loads(result.stdout)["diagnostics"]] == [(True, "error")]
    (sub / "copis.toml").unlink()
    (sub / "pyproject.toml").write_text('[tool.copis]\nerror = ["W305"]\n')
    assert json.loads(run("check", "--format", "json", str(sub)).stdout)["summary"]["errors"] == 1
    (sub / "copis.toml").write_text("")  # in one folder copis.toml wins: an empty one ignores nothing
    assert json.loads(run("check", "--format", "json", str(sub)).stdout)["summary"] == {"errors": 0, "warnings": 1}


def test_a_pyproject_without_tool_copis_is_passed_over(tree):
    (tree / "copis.toml").write_text('ignore = ["W305"]\n')
    sub = tree / "pkg"
    sub.mkdir()
    (sub / "warn.copis").write_text(WARN)
    (sub / "pyproject.toml").write_text('[project]\nname = "pkg"\n')
    assert codes(run("check", "--format", "json", str(sub))) == []


def test_the_search_stops_at_the_git_work_tree_root(tmp_path):
    (tmp_path / "copis.toml").write_text('ignore = ["W305"]\n')  # above the project: not its configuration
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "warn.copis").write_text(WARN)
    assert codes(run("check", "--format", "json", str(project))) == ["W305"]


def test_no_config_and_config_file(tree):
    (tree / "copis.toml").write_text('ignore = ["W305"]\n')
    assert codes(run("check", "--format", "json", "--no-config", str(tree))) == ["W305"]
    other = tree / "other.toml"
    other.write_text('error = ["W305"]\n')
    result = run("check", "--format", "json", "--config", str(other), str(tree))
    assert json.loads(result.stdout)["summary"] == {"errors": 1, "warnings": 0}
    both = run("check", "--config", str(other), "--no-config", str(tree))
    assert both.exit_code == 2 and "exclude each other" in both.stderr
    (tree / "broken.toml").write_text("nope = 1\n")
    bad = run("check", "--config", str(tree / "broken.toml"), str(tree))
    assert bad.exit_code == 2 and "broken.toml: unknown key 'nope'" in bad.stderr
    (tree / "none.toml").write_text("")
    assert codes(run("check", "--format", "json", "--config", str(tree / "none.toml"), str(tree))) == ["W305"]


def test_ignore_and_error_on_the_command_line(tree):
    (tree / "f.copis").write_text(FLOWS)
    result = run("check", "--format", "json", "--no-config", "--ignore", "W300,W306", "--ignore", "w305", str(tree))
    assert codes(result) == []
    result = run("check", "--format", "json", "--no-config", "--error", "W306", "--ignore", "W300", str(tree))
    assert [(d["code"], d["severity"]) for d in json.loads(result.stdout)["diagnostics"]] == \
        [("W306", "error"), ("W305", "warning")]
    assert result.exit_code == 1
    # The command line's codes are added to the file's, and win over them.
    (tree / "copis.toml").write_text('error = ["W305"]\n')
    result = run("check", "--format", "json", "--ignore", "W305,W300,W306", str(tree))
    assert codes(result) == []
    for bad, word in (("E201", "error code"), ("W999", "not a diagnostic code")):
        done = run("check", "--ignore", bad, str(tree))
        assert done.exit_code == 2 and word in done.stderr
    clash = run("check", "--ignore", "W305", "--error", "W305", str(tree))
    assert clash.exit_code == 2 and "both" in clash.stderr


def test_settings_merge_and_load_config_for_other_tools(tree):
    (tree / "copis.toml").write_text('ignore = ["W300"]\nerror = ["W306"]\nexclude = ["x"]\nroot = ".."\n')
    config = Settings(ignore=frozenset({"W306"})).for_file(tree / "warn.copis")
    assert (config.ignore, config.error, config.exclude) == ({"W300", "W306"}, set(), ("x",))
    assert config.root == tree.resolve() / ".." and config.path == tree / "copis.toml"
    assert load_config(tree / "copis.toml").policy().error == {"W306"}
    (tree / "pyproject.toml").write_text("[project]\n")
    assert load_config(tree / "pyproject.toml") is None
    with pytest.raises(ConfigError, match="tool.copis' must be a table"):
        (tree / "pyproject.toml").write_text('[tool]\ncopis = 3\n')
        load_config(tree / "pyproject.toml")


@pytest.mark.parametrize("pattern, path, expected", [
    ("drafts", "drafts/a.copis", True),
    ("drafts", "x/drafts/a.copis", True),
    ("drafts/", "drafts/a.copis", True),
    ("x/drafts", "drafts/a.copis", False),
    ("x/drafts", "x/drafts/a.copis", True),
    ("*.draft.copis", "deep/er/b.draft.copis", True),
    ("*.copis", "a.txt", False),
    ("a/*/c.copis", "a/b/c.copis", True),
    ("a/*/c.copis", "a/b/d/c.copis", False),
    ("a/**/c.copis", "a/b/d/c.copis", True),
    ("a/**/c.copis", "a/c.copis", True),
    ("?.copis", "ab.copis", False),
])
def test_exclude_globs_match_as_gitignore_patterns_do(pattern, path, expected):
    assert glob_matches(pattern, path) is expected


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_folder_search_skips_what_git_ignores(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("node_modules/\nsite/\n*.tmp.copis\n")
    for rel in ("node_modules/pkg/x.copis", "site/y.copis", "a.tmp.copis", "journeys/ok.copis",
                ".hidden/z.copis"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(WARN)
    result = run("check", "--format", "json", str(tmp_path))
    files = {os.path.relpath(d["file"], tmp_path) for d in json.loads(result.stdout)["diagnostics"]}
    assert files == {"journeys/ok.copis"} and json.loads(result.stdout)["files"] == 1
    # From a sub-folder too; a folder or a file named is searched or checked all the same.
    assert json.loads(run("check", "--format", "json", ".", cwd=tmp_path / "journeys").stdout)["files"] == 1
    assert json.loads(run("check", "--format", "json", str(tmp_path / "site")).stdout)["files"] == 1
    assert json.loads(run("check", "--format", "json", str(tmp_path / "a.tmp.copis")).stdout)["files"] == 1


def test_without_git_the_search_degrades_to_the_hidden_rule(tmp_path, monkeypatch):
    (tmp_path / ".gitignore").write_text("site/\n")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "y.copis").write_text(WARN)
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))
    result = run("check", "--format", "json", str(tmp_path))
    assert json.loads(result.stdout)["files"] == 1 and result.exit_code == 0
