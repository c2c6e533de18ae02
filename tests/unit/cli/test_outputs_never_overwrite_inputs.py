"""Nothing the user wrote is overwritten: an output that is the journey
itself or one of its data files (however spelled, or through a link), or a
build folder holding the journeys, is a usage error (exit 2), and the file
is left as it was."""

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


DATA_JOURNEY = 'journey j "J" {\n  data s "s.csv"\n  kpi nps = nps(s.score)\n}\n'
SCORES = b"score\n9\n10\n"


@pytest.fixture
def with_data(tmp_path, monkeypatch):
    """j.copis reading s.csv (and link.csv, a link to it), in the current folder;
    reading any data fails the test: the refusal comes before any work."""
    import copisdsl.data

    monkeypatch.chdir(tmp_path)
    (tmp_path / "j.copis").write_text(DATA_JOURNEY, encoding="utf-8")
    (tmp_path / "s.csv").write_bytes(SCORES)
    (tmp_path / "link.csv").symlink_to("s.csv")
    monkeypatch.setattr(copisdsl.data, "enrich", lambda *a, **k: pytest.fail("the data was read"))
    return tmp_path


@pytest.mark.parametrize("args,option", [
    (["-o", "s.csv"], "--output"),
    (["-o", "./s.csv"], "--output"),
    (["-o", "link.csv"], "--output"),
    (["--format", "mermaid", "-o", "s.csv"], "--output"),  # Mermaid reads no data; s.csv is the journey's still
    (["-o", "s.csv", "--customers", "c.csv"], "--output"),
    (["-o", "out.json", "--customers", "./s.csv"], "--customers"),
    (["-o", "out.json", "--customers", "link.csv"], "--customers"),
])
def test_an_export_never_writes_over_the_journeys_data(with_data, args, option):
    result = CliRunner().invoke(main, ["export", "j.copis", *args])
    assert result.exit_code == 2, result.output
    assert f"{option} " in result.output and "is a data file the journey reads" in result.output
    assert (with_data / "s.csv").read_bytes() == SCORES
    assert sorted(p.name for p in with_data.iterdir()) == ["j.copis", "link.csv", "s.csv"]  # nothing written


@pytest.mark.parametrize("output,customers", [("c.csv", "./c.csv"), ("alias.csv", "c.csv"), ("c.csv", "{here}/c.csv")])
def test_customers_and_output_naming_one_file_are_refused(with_data, output, customers):
    (with_data / "alias.csv").symlink_to("c.csv")  # a link to a file not written yet
    customers = customers.format(here=with_data)
    result = CliRunner().invoke(main, ["export", "j.copis", "-o", output, "--customers", customers])
    assert result.exit_code == 2 and "--customers and --output name the same file" in result.output
    assert sorted(p.name for p in with_data.iterdir()) == ["alias.csv", "j.copis", "link.csv", "s.csv"]


def test_an_export_never_writes_over_the_journey_through_a_link(with_data):
    (with_data / "alias.copis").symlink_to("j.copis")
    result = CliRunner().invoke(main, ["export", "j.copis", "-o", "alias.copis"])
    assert result.exit_code == 2 and "is the journey being read" in result.output
    assert (with_data / "j.copis").read_text(encoding="utf-8") == DATA_JOURNEY


@pytest.mark.parametrize("out", ["s.csv", "./s.csv", "link.csv"])
def test_a_render_never_writes_over_the_journeys_data(with_data, out):
    result = CliRunner().invoke(main, ["render", "j.copis", "--format", "svg", "-o", out])
    assert result.exit_code == 2, result.output
    assert "--output " in result.output and "is a data file the journey reads" in result.output
    assert (with_data / "s.csv").read_bytes() == SCORES
    assert sorted(p.name for p in with_data.iterdir()) == ["j.copis", "link.csv", "s.csv"]
