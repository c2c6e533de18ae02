"""One local Parquet file (issue 14): DuckDB reads it when it reads its
columns as pandas does, with the figures pandas gives for the same rows as
CSV; otherwise pandas reads it as before, with its lenient conversions and
its row-numbered messages. Real files, real DuckDB."""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from copisdsl.api import check
from copisdsl.data import enrich, loading, sources
from copisdsl.data.engines import table as engine_table
from copisdsl.data.engines.base import kind_of
from copisdsl.data.sources import TableSource
from copisdsl.workflow.export.json_export import export_dict
from clv_logs import bgnbd_log

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROOT = Path(__file__).resolve().parents[3]

SHOP = """journey shop "Shop" {{
  data orders "{name}" {{ kind transactions }}
  clv {{ model bgnbd }}
  segment vip "VIP" when clv >= 40
  segment rest "Rest"
  kpi value = clv(orders)
  kpi rev = revenue(orders)
  kpi buyers = customers(orders)
  kpi n = orders(orders)
  kpi basket = aov(orders)
  kpi repeat = repeat_rate(orders)
  kpi often = purchase_frequency(orders)
  kpi gap = reorder_interval(orders)
  kpi churn = churn_rate(orders, 90d)
  kpi web = sum(orders.amount where channel == "web")
  kpi big = count(orders.amount where amount >= 50)
  kpi middle = median(orders.amount)
  kpi late = min(orders.amount where date >= 2024-06-01)
  kpi top = max(orders.amount)
  kpi mean_web = mean(orders.amount where channel != "store") by segment
  kpi buyers_by = customers(orders) by segment
  stage s "S" {{ touchpoint t "T" {{}} }}
}}
"""


def shop_log(times: bool) -> dict[str, list]:
    """A BG/NBD log with a channel, some refunds (W405) and, with ``times``,
    times of day. Amounts are quarters, whose sums are exact in any order:
    DuckDB and numpy add them in different orders, and the fits would
    amplify the last bits' difference."""
    log = bgnbd_log(customers=300)
    rng = np.random.default_rng(3)
    amount = np.round(log["amount"].to_numpy() * 4) / 4
    amount[rng.random(len(amount)) < 0.03] *= -1  # refunds: set aside, in the net revenue
    days = [dt.date.fromisoformat(d) for d in log["date"]]
    seconds = rng.integers(0, 86_400, len(days)) if times else np.zeros(len(days), dtype=int)
    return {"customer_id": list(log["customer_id"]),
            "date": [dt.datetime.combine(d, dt.time()) + dt.timedelta(seconds=int(s)) if times else d
                     for d, s in zip(days, seconds)],
            "amount": [float(a) for a in amount],
            "channel": [("web", "store", "app")[i % 3] for i in range(len(days))]}


