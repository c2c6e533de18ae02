"""Nothing the user wrote is overwritten: an output that is the journey
itself, or a build folder holding the journeys, is a usage error (exit 2),
and the file is left as it was."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from copisdsl.cli import main

JOURNEY = 'journey j "J" {\n  stage s "S" { touchpoint t "T" {} }\n}\n'


@pytest.mark.parametrize("args", [
    ["export", "j.copis", "-o", "j.copis"],
    ["export", "j.copis", "--format", "mermaid", "-o", "./j.copis"],
    ["render", "j.copis", "--format", "svg", "-o", "j.copis"],
])
def test_an_output_that_is_the_input_is_refused(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "j.copis").write_text(JOURNEY, encoding="utf-8")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "is the journey being read" in result.output
    assert (tmp_path / "j.copis").read_text(encoding="utf-8") == JOURNEY


@pytest.mark.parametrize("out", ["src", "."])
def test_a_build_folder_holding_the_journeys_is_refused(tmp_path, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "j.copis").write_text(JOURNEY, encoding="utf-8")
    (tmp_path / "src" / "index.html").write_text("<h1>mine</h1>", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "src", "-o", out])
    assert result.exit_code == 2 and "build into a folder of its own" in result.output
    assert (tmp_path / "src" / "index.html").read_text(encoding="utf-8") == "<h1>mine</h1>"


def test_render_refuses_a_format_the_extension_contradicts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "j.copis").write_text(JOURNEY, encoding="utf-8")
    result = CliRunner().invoke(main, ["render", "j.copis", "-o", "x.svg", "--format", "png"])
    assert result.exit_code == 2 and "does not match" in result.output
    assert not (tmp_path / "x.svg").exists()
