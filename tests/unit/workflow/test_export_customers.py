"""`copis export FILE --customers OUT.csv|OUT.parquet` (reference §14): one
row per customer sorted by ID, the same bytes twice, the Parquet file equal
to the CSV, empty model columns for the historic CLV."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "data"))
from clv_logs import bgnbd_log, write_journey  # noqa: E402

from copisdsl.data import clv  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
COLUMNS = ["customer", "segment", "orders", "revenue", "frequency", "recency", "T", "monetary", "p_alive",
           "expected_purchases", "expected_spend", "clv"]


def copis(*args, cwd):
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "copisdsl", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    frame = bgnbd_log(customers=600, seed=5)
    # IDs whose text order differs from any numeric order, and a refund
    extra = pd.DataFrame({"customer_id": ["007", "7", "10"], "date": ["2024-02-01"] * 3, "amount": [5.0, 6.0, 7.0]})
    refund = pd.DataFrame({"customer_id": ["7", "only_refunds"], "date": ["2024-03-01"] * 2,
                           "amount": [-2.0, -3.5]})
    return pd.concat([frame, extra, refund], ignore_index=True)


def test_csv_rows_sorted_byte_identical_and_matching_the_model(tmp_path, log):
    path = write_journey(tmp_path, log, "model bgnbd  margin 30%")
    first = copis("export", path.name, "-o", "out.json", "--customers", "c1.csv", cwd=tmp_path)
    second = copis("export", path.name, "-o", "-", "--customers", "c2.csv", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    data = (tmp_path / "c1.csv").read_bytes()
    assert data == (tmp_path / "c2.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows[0]) == COLUMNS
    ids = [r["customer"] for r in rows]
    assert ids == sorted(set(log["customer_id"]))  # one row each, text order: "007" < "10" < "7" < "C..."
    assert ids[:3] == ["007", "10", "7"]
    seven = next(r for r in rows if r["customer"] == "7")
    assert (seven["orders"], seven["revenue"], seven["frequency"]) == ("1", "4", "0")  # the refund is net only
    # an ID with rows but no order: a row of its own, 0 orders, its net, no other figure
    other = next(r for r in rows if r["customer"] == "only_refunds")
    assert (other["orders"], other["revenue"], other["segment"]) == ("0", "-3.5", "")
    assert all(other[c] == "" for c in COLUMNS[4:])
    # the model columns against the library computed here
    orders = log[log["amount"] > 0]
    rfm = clv.rfm_summary(orders["customer_id"].to_numpy(), pd.to_datetime(orders["date"]).to_numpy(),
                          orders["amount"].to_numpy())
    bg = clv.fit_bgnbd(rfm.frequency, rfm.recency, rfm.T)
    alive = dict(zip(rfm.customer, clv.bgnbd_probability_alive(bg, rfm.frequency, rfm.recency, rfm.T)))
    for row in rows[::37]:
        assert float(row["p_alive"]) == pytest.approx(alive[row["customer"]], rel=1e-9)
    value = pd.Series({r["customer"]: float(r["clv"]) for r in rows if r["clv"]})
    exported = json.loads((tmp_path / "out.json").read_text())["clv"]
    assert value.mean() == pytest.approx(exported["mean_clv"], rel=1e-9)
    assert len(rows) == sum(seg["customers"] for seg in exported["segments"]) + 1  # + only_refunds
    vip = [r for r in rows if r["segment"] == "vip"]
    assert len(vip) == exported["segments"][0]["customers"]
    assert all(float(r["clv"]) >= 40 for r in vip)


def test_parquet_equals_the_csv_and_repeats(tmp_path, log):
    path = write_journey(tmp_path, log, "model bgnbd")
    for name in ("a.parquet", "b.parquet", "c.csv"):
        result = copis("export", path.name, "-o", os.devnull, "--customers", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.column_names == COLUMNS
    assert str(table.schema.field("orders").type) == "int64"
    frame = table.to_pandas()
    text = pd.read_csv(tmp_path / "c.csv", dtype={"customer": str})
    assert frame["customer"].tolist() == text["customer"].tolist()
    for name in COLUMNS[2:]:
        assert np.allclose(frame[name].to_numpy(float), text[name].to_numpy(float), rtol=1e-11, equal_nan=True)


def test_historic_leaves_the_model_columns_empty(tmp_path, log):
    path = write_journey(tmp_path, log, "model historic")
    result = copis("export", path.name, "-o", os.devnull, "--customers", "h.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(open(tmp_path / "h.csv", encoding="utf-8")))
    assert all(r["p_alive"] == r["expected_purchases"] == r["expected_spend"] == "" for r in rows)
    assert all(r["clv"] != "" and math.isfinite(float(r["clv"])) for r in rows if r["orders"] != "0")


@pytest.mark.parametrize("target,message", [
    ("out.txt", "written as .csv or .parquet"),
    ("orders.csv", "is a data file the journey reads"),
])
def test_usage_errors(tmp_path, log, target, message):
    path = write_journey(tmp_path, log, "model historic")
    before = (tmp_path / "orders.csv").read_bytes()
    result = copis("export", path.name, "-o", os.devnull, "--customers", target, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "orders.csv").read_bytes() == before


def test_a_journey_without_transactions_has_no_table(tmp_path):
    (tmp_path / "j.copis").write_text('journey j "J" {\n  kpi a = 1\n}\n', encoding="utf-8")
    result = copis("export", "j.copis", "-o", os.devnull, "--customers", "c.csv", cwd=tmp_path)
    assert result.returncode == 1 and "no customer table" in result.stderr
    assert not (tmp_path / "c.csv").exists()


CDNOW = os.path.join(ROOT, "tests", "fixtures", "cdnow", "CDNOW_sample.txt")


@pytest.mark.skipif(not os.path.exists(CDNOW), reason="the CDNOW sample is not committed on this branch")
def test_cdnow_sample_has_2357_sorted_rows_byte_identical_twice(tmp_path):
    """Reference §14 on the CDNOW sample (tests/fixtures/cdnow): the master
    IDs as text, every row (its eight zero amounts are set aside, W405)."""
    frame = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype=str,
                        names=["customer_id", "sample_id", "date", "cds", "amount"])
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    path = write_journey(tmp_path, frame[["customer_id", "date", "amount"]], "model bgnbd  unit week")
    for name in ("a.csv", "b.csv"):
        result = copis("export", path.name, "-o", os.devnull, "--customers", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    data = (tmp_path / "a.csv").read_bytes()
    assert data == (tmp_path / "b.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(rows) == 2357
    assert [r["customer"] for r in rows] == sorted(set(frame["customer_id"]))
    assert sum(int(r["orders"]) for r in rows) == int((frame["amount"].astype(float) > 0).sum())


@pytest.mark.skipif(not os.path.exists(CDNOW), reason="the CDNOW sample is not committed on this branch")
def test_pareto_on_cdnow_has_predictions_holdout_and_intervals(tmp_path):
    """`model pareto` carries everything the BG/NBD does: the per-customer
    predictions, the holdout comparison, the intervals and the fit."""
    frame = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype=str,
                        names=["customer_id", "sample_id", "date", "cds", "amount"])
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    path = write_journey(tmp_path, frame[["customer_id", "date", "amount"]],
                         "model pareto  unit week  holdout 26w  interval 90%")
    result = copis("export", path.name, "-o", "out.json", "--customers", "c.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    figures = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["clv"]
    assert figures["model"] == "pareto" and set(figures["params"]) == {"r", "alpha", "s", "beta", "p", "q", "v"}
    assert figures["fit"]["converged"] is True
    assert set(figures["fit"]["standard_errors"]) == set(figures["params"])
    low, high = figures["mean_clv_interval"]
    assert low < figures["mean_clv"] < high
    holdout = figures["holdout"]
    assert holdout["days"] == 182 and holdout["customers"] > 0 and holdout["predicted"] > 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    alive = [float(r["p_alive"]) for r in rows if r["p_alive"]]
    assert len(alive) == 2349 and all(0.0 <= p <= 1.0 for p in alive)  # the 8 zero-amount-only IDs have none
    assert all(r["expected_purchases"] and r["clv"] for r in rows if r["p_alive"])


def test_customer_ids_as_text_golden(tmp_path, update_golden):
    """tests/golden/export/customer_ids.customers.csv is the customer table
    of customer_ids.copis (007 and 7 apart, two 20-digit IDs apart, 1e3 not
    1000, " 7 " trimmed to 7; regenerate with `pytest --update-golden`)."""
    from conftest import golden_compare

    case = os.path.join(ROOT, "tests", "golden", "export", "customer_ids.copis")
    result = copis("export", case, "-o", os.devnull, "--customers", str(tmp_path / "c.csv"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    golden = Path(ROOT, "tests", "golden", "export", "customer_ids.customers.csv")
    golden_compare(golden, (tmp_path / "c.csv").read_text(encoding="utf-8"), update_golden)


@pytest.mark.parametrize("model", ["historic", "bgnbd"])
def test_transactions_without_an_order_still_list_their_ids(tmp_path, model):
    """Reference §14: rows whose amounts are all <= 0 are no orders, yet
    their IDs have a row (0 orders, the net revenue, nothing else), also
    when no one has an order: the table is those rows, not an exit 1."""
    (tmp_path / "refunds.csv").write_text("customer_id,date,amount\n7,2024-01-02,-3\n007,2024-01-01,0\n",
                                          encoding="utf-8")
    (tmp_path / "j.copis").write_text(
        f'journey j "J" {{\n  data o "refunds.csv" {{ kind transactions }}\n  clv {{ model {model} }}\n}}\n',
        encoding="utf-8")
    result = copis("export", "j.copis", "-o", "out.json", "--customers", "c.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(open(tmp_path / "c.csv", encoding="utf-8")))
    assert [(r["customer"], r["segment"], r["orders"], r["revenue"]) for r in rows] == [
        ("007", "", "0", "0"), ("7", "", "0", "-3")]
    assert all(r[c] == "" for r in rows for c in COLUMNS[4:])
    assert json.loads((tmp_path / "out.json").read_text())["clv"]["mean_clv"] is None