def write_csv(path: Path, columns: dict[str, list]) -> None:
    names = list(columns)
    lines = [",".join(names)] + [",".join(str(v) for v in row) for row in zip(*columns.values())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def source(folder: Path, text: str) -> TableSource:
    result = check(text, "j.copis")
    assert result.ok, result.diagnostics
    return TableSource(result.model, folder, folder)


def figures(folder: Path, text: str):
    result = check(text, "j.copis")
    assert result.ok, result.diagnostics
    found, diagnostics = enrich(result.model, folder)
    return result.model, found, diagnostics


def read_by(folder: Path, text: str, data_id: str) -> str:
    """Which reader loaded ``data_id``: 'duckdb' or 'pandas' (None when neither could)."""
    loaded = source(folder, text)
    try:
        if data_id in loaded.engines:
            return "duckdb"
        return "pandas" if loaded.tables.get(data_id) is not None else None
    finally:
        loaded.close()


def same(got, want, where: str = "") -> None:
    """Equal, floats within 1e-9 relative."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), where
        for key in want:
            same(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"{where}[{i}]")
    elif isinstance(want, float) or isinstance(got, float):
        assert got is not None and want is not None, (where, got, want)
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), (where, got, want)
    else:
        assert got == want, (where, got, want)


def _export(folder: Path, name: str):
    model, found, diagnostics = figures(folder, SHOP.format(name=name))
    document = export_dict(model, found, diagnostics)
    for d in document["diagnostics"]:
        d.pop("end_column")  # at the data declaration, whose file names differ in length
    return document, found.clv.table


# ------------------------------------------------------------ the same figures

@pytest.fixture(params=["per customer", "per day"])
def shape(request, monkeypatch) -> str:
    """DuckDB's two shapes of the orders (``EngineTable._purchase_days``):
    one row per customer with lists, or, when the memory for the lists is
    short, one row per customer and day."""
    if request.param == "per day":
        monkeypatch.setattr(engine_table, "LIST_BYTES_PER_ORDER", 10 ** 18)
    return request.param


def pandas_reads_everything(monkeypatch) -> None:
    """Every local file to pandas: the gate refuses them all."""
    monkeypatch.setattr(sources, "_duckdb_reads_as_pandas", lambda *args: False)


@pytest.mark.parametrize("times", [False, True], ids=["DATE", "TIMESTAMP"])
def test_duckdb_gives_the_figures_pandas_gives_for_the_same_rows_as_csv(tmp_path, times, shape, monkeypatch):
    monkeypatch.setattr(sources, "DUCKDB_MIN_ROWS", 1)  # a small CSV to DuckDB too
    log = shop_log(times)
    write_csv(tmp_path / "orders.csv", log)
    date_type = pa.timestamp("us") if times else pa.date32()
    pq.write_table(pa.table({**log, "date": pa.array(log["date"], date_type)}), tmp_path / "orders.parquet")
    assert read_by(tmp_path, SHOP.format(name="orders.parquet"), "orders") == "duckdb"
    assert read_by(tmp_path, SHOP.format(name="orders.csv"), "orders") == "duckdb"  # pyarrow's rows
    by_duckdb, duckdb_customers = _export(tmp_path, "orders.parquet")
    by_csv, csv_customers = _export(tmp_path, "orders.csv")
    with monkeypatch.context() as patch:
        pandas_reads_everything(patch)
        assert read_by(tmp_path, SHOP.format(name="orders.csv"), "orders") == "pandas"
        by_pandas, pandas_customers = _export(tmp_path, "orders.csv")
    assert by_pandas["clv"]["params"] and by_pandas["kpis"][0]["value"] is not None
    assert [d["code"] for d in by_pandas["diagnostics"]] == ["W405"]  # the refunds
    for got, customers in ((by_duckdb, duckdb_customers), (by_csv, csv_customers)):
        same(got, by_pandas)
        assert list(customers.customer) == list(pandas_customers.customer)
        for name in ("orders", "revenue", "frequency", "recency", "T", "clv", "p_alive", "expected_spend"):
            np.testing.assert_allclose(getattr(customers, name), getattr(pandas_customers, name),
                                       rtol=1e-9, atol=1e-12, err_msg=name)


def test_the_summary_alone_is_summed_per_day_with_the_figures_the_lists_give(tmp_path, monkeypatch):
    """Without a reorder interval nothing but the summary reads the orders:
    DuckDB then sums them per customer and day, faster than collecting each
    customer's lists (0.7-0.9 s against 0.8-1.1 s on 2,000,000 orders), with
    the same figures."""
    from copisdsl.data.engines import duck

    log = shop_log(False)
    pq.write_table(pa.table({**log, "date": pa.array(log["date"], pa.date32())}), tmp_path / "orders.parquet")
    alone = SHOP.replace("  kpi gap = reorder_interval(orders)\n", "")
    queries: list[str] = []
    arrays = duck.DuckEngine.arrays
    monkeypatch.setattr(duck.DuckEngine, "arrays", lambda self, sql: queries.append(sql) or arrays(self, sql))

    def export(text: str):
        queries.clear()
        model, found, diagnostics = figures(tmp_path, text.format(name="orders.parquet"))
        (summary,) = [sql for sql in queries if "repeat_spend" in sql]
        document = export_dict(model, found, diagnostics)
        return document, found.clv.table, "ARG_MIN" in summary.upper()  # the first day's spend, per day

    with_gap, gap_customers, per_day = export(SHOP)
    assert not per_day  # the reorder interval reads the orders again: the lists, kept
    without, customers, per_day = export(alone)
    assert per_day
    assert [k["name"] for k in without["kpis"]] == [k["name"] for k in with_gap["kpis"] if k["name"] != "gap"]
    with_gap["kpis"] = [k for k in with_gap["kpis"] if k["name"] != "gap"]
    same(without, with_gap)
    for name in ("orders", "revenue", "frequency", "recency", "T", "clv", "p_alive", "expected_spend"):
        np.testing.assert_allclose(getattr(customers, name), getattr(gap_customers, name),
                                   rtol=1e-9, atol=1e-12, err_msg=name)


def test_integer_customer_ids_stay_distinct_on_duckdb(tmp_path):
    big = 2**62 + 1  # a float64 would merge it with 2**62
    pq.write_table(pa.table({"customer_id": pa.array([7, 7, big, big - 1], pa.int64()),
                             "date": pa.array([dt.date(2024, 1, d) for d in (1, 2, 3, 4)], pa.date32()),
                             "amount": [1.0, 2.0, 3.0, 4.0]}), tmp_path / "ids.parquet")
    text = ('journey j "J" {\n  data orders "ids.parquet" { kind transactions }\n'
            '  kpi n = customers(orders)\n  kpi o = orders(orders)\n}\n')
    assert read_by(tmp_path, text, "orders") == "duckdb"
    model, found, diagnostics = figures(tmp_path, text)
    assert diagnostics == []
    assert [found.kpis[k.index].value for k in model.kpis] == [3, 4]


def test_a_plain_parquet_file_is_read_by_duckdb(tmp_path):
    pq.write_table(pa.table({"stage": ["buy", "use", "buy"], "score": pa.array([9, 3, 10], pa.int32()),
                             "ok": [True, False, None]}), tmp_path / "s.parquet")
    text = ('journey j "J" {\n  data s "s.parquet"\n  kpi n = nps(s.score where stage == "buy")\n'
            '  kpi yes = count(s.ok where ok == "true")\n}\n')
    assert read_by(tmp_path, text, "s") == "duckdb"
    model, found, diagnostics = figures(tmp_path, text)
    assert diagnostics == [] and [found.kpis[k.index].value for k in model.kpis] == [100, 1]
    assert found.inputs == [str((tmp_path / "s.parquet").resolve())]


# ------------------------------------------------------------ what pandas reads instead

TX = 'journey j "J" {{\n  data orders "o.parquet" {{ kind transactions{extra} }}\n{kpis}\n}}\n'
ROWS = 3


def orders(**columns) -> "pa.Table":
    base = {"customer_id": ["a", "b", "a"],
            "date": pa.array([dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)], pa.date32()),
            "amount": [10.0, 20.0, 30.0]}
    return pa.table({**base, **columns})


PANDAS = {
    "text dates": orders(date=["2024-01-01", "2024-02-01", "2024-03-01"]),
    "zoned times": orders(date=pa.array([dt.datetime(2024, 1, 1, 0, 30)] * ROWS, pa.timestamp("us", "Europe/Paris"))),
    "text amounts": orders(amount=["10", "20", "30"]),
    "true/false amounts": orders(amount=[True, False, True]),
    "NaN amounts": orders(amount=pa.array([10.0, float("nan"), 30.0], pa.float64(), from_pandas=False)),
    "float customer IDs": orders(customer_id=[7.0, 8.0, 7.0]),
    "true/false customer IDs": orders(customer_id=[True, False, True]),
    "UTF-8 bytes": orders(customer_id=pa.array([b"a", b"b", b"a"], pa.binary())),
    "lists": orders(amount=pa.array([[1], [2], [3]])),
}


@pytest.mark.parametrize("case", sorted(PANDAS))
def test_what_duckdb_would_read_otherwise_goes_to_pandas(tmp_path, case):
    pq.write_table(PANDAS[case], tmp_path / "o.parquet")
    text = TX.format(extra="", kpis="  kpi rev = revenue(orders)\n  kpi n = customers(orders)")
    assert read_by(tmp_path, text, "orders") == "pandas"


def test_a_float_customer_id_of_a_file_a_kpi_by_segment_reads_goes_to_pandas(tmp_path):
    pq.write_table(orders(), tmp_path / "o.parquet")
    pq.write_table(pa.table({"customer_id": [7.0, 8.0], "score": [9, 3]}), tmp_path / "s.parquet")
    text = ('journey j "J" {\n  data orders "o.parquet" { kind transactions }\n  data s "s.parquet"\n'
            '  segment all "All"\n  kpi m = mean(s.score) by segment\n}\n')
    assert read_by(tmp_path, text, "s") == "pandas"  # "7" to pandas, "7.0" to DuckDB
    assert read_by(tmp_path, text.replace(" by segment", ""), "s") == "duckdb"  # no customer read then


def test_a_year_pandas_cannot_hold_goes_to_pandas_and_its_e402(tmp_path):
    pq.write_table(orders(date=pa.array([dt.date(2024, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 3, 1)])),
                   tmp_path / "o.parquet")
    text = TX.format(extra="", kpis="  kpi rev = revenue(orders)")
    assert read_by(tmp_path, text, "orders") == "pandas"
    _, _, diagnostics = figures(tmp_path, text)
    assert [d.code for d in diagnostics] == ["E402"] and "row 2 has '9999-12-31'" in diagnostics[0].message


def test_a_filter_comparing_text_with_a_number_goes_to_pandas(tmp_path):
    pq.write_table(pa.table({"score": ["9", "3", "10"]}), tmp_path / "s.parquet")
    text = 'journey j "J" {\n  data s "s.parquet"\n  kpi n = count(s.score where score >= 5)\n}\n'
    assert read_by(tmp_path, text, "s") == "pandas"
    model, found, diagnostics = figures(tmp_path, text)
    assert diagnostics == [] and found.kpis[model.kpis[0].index].value == 2  # pandas reads text numbers


def test_a_clv_holdout_goes_to_pandas(tmp_path):
    pq.write_table(orders(), tmp_path / "o.parquet")
    text = TX.format(extra="", kpis="  clv { model bgnbd  holdout 30d }\n  kpi value = clv(orders)")
    assert read_by(tmp_path, text, "orders") == "pandas"  # the holdout needs the orders themselves
    assert read_by(tmp_path, text.replace("  holdout 30d", ""), "orders") == "duckdb"


def test_a_broken_parquet_file_keeps_the_pandas_message(tmp_path):
    (tmp_path / "o.parquet").write_bytes(b"PAR1 this is not parquet")
    _, _, diagnostics = figures(tmp_path, TX.format(extra="", kpis="  kpi rev = revenue(orders)"))
    assert [d.code for d in diagnostics] == ["E400"]
    assert diagnostics[0].message.startswith("data file 'o.parquet': cannot read the file as PARQUET")


# ------------------------------------------------------------ pandas' size limit

def test_a_parquet_file_over_the_pandas_limit_is_duckdbs(tmp_path, monkeypatch):
    pq.write_table(orders(), tmp_path / "o.parquet")
    monkeypatch.setattr(loading, "MAX_DATA_BYTES", 64)  # the file is larger than that
    text = TX.format(extra="", kpis="  kpi rev = revenue(orders)")
    assert read_by(tmp_path, text, "orders") == "duckdb"
    model, found, diagnostics = figures(tmp_path, text)
    assert diagnostics == [] and found.kpis[model.kpis[0].index].value == 60
    # What pandas reads stays held to its limit.
    pq.write_table(PANDAS["text dates"], tmp_path / "o.parquet")
    _, _, diagnostics = figures(tmp_path, text)
    assert [d.code for d in diagnostics] == ["E400"] and "larger than" in diagnostics[0].message


# ------------------------------------------------------------ types

@pytest.mark.parametrize("type_name,kind", [
    ("BIGINT[]", "other"), ("STRUCT(a BIGINT)", "other"), ("MAP(VARCHAR, BIGINT)", "other"),
    ("INTERVAL", "other"), ("integer[]", "other"), ("array", "other"), ("struct", "other"),
    ("BIGINT", "number"), ("DECIMAL(10,2)", "number"), ("VARCHAR", "text"), ("BLOB", "binary"),
    ("TIMESTAMP WITH TIME ZONE", "date"), ("DATE", "date"), ("BOOLEAN", "bool"),
])
def test_kind_of_tells_lists_structs_and_intervals_from_numbers(type_name, kind):
    assert kind_of(type_name) == kind


# ------------------------------------------------------------ no pandas on DuckDB's path

# What `copis check` runs, in a process of its own; prints the CLV and whether pandas was imported.
DRIVER = ("import sys\nfrom copisdsl.api import check_file\nresult = check_file(sys.argv[1])\n"
          "print(result.figures.kpis[0].value is not None, 'pandas' in sys.modules)\n")


def _imports_pandas(folder: Path, name: str, text: str | None = None) -> bool:
    """Whether a check imports pandas (DuckDB taking one CSV file of any rows)."""
    (folder / "j.copis").write_text(text or SHOP.format(name=name), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COPIS_NO_FIGURES_CACHE": "1"}
    driver = "import copisdsl.data.sources as s\ns.DUCKDB_MIN_ROWS = 1\n" + DRIVER
    done = subprocess.run([sys.executable, "-c", driver, str(folder / "j.copis")], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    has_clv, pandas = done.stdout.split()
    assert has_clv == "True", done.stdout
    return pandas == "True"


def test_a_check_duckdb_reads_never_imports_pandas(tmp_path):
    log = shop_log(times=False)
    pq.write_table(pa.table({**log, "date": pa.array(log["date"], pa.date32())}), tmp_path / "orders.parquet")
    assert not _imports_pandas(tmp_path, "orders.parquet")
    write_csv(tmp_path / "orders.csv", log)
    assert not _imports_pandas(tmp_path, "orders.csv")  # pyarrow's rows, scanned by DuckDB
    log["amount"] = [f"{a:.2f}".replace(".", ",") for a in log["amount"]]  # decimal commas: text to pyarrow
    (tmp_path / "orders.csv").write_text("\n".join(["customer_id;date;amount;channel"] + [
        ";".join(str(v) for v in row) for row in zip(*log.values())]) + "\n", encoding="utf-8")
    semicolons = SHOP.format(name="orders.csv").replace("kind transactions", 'kind transactions  delimiter ";"')
    assert _imports_pandas(tmp_path, "orders.csv", semicolons)  # pandas parses them


def test_the_figures_of_a_parquet_file_are_the_same_bits_in_every_run(tmp_path, shape):
    # Cents, whose sums depend on the order of addition, in row groups that
    # DuckDB's threads add in whatever order they finish: a fit carries the
    # last bits to its 9th digit, so only identical sums give identical files.
    rng = np.random.default_rng(5)
    rows = 400_000
    start = np.datetime64("2023-01-01", "D")
    table = pa.table({"customer_id": [f"c{i:05d}" for i in rng.integers(0, 40_000, rows)],
                      "date": pa.array(start + rng.integers(0, 700, rows).astype("timedelta64[D]"), pa.date32()),
                      "amount": np.round(rng.gamma(2.0, 20.0, rows), 2)})
    pq.write_table(table, tmp_path / "cents.parquet", row_group_size=50_000)
    model = check(SHOP.format(name="cents.parquet").replace('kpi web = sum(orders.amount where channel == "web")\n',
                                                            ""), "j.copis").model
    runs = []
    for _ in range(3):
        source = TableSource(model, tmp_path, tmp_path)
        assert "orders" in source.engines
        tx = source.transactions_of("orders")
        assert tx is not None, source.diagnostics
        rfm = tx.rfm("day")
        runs.append(np.concatenate([rfm.monetary_value, rfm.revenue]))
        source.close()
    assert all(np.array_equal(runs[0], other) for other in runs[1:])


@pytest.mark.parametrize("reorder", [False, True])
def test_the_orders_per_day_are_kept_only_when_a_reorder_interval_reads_them_again(tmp_path, reorder, shape):
    pq.write_table(pa.table({"customer_id": ["a", "a", "b", "b", "b"],
                             "date": pa.array([dt.date(2024, 1, d) for d in (1, 9, 2, 2, 20)], pa.date32()),
                             "amount": [5.0, 7.0, 1.0, 2.0, 3.0]}), tmp_path / "o.parquet")
    text = SHOP.format(name="o.parquet")
    if not reorder:
        text = text.replace("  kpi gap = reorder_interval(orders)\n", "")
    text = text.replace('  kpi web = sum(orders.amount where channel == "web")\n', "")
    model = check(text, "j.copis").model
    source = TableSource(model, tmp_path, tmp_path)
    table = source.engines["orders"]
    summary = source.transactions_of("orders")
    kept = table.engine.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'copis_days'").fetchall()[0][0]
    assert kept == (1 if reorder else 0)
    if reorder:
        columns = {name for (name,) in table.engine.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'copis_days'").fetchall()}
        assert ("gaps" in columns) == (shape == "per customer") and ("d" in columns) == (shape == "per day")
    assert summary.repeat_spend.tolist() == [7.0, 3.0] and summary.purchase_days.tolist() == [2, 2]
    if reorder:
        assert summary.reorder_interval() == 13.0  # gaps 8 and 18
    source.close()


def test_the_spend_after_the_first_day_is_summed_not_subtracted_on_duckdb(tmp_path):
    # One row per customer sums the later days' amounts themselves, as pandas
    # does: the total less a huge first day would leave 0.0149999997.
    pq.write_table(pa.table({"customer_id": ["a", "a", "a"],
                             "date": pa.array([dt.date(2024, 1, d) for d in (1, 2, 3)], pa.date32()),
                             "amount": [12_345_678.90, 0.01, 0.02]}), tmp_path / "o.parquet")
    write_csv(tmp_path / "o.csv", {"customer_id": ["a", "a", "a"], "date": ["2024-01-01", "2024-01-02", "2024-01-03"],
                                   "amount": [12_345_678.90, 0.01, 0.02]})
    spends = []
    for name in ("o.parquet", "o.csv"):
        source = TableSource(check(SHOP.format(name=name).replace(
            '  kpi web = sum(orders.amount where channel == "web")\n', ""), "j.copis").model, tmp_path, tmp_path)
        spends.append(source.transactions_of("orders").rfm("day").monetary_value.tolist())
        source.close()
    assert spends == [[0.015], [0.015]]
