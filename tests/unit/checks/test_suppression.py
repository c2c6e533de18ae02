"""Inline suppression and the configuration's codes, applied by one
function (``checks.suppression.reported``) in every command. The forms and
each W309 case have golden cases (tests/golden/check/suppress_*, W309_*)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from copisdsl.api import check, check_file
from copisdsl.checks.suppression import Policy
from copisdsl.cli import main
from copisdsl.config import Config

EMPTY_STAGE = 'journey j "J" {\n  stage s "S" {}  # copis: ignore[W305]\n}\n'
DATA = ('journey j "J" {\n  data survey "survey.csv"\n'
        '  kpi promoters = count(survey.score where score > 10)  # copis: ignore[W403]\n}\n')


def test_a_line_suppression_hides_only_its_line():
    two = 'journey j "J" {\n  stage s "S" {}  # copis: ignore[W305]\n  stage t "T" {}\n}\n'
    assert [(d.code, d.span.line) for d in check(two).diagnostics] == [("W305", 3)]


def test_policy_ignores_and_makes_errors_after_suppression():
    assert check(EMPTY_STAGE).diagnostics == []
    unused = 'journey j "J" {  # copis: ignore[W305]\n}\n'
    assert [d.code for d in check(unused).diagnostics] == ["W309"]
    assert check(unused, policy=Policy(ignore=frozenset({"W309"}))).diagnostics == []
    (made,) = check(unused, policy=Policy(error=frozenset({"W309"}))).diagnostics
    assert made.is_error and not check(unused, policy=Policy(error=frozenset({"W309"}))).ok


def test_a_data_warning_suppression_is_judged_only_when_data_is_read(tmp_path):
    (tmp_path / "survey.csv").write_text("score\n9\n10\n")
    (tmp_path / "j.copis").write_text(DATA)
    assert check_file(tmp_path / "j.copis").diagnostics == []  # W403 suppressed
    assert check_file(tmp_path / "j.copis", data=False).diagnostics == []  # not judged unused
    (tmp_path / "survey.csv").write_text("score\n19\n")
    (unused,) = check_file(tmp_path / "j.copis").diagnostics
    assert unused.code == "W309" and unused.span.line == 3


def test_configuration_reaches_check_file_and_sets_strict(tmp_path):
    (tmp_path / "j.copis").write_text('journey j "J" {\n  stage s "S" {}\n}\n')
    result = check_file(tmp_path / "j.copis", config=Config(strict=True, error=frozenset({"W305"})))
    assert result.strict and [d.severity.value for d in result.diagnostics] == ["error"]


def test_every_command_reports_the_same_way(tmp_path):
    """check, render, export and build suppress alike (render and export
    print the file's warnings with strict only: here W305 made an error)."""
    (tmp_path / "copis.toml").write_text('error = ["W305"]\n')
    (tmp_path / ".git").mkdir()
    (tmp_path / "j.copis").write_text('journey j "J" {\n  stage s "S" {}\n  stage t "T" {}  # copis: ignore[W305]\n}\n')
    runner = CliRunner()
    done = runner.invoke(main, ["check", "--format", "json", str(tmp_path / "j.copis")])
    assert [(d["line"], d["severity"]) for d in json.loads(done.stdout)["diagnostics"]] == [(2, "error")]
    for args in (["render", str(tmp_path / "j.copis"), "--format", "dot"], ["export", str(tmp_path / "j.copis")],
                 ["build", str(tmp_path / "j.copis"), "-o", str(tmp_path / "out")]):
        done = runner.invoke(main, args)
        assert done.exit_code == 1, args
        assert "j.copis:2:3: W305 error" in done.output and "j.copis:3:" not in done.output, args
