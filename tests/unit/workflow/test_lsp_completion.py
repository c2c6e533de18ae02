"""`copis lsp` end to end: completion by context."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lsprotocol import types as t

from copisdsl.language import FUNCTIONS
from lsp_support import change_text, client_fixture, doc, open_text, position_of, published

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

BASE = '''journey j "J" {
  data survey "survey.csv"
  data orders "orders.parquet" { kind transactions }
  data events "events.jsonl"
  segment vip "VIP" when clv >= 100
  segment rest "Rest"
  persona ann "Ann" {
    segment vip
  }
  kpi total = revenue(orders)
  stage buy "Buy" {
    kpi stage_kpi = 1
    touchpoint cart "Cart" {
      customer ann
      kpi cart_kpi = 2
      #HERE
    }
    touchpoint pay "Pay" {
      channel web
    }
  }
  stage after "After" {
    touchpoint mail "Mail" {
      kpi mail_kpi = 3
    }
  }
  flow cart -> pay
  #JOURNEY
}
'''


@pytest.fixture
def journey(tmp_path):
    (tmp_path / "survey.csv").write_text("response_id,score,stage\n1,9,buy\n")
    pq.write_table(pa.table({"customer_id": ["a"], "date": ["2024-01-01"], "amount": [3.0]}),
                   tmp_path / "orders.parquet")
    (tmp_path / "events.jsonl").write_text(json.dumps({"customer_id": "a", "touchpoint": "cart", "when": 1}) + "\n")
    path = tmp_path / "j.copis"
    path.write_text(BASE)
    return path


async def complete_at(client, path, marker: str, typed: str, version: int):
    """Replace ``marker`` by ``typed`` and complete at its end."""
    uri = path.as_uri()
    if version == 2:
        open_text(client, uri, BASE)
        await published(client, uri, version=1)
    text = BASE.replace(marker, typed)
    change_text(client, uri, text, version)
    pos = position_of(text, text[BASE.index(marker):], len(typed))
    result = await client.text_document_completion_async(t.CompletionParams(text_document=doc(uri), position=pos))
    return {item.label: item for item in result.items}


async def test_statement_keywords_are_those_allowed_in_the_block(client, journey):
    touchpoint = await complete_at(client, journey, "#HERE", "", 2)
    assert set(touchpoint) == {"owner", "description", "tags", "objective", "kpi", "channel", "emotion",
                               "moment_of_truth", "repurchase", "pain", "opportunity",
                               "evidence", "frontstage", "backstage", "support", "fail_point",
                               "customer", "process", "information", "service"}
    assert touchpoint["process"].kind == t.CompletionItemKind.Field
    assert touchpoint["process"].detail == "element: Process (service)"
    journey_level = await complete_at(client, journey, "#JOURNEY", "st", 3)
    assert set(journey_level) == {"framework", "owner", "description", "tags", "data", "clv", "segment",
                                  "persona", "stage", "objective", "kpi", "flow", "tradeoff", "support",
                                  "customer", "process", "information", "service"}
    assert journey_level["stage"].insert_text_format == t.InsertTextFormat.Snippet


async def test_clv_settings_in_a_clv_block(client, journey):
    """Every `clv { }` setting (language.CLV_SETTING_KEYS), holdout and interval too, and the models."""
    settings = await complete_at(client, journey, "#JOURNEY", "clv {\n    ", 2)
    assert set(settings) == {"margin", "discount", "horizon", "model", "unit", "holdout", "interval"}
    assert settings["holdout"].detail == "CLV setting"
    models = await complete_at(client, journey, "#JOURNEY", "clv {\n    model ", 3)
    assert {"historic", "bgnbd"} <= set(models)


async def test_ids_where_a_reference_stands(client, journey):
    flow = await complete_at(client, journey, "#JOURNEY", "flow cart -> ", 2)
    assert set(flow) == {"buy", "cart", "pay", "after", "mail"}
    assert flow["cart"].detail == "touchpoint: Cart (buy)"
    customer = await complete_at(client, journey, "#HERE", "customer ", 3)
    assert set(customer) == {"ann"}
    segment = await complete_at(client, journey, "    segment vip\n", "    segment ", 4)
    assert set(segment) == {"vip", "rest"}
    metric = await complete_at(client, journey, "#HERE", 'objective "More" increase ', 5)
    assert list(metric)[:3] == ["cart_kpi", "stage_kpi", "total"]  # nearest scope first
    assert "mail_kpi" in metric  # objectives may be measured anywhere in the journey


async def test_data_columns_from_the_header(client, journey):
    csv = await complete_at(client, journey, "#HERE", "kpi x = mean(survey.", 2)
    assert list(csv) == ["response_id", "score", "stage"]
    parquet = await complete_at(client, journey, "#HERE", "kpi x = sum(orders.", 3)
    assert list(parquet) == ["customer_id", "date", "amount"]
    jsonl = await complete_at(client, journey, "#HERE", "kpi x = count(events.", 4)
    assert list(jsonl) == ["customer_id", "touchpoint", "when"]
    where = await complete_at(client, journey, "#HERE", "kpi x = mean(survey.score where ", 5)
    assert list(where) == ["response_id", "score", "stage"]


async def test_functions_with_signatures_and_data_ids(client, journey):
    items = await complete_at(client, journey, "#HERE", "kpi x = ", 2)
    assert set(FUNCTIONS) <= set(items)
    assert items["churn_rate"].detail == "churn_rate(TX[, DURATION])"
    assert items["nps"].detail == "nps(DATA.COLUMN [where ...])"
    assert items["ratio"].detail == "ratio(a, b)"
    assert {"cart_kpi", "stage_kpi", "total", "survey", "orders"} <= set(items)
    assert "mail_kpi" not in items  # not visible from this touchpoint
    tx = await complete_at(client, journey, "#HERE", "kpi x = aov(", 3)
    assert list(tx) == ["orders", "survey", "events"]  # transactions first


async def test_nothing_inside_strings_and_comments(client, journey):
    assert await complete_at(client, journey, "#HERE", 'pain "st', 2) == {}
    assert await complete_at(client, journey, "#HERE", "# st", 3) == {}


async def test_kpi_clauses_after_the_expression(client, journey):
    after = await complete_at(client, journey, "#HERE", "kpi x = aov(orders) ", 2)
    assert {"by segment", "baseline"} <= set(after)
    assert after["by segment"].kind == t.CompletionItemKind.Keyword
    by = await complete_at(client, journey, "#HERE", "kpi x = aov(orders) by ", 3)
    assert set(by) == {"segment"}
    then = await complete_at(client, journey, "#HERE", "kpi x = aov(orders) by segment ", 4)
    assert "baseline" in then and "by segment" not in then
    inside = await complete_at(client, journey, "#HERE", "kpi x = ratio(total, ", 5)
    assert "by segment" not in inside and "baseline" not in inside  # not inside a call
    operator = await complete_at(client, journey, "#HERE", "kpi x = total + ", 6)
    assert "by segment" not in operator


async def test_clv_models_after_model(client, journey):
    from copisdsl.language import CLV_MODELS

    items = await complete_at(client, journey, "#JOURNEY", "clv { model ", 2)
    assert list(items) == list(CLV_MODELS) and "pareto" in items
