"""`copis export`: the JSON of the reference's section 10, its schema, and
the command's behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from copisdsl.api import check, check_file
from copisdsl.cli import main
from copisdsl.data import enrich, loading
from copisdsl.workflow.export.json_export import export_dict, export_json, measure, number

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT / "docs" / "export.schema.json").read_text(encoding="utf-8"))
EXAMPLES = sorted((ROOT / "examples").glob("*.copis"))

JOURNEY = '''journey skincare "Skincare" {
  framework service
  owner "CX team"
  description "First order to re-purchase."
  persona maya "Maya" { needs "Never run out" }
  customer maya
  stage awareness "Awareness" {
    touchpoint insta_ad "Instagram ad" {
      channel social
      objective "Grow reach" increase impressions to 20000
      process "See ad", "Tap through"
      information "Interest targeting"
      service "Ads manager"
      kpi impressions = 18500
      kpi noise = 0.1 + 0.2 baseline 0.25
      emotion 3
    }
  }
  stage purchase "Purchase" {
    touchpoint checkout "Checkout" {
      channel web
      moment_of_truth
      repurchase "Saved cart"
      objective "Lift conversion" increase conversion_rate to 4%
      process "Pay"
      information "Addresses"
      service "Checkout"
      kpi conversion_rate = ratio(43, 1000)
      pain "Too many fields", "Slow"
      opportunity "Express pay"
    }
  }
  objective "Be known"
  flow insta_ad -> checkout
  flow checkout -> insta_ad "again"
}
'''


def export_of(text: str, folder: Path = ROOT) -> dict:
    result = check(text, "j.copis")
    assert result.ok, result.diagnostics
    figures, diags = enrich(result.model, folder)
    return export_dict(result.model, figures, result.diagnostics + diags)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_validate_against_the_schema(example):
    result = check_file(example, example.name, data=False)
    assert result.ok
    figures, diags = enrich(result.model, example.parent)
    assert diags == []
    document = json.loads(export_json(result.model, figures, result.diagnostics))
    jsonschema.validate(document, SCHEMA)


def test_owner_description_and_tags_where_written():
    doc = export_of('journey j "J" {\n tags "b2c", "pilot"\n stage s "S" {\n  owner "Ops"\n  description "Stage text"\n'
                    '  touchpoint t "T" {\n   owner "Care team"\n   description "Calls back"\n   tags "phone"\n  }\n }\n}\n')
    assert doc["journey"]["tags"] == ["b2c", "pilot"]
    stage = doc["stages"][0]
    assert (stage["owner"], stage["description"], stage["tags"]) == ("Ops", "Stage text", [])
    tp = stage["touchpoints"][0]
    assert (tp["owner"], tp["description"], tp["tags"]) == ("Care team", "Calls back", ["phone"])
    jsonschema.validate(doc, SCHEMA)


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_keys_and_values_follow_the_reference():
    doc = export_of(JOURNEY)
    assert list(doc) == ["journey", "stages", "flows", "objectives", "kpis", "clv", "diagnostics"]
    assert doc["journey"] == {"id": "skincare", "title": "Skincare", "framework": "service",
                              "owner": "CX team", "description": "First order to re-purchase.", "tags": []}
    assert list(doc["stages"][0]) == ["id", "title", "touchpoints", "owner", "description", "tags"]
    ad = doc["stages"][0]["touchpoints"][0]
    assert list(ad) == ["id", "title", "channel", "emotion", "elements", "moment_of_truth", "repurchase",
                        "pains", "opportunities", "evidence", "frontstage", "backstage", "support", "fail_point", "owner", "description", "tags",
                        "reach"]
    assert ad["reach"] is None  # no event log
    assert (ad["owner"], ad["description"], ad["tags"]) == (None, None, [])
    assert ad["elements"] == {"customer": ["maya"], "objective": ["Grow reach"],
                              "process": ["See ad", "Tap through"], "information": ["Interest targeting"],
                              "service": ["Ads manager"]}
    assert (ad["moment_of_truth"], ad["repurchase"], ad["pains"], ad["emotion"]) == (None, None, [], 3)
    checkout = doc["stages"][1]["touchpoints"][0]
    assert checkout["moment_of_truth"] is True and checkout["repurchase"] == "Saved cart"
    assert checkout["pains"] == ["Too many fields", "Slow"] and checkout["emotion"] is None
    no_log = {"customers": None, "conversion": None, "median_days": None}
    assert doc["flows"] == [{"from": "insta_ad", "to": "checkout", "label": None, **no_log},
                            {"from": "checkout", "to": "insta_ad", "label": "again", **no_log}]
    assert doc["objectives"][0] == {"text": "Grow reach", "scope": "insta_ad", "direction": "increase",
                                    "metric": "impressions", "target": 20000, "value": 18500,
                                    "status": "not_met"}
    assert doc["objectives"][1]["status"] == "met" and doc["objectives"][1]["target"] == 0.04
    assert doc["objectives"][2] == {"text": "Be known", "scope": "skincare", "direction": None,
                                    "metric": None, "target": None, "value": None, "status": None}
    assert doc["kpis"][0] == {"name": "impressions", "scope": "insta_ad", "value": 18500, "baseline": None,
                              "kind": "number", "by_segment": None}
    assert doc["kpis"][1]["value"] == 0.3 and doc["kpis"][1]["baseline"] == 0.25
    assert doc["kpis"][2] == {"name": "conversion_rate", "scope": "checkout", "value": 0.043,
                              "baseline": None, "kind": "rate", "by_segment": None}
    assert doc["clv"] is None
    assert doc["diagnostics"] == []


def test_warnings_are_listed_like_the_check_json():
    doc = export_of('journey j "J" {\n  stage s "S" {\n    touchpoint t "T" {}\n  }\n}\n')
    assert [d["code"] for d in doc["diagnostics"]] == ["W300"]
    assert list(doc["diagnostics"][0]) == ["code", "severity", "message", "file", "line", "column",
                                           "end_line", "end_column", "hint"]


def test_custom_framework_elements_in_its_order():
    doc = export_of('journey j "J" {\n  framework crm { customer "C"; channel_mix "M"; outcome "O" }\n'
                    '  stage s "S" { touchpoint t "T" { outcome "Won"; customer "Ann" } }\n}\n')
    assert list(doc["stages"][0]["touchpoints"][0]["elements"].items()) == [
        ("customer", ["Ann"]), ("channel_mix", []), ("outcome", ["Won"])]


def test_clv_block_of_an_example():
    example = ROOT / "examples" / "skincare_clv.copis"
    result = check_file(example, example.name, data=False)
    figures, _ = enrich(result.model, example.parent)
    clv = export_dict(result.model, figures)["clv"]
    assert list(clv) == ["model", "unit", "margin", "discount", "horizon_months", "params", "fit", "mean_clv",
                         "mean_clv_interval", "holdout", "segments"]
    assert clv["mean_clv_interval"] is None and clv["holdout"] is None  # neither is asked for
    assert (clv["model"], clv["unit"], clv["margin"], clv["horizon_months"]) == ("bgnbd", "week", 0.35, 36)
    assert list(clv["params"]) == ["r", "alpha", "a", "b", "p", "q", "v"]
    assert list(clv["fit"]) == ["log_likelihood", "converged", "standard_errors"]
    assert list(clv["fit"]["standard_errors"]) == list(clv["params"])
    assert clv["fit"]["log_likelihood"] < 0 and all(se > 0 for se in clv["fit"]["standard_errors"].values())
    assert list(clv["segments"][0]) == ["id", "customers", "share", "revenue", "clv_total", "clv_mean",
                                        "clv_share", "clv_total_interval"]


@pytest.mark.parametrize("raw,expected", [
    (0.1 + 0.2, 0.3), (1 / 3, 0.333333333333), (-0.0, 0.0), (float("nan"), None), (None, None),
    (123456789.123456789, 123456789.123),
])
def test_numbers_are_rounded_to_12_significant_digits(raw, expected):
    assert number(raw) == expected


def test_whole_measures_are_integers():
    assert measure(18500.0) == 18500 and isinstance(measure(18500.0), int)
    assert measure(0.5) == 0.5 and measure(None) is None


# ------------------------------------------------------------------ the command

def write(tmp_path: Path, text: str = JOURNEY) -> Path:
    path = tmp_path / "j.copis"
    path.write_text(text, encoding="utf-8")
    return path


def test_export_to_stdout_and_to_a_file(tmp_path):
    path = write(tmp_path)
    runner = CliRunner()
    to_stdout = runner.invoke(main, ["export", str(path), "-o", "-"])
    assert to_stdout.exit_code == 0, to_stdout.output
    target = tmp_path / "out" / "model.json"
    to_file = runner.invoke(main, ["export", str(path), "-o", str(target)])
    assert to_file.exit_code == 0 and to_file.output == ""
    assert target.read_text(encoding="utf-8") == to_stdout.output
    assert json.loads(to_stdout.output)["journey"]["id"] == "skincare"


def test_export_is_byte_identical_across_runs(tmp_path):
    example = ROOT / "examples" / "skincare_clv.copis"
    runner = CliRunner()
    first = runner.invoke(main, ["export", str(example)])
    second = runner.invoke(main, ["export", str(example)])
    assert first.exit_code == 0 and first.output == second.output
    assert first.output.endswith("}\n")


def test_a_file_with_errors_prints_diagnostics_and_exits_1(tmp_path):
    path = write(tmp_path, 'journey j "J" {\n  flow a -> b\n}\n')
    target = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["export", str(path), "-o", str(target)])
    assert result.exit_code == 1
    assert "E201 error" in result.stderr and "1 file, 2 errors" in result.stderr
    assert result.stdout == "" and not target.exists()


def test_data_errors_stop_the_export_too(tmp_path):
    path = write(tmp_path, 'journey j "J" {\n  data s "missing.csv"\n  kpi n = count(s.x)\n}\n')
    result = CliRunner().invoke(main, ["export", str(path)])
    assert result.exit_code == 1 and "E400 error" in result.stderr and result.stdout == ""


def test_export_reads_each_data_file_once(tmp_path, monkeypatch):
    (tmp_path / "s.csv").write_text("score\n9\n10\n")
    path = write(tmp_path, 'journey j "J" {\n  data s "s.csv"\n  kpi nps = nps(s.score)\n}\n')
    calls = []
    real = loading.read
    monkeypatch.setattr(loading, "read", lambda p, w, **kw: calls.append(p) or real(p, w, **kw))
    result = CliRunner().invoke(main, ["export", str(path)])
    assert result.exit_code == 0 and len(calls) == 1
    assert json.loads(result.stdout)["kpis"][0]["value"] == 100


def test_root_option_lets_data_live_above_the_journey(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "s.csv").write_text("score\n9\n")
    (tmp_path / "j").mkdir()
    path = write(tmp_path / "j", 'journey j "J" {\n  data s "../shared/s.csv"\n  kpi n = count(s.score)\n}\n')
    runner = CliRunner()
    assert runner.invoke(main, ["export", str(path)]).exit_code == 1
    result = runner.invoke(main, ["export", str(path), "--root", str(tmp_path)])
    assert result.exit_code == 0 and json.loads(result.stdout)["kpis"][0]["value"] == 1


def test_unknown_format_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["export", str(write(tmp_path)), "--format", "xml"])
    assert result.exit_code == 2


GOLDEN = ROOT / "tests" / "golden" / "export"


@pytest.mark.parametrize("case", sorted(GOLDEN.glob("*.copis")), ids=lambda p: p.stem)
def test_export_golden(case: Path, update_golden: bool) -> None:
    """tests/golden/export/<case>.json is the export of <case>.copis
    (regenerate with `pytest --update-golden`), and it follows the schema."""
    from conftest import golden_compare

    result = check_file(case, case.name, data=False)
    assert result.ok, result.diagnostics
    figures, diags = enrich(result.model, case.parent)
    text = export_json(result.model, figures, result.diagnostics + diags)
    jsonschema.validate(json.loads(text), SCHEMA)
    golden_compare(case.with_suffix(".json"), text, update_golden)


def test_blueprint_lanes_after_defaults() -> None:
    doc = json.loads((GOLDEN / "blueprint.json").read_text(encoding="utf-8"))
    tps = {tp["id"]: tp for stage in doc["stages"] for tp in stage["touchpoints"]}
    assert tps["seat"]["support"] == ["Booking system"]  # the stage's, not merged with the journey's
    assert tps["order"]["support"] == ["Coffee machine telemetry"]  # its own replaces the stage's
    assert tps["pay"]["support"] == ["Point of sale", "Loyalty app"]  # the journey's
    assert (tps["seat"]["fail_point"], tps["order"]["fail_point"], tps["pay"]["fail_point"]) == \
        ("No table free at lunch", True, None)
    assert tps["review"]["evidence"] == tps["review"]["frontstage"] == tps["review"]["backstage"] == []
