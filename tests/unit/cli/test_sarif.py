"""`copis check --format sarif`: SARIF 2.1.0, valid against its schema
(tests/schemas/sarif-2.1.0-rtm.4.json, from the sarif-om package, MIT)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from copisdsl.cli import main
from copisdsl.codes import CODES

SCHEMA = json.loads((Path(__file__).parents[2] / "schemas" / "sarif-2.1.0-rtm.4.json").read_text(encoding="utf-8"))
CONFLICT = ('journey j "J" {\n  objective "Faster" increase conversion\n'
            '  objective "Fewer" decrease conversion\n  kpi conversion = 3%\n}\n')
ODD = 'journey j "J" {\n  stage s "<b>&\\"é" {}\n}\n'


def sarif(tmp_path, *texts: str) -> dict:
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"dir with space/j{i}#.copis"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    result = CliRunner().invoke(main, ["check", "--format", "sarif", *paths])
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
    return json.loads(result.stdout)


def test_the_log_is_valid_sarif_2_1_0(tmp_path):
    log = sarif(tmp_path, CONFLICT, ODD)
    jsonschema.validate(log, SCHEMA)
    assert log["version"] == "2.1.0"


def test_rules_come_from_the_code_registry(tmp_path):
    driver = sarif(tmp_path, ODD)["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [c.code for c in CODES]
    assert driver["name"] == "copis"


def test_results_have_regions_and_e301_related_locations(tmp_path):
    run = sarif(tmp_path, CONFLICT)["runs"][0]
    (result,) = [r for r in run["results"] if r["ruleId"] == "E301"]
    assert result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "E301"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("dir%20with%20space/j0%23.copis")
    assert location["region"]["startLine"] == 3 and location["region"]["startColumn"] >= 1
    related = result["relatedLocations"][0]
    assert related["physicalLocation"]["region"]["startLine"] == 2 and related["message"]["text"]


def test_user_text_is_escaped_as_json_and_output_is_deterministic(tmp_path):
    first = CliRunner().invoke(main, ["check", "--format", "sarif", "-"], input=ODD).stdout
    assert first == CliRunner().invoke(main, ["check", "--format", "sarif", "-"], input=ODD).stdout
    (result,) = json.loads(first)["runs"][0]["results"]
    assert result["ruleId"] == "W305" and result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "%3Cstdin%3E"


@pytest.mark.parametrize("name, uri", [("http:evil.copis", "http%3Aevil.copis"),
                                       ("back\\slash.copis", "back%5Cslash.copis")])
def test_a_file_name_is_a_relative_uri_of_that_one_file(tmp_path, monkeypatch, name, uri):
    """A ':' would make the name an absolute URI of another scheme, and a
    backslash is part of a name on POSIX, no folder separator."""
    (tmp_path / name).write_text(ODD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--format", "sarif", name])
    (found,) = json.loads(result.stdout)["runs"][0]["results"]
    assert found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri
