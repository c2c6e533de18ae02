"""The same journey and data give the same figures on every engine: the
pandas reader of one file, DuckDB (a glob, a partitioned folder, a
duckdb:/// file), PostgreSQL and Spark Connect, the last two real servers
started by the tests (tests/servers.py), KPIs by segment (§12.1) included.
On PostgreSQL only aggregate rows come back (read from the server's
statement log and the rows fetched).

The event log (reference §12.2) is read by DuckDB from one CSV file for
the reference. Its equal dates are written in the journey's touchpoint
order, which is the order a database (a table has no row order) breaks
such ties in, so that every engine takes the same steps."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import pytest

from copisdsl.api import check_file

JOURNEY = """journey shop "Shop" {{
  data survey {survey}
  data orders {orders}
  data visits {events}
  stage aware "Aware" {{
    touchpoint ad "Ad" {{}}
    touchpoint search "Search" {{}}
  }}
  stage buy "Buy" {{
    touchpoint cart "Cart" {{}}
    touchpoint pay "Pay" {{}}
  }}
  stage after "After" {{
    touchpoint review "Review" {{}}
    touchpoint support "Support" {{}}
  }}
  flow aware -> buy
  flow cart -> pay -> after
  flow ad -> cart
  flow review -> support -> ad
  clv {{ margin 40%  horizon 2y }}
  segment vip "VIP" when clv >= 150
  segment regular "Regular" when orders >= 2 and recency <= 180d
  segment rest "Rest"
  kpi score_sum = sum(survey.score)
  kpi score_web = mean(survey.score where channel == "web")
  kpi score_median = median(survey.score where stage != "purchase" and score >= 3)
  kpi score_min = min(survey.score where visited >= 2024-03-01)
  kpi score_max = max(survey.score where channel == "store" or channel == "app")
  kpi answers = count(survey.answer)
  kpi promoters = nps(survey.score)
  kpi satisfied = csat(survey.answer where stage == "support")
  kpi web_share = ratio(count(survey.score where channel == "web"), count(survey.score))
  kpi revenue = revenue(orders)
  kpi buyers = customers(orders)
  kpi order_count = orders(orders)
  kpi basket = aov(orders)
  kpi repeat = repeat_rate(orders)
  kpi frequency = purchase_frequency(orders)
  kpi churn = churn_rate(orders, 90d)
  kpi kept = retention_rate(orders)
  kpi interval = reorder_interval(orders)
  kpi value = clv(orders)
  kpi big_orders = sum(orders.amount where amount > 60 and date < 2024-06-01)
  kpi seg_web = mean(survey.score where channel == "web") by segment
  kpi seg_median = median(survey.score) by segment
  kpi seg_nps = nps(survey.score) by segment
  kpi seg_answers = count(survey.answer) by segment
  kpi seg_basket = aov(orders) by segment
  kpi seg_interval = reorder_interval(orders) by segment
  kpi seg_value = clv(orders) by segment
  kpi seg_churn = churn_rate(orders, 90d) by segment
  kpi seg_revenue = revenue(orders) by segment
  kpi seg_mix = basket / score_web by segment
}}
"""


def _data():
    rng = random.Random(14)
    survey = []
    for _ in range(700):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(200))
        # customers c0400.. have no orders: they count only in the overall values
        survey.append({"customer_id": f"c{rng.randrange(450):04d}",
                       "score": rng.randrange(11) if rng.random() > 0.05 else None,
                       "answer": rng.randrange(1, 6), "channel": rng.choice(["web", "store", "app"]),
                       "stage": rng.choice(["aware", "purchase", "support"]), "visited": day})
    orders = []
    for _ in range(2500):
        customer = f"c{rng.randrange(400):04d}"
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(600))
        # refunds and free orders (amount <= 0) are not orders (reference §14): every engine sets them aside
        amount = round(rng.uniform(5, 120), 2) * rng.choice([1] * 16 + [0, -1])
        # a few IDs padded with blanks: every engine trims them (§14), " c0007" is c0007
        customer = rng.choice([customer] * 30 + [f" {customer}", f"{customer}  "])
        orders.append({"customer_id": customer, "date": day, "amount": amount})
    touchpoints = ["ad", "search", "cart", "pay", "review", "support"]
    events = []
    for _ in range(3000):
        # customers with and without orders; a few rows of no touchpoint of the journey (W407)
        customer = f"c{rng.randrange(460):04d}"
        when = dt.datetime(2024, 1, 1) + dt.timedelta(days=rng.randrange(120))  # many equal dates
        touchpoint = rng.choice(touchpoints * 10 + ["chekout"])
        events.append({"customer_id": customer, "touchpoint": touchpoint, "date": when})
    rank = {t: i for i, t in enumerate(touchpoints)}
    events.sort(key=lambda r: (r["date"], rank.get(r["touchpoint"], -1)))
    return survey, orders, events


SURVEY, ORDERS, EVENTS = _data()
COLUMNS = {"survey": ["customer_id", "score", "answer", "channel", "stage", "visited"], "orders": ["customer_id", "date", "amount"],
           "events": ["customer_id", "touchpoint", "date"]}


def _write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    lines = [",".join(columns)]
    for r in rows:
        lines.append(",".join("" if r[c] is None else str(r[c]) for c in columns))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _arrow(rows: list[dict], columns: list[str]):
    import pyarrow as pa

    return pa.table({c: [r[c] for r in rows] for c in columns})


def figures(folder: Path, survey: str, orders: str, events: str) -> dict:
    journey = folder / "shop.copis"
    journey.write_text(JOURNEY.format(survey=survey, orders=orders, events=events), encoding="utf-8")
    result = check_file(journey, figures=True)
    assert not result.errors, [d.message for d in result.diagnostics]
    assert [d.code for d in result.diagnostics if d.code == "W407"] == ["W407"]
    kpis = {v.name: v.value for v in result.figures.kpis.values()}
    for v in result.figures.kpis.values():
        for segment, value in (v.by_segment or {}).items():
            kpis[f"{v.name}[{segment}]"] = value
    clv = result.figures.clv
    kpis["mean_clv"] = clv.mean_clv
    for s in clv.segments:
        kpis[f"{s.id}_customers"] = s.customers
        kpis[f"{s.id}_clv"] = s.clv_total
        kpis[f"{s.id}_revenue"] = s.revenue
    for tp, reach in result.figures.reach.items():
        kpis[f"{tp}_reach"], kpis[f"{tp}_share"] = reach.customers, reach.share
        kpis[f"{tp}_at_stake"] = reach.value_at_stake
        kpis.update({f"{tp}_{seg}": n for seg, n in reach.segments.items()})
    for i, (flow, volume) in enumerate(zip(result.model.flows, result.figures.flow_volumes)):
        kpis[f"flow{i}_{flow.source}_{flow.target}"] = volume.customers
        kpis[f"flow{i}_conversion"], kpis[f"flow{i}_days"] = volume.conversion, volume.median_days
    return kpis


def same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] is not None, key
        assert math.isclose(a[key], b[key], rel_tol=1e-9, abs_tol=1e-9), (key, a[key], b[key])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The data as one CSV each (the reference: pandas), and as Parquet."""
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("engines")
    _write_csv(folder / "survey.csv", SURVEY, COLUMNS["survey"])
    _write_csv(folder / "orders.csv", ORDERS, COLUMNS["orders"])
    parts = folder / "orders_parts"
    for year in (2023, 2024):
        (parts / f"year={year}").mkdir(parents=True)
        rows = [r for r in ORDERS if r["date"].year == year]
        half = len(rows) // 2
        pq.write_table(_arrow(rows[:half], COLUMNS["orders"]), parts / f"year={year}" / "part-0.parquet")
        pq.write_table(_arrow(rows[half:], COLUMNS["orders"]), parts / f"year={year}" / "part-1.parquet")
    (folder / "survey_parts").mkdir()
    pq.write_table(_arrow(SURVEY[:300], COLUMNS["survey"]), folder / "survey_parts" / "a.parquet")
    pq.write_table(_arrow(SURVEY[300:], COLUMNS["survey"]), folder / "survey_parts" / "b.parquet")
    _write_csv(folder / "events.csv", EVENTS, COLUMNS["events"])
    for month in (1, 2, 3, 4):
        (folder / "events_parts" / f"month={month}").mkdir(parents=True)
        rows = [r for r in EVENTS if r["date"].month == month]
        pq.write_table(_arrow(rows, COLUMNS["events"]), folder / "events_parts" / f"month={month}" / "e.parquet")
    reference = figures(folder, '"survey.csv"', '"orders.csv" { kind transactions }',
                        '"events.csv" { kind events }')
    return folder, reference


def test_the_event_log_has_figures_to_compare(files):
    _, reference = files
    assert reference["ad_reach"] > 100 and 0 < reference["ad_share"] < 1
    assert reference["ad_vip"] > 0 and reference["ad_at_stake"] > 0
    assert all(reference[f"flow{i}_{k}"] for i in range(6) for k in ("conversion", "days")
               if f"flow{i}_conversion" in reference)


def test_duckdb_glob_folder_and_database_file_agree_with_one_file(files):
    import duckdb

    folder, reference = files
    assert {"seg_basket[vip]", "seg_web[regular]", "seg_mix[rest]"} <= reference.keys()
    same(figures(folder, '"survey_parts/*.parquet"', '"orders_parts" { kind transactions }',
                 '"events_parts" { kind events }'), reference)
    con = duckdb.connect(str(folder / "shop.duckdb"))
    con.execute(f"CREATE TABLE orders AS SELECT * FROM read_parquet('{folder}/orders_parts/**/*.parquet')")
    con.execute(f"CREATE TABLE survey AS SELECT * FROM read_parquet('{folder}/survey_parts/*.parquet')")
    con.execute(f"CREATE TABLE events AS SELECT * FROM read_parquet('{folder}/events_parts/**/*.parquet')")
    con.close()
    same(figures(folder, '"duckdb:///shop.duckdb" { table "survey" }',
                 '"duckdb:///shop.duckdb" { kind transactions; query "SELECT * FROM orders" }',
                 '"duckdb:///shop.duckdb" { kind events; table "events" }'), reference)


@pytest.fixture(scope="module")
def pg_shop(postgres, monkeypatch_module):
    import psycopg

    for key, value in postgres.env().items():
        monkeypatch_module.setenv(key, value)
    monkeypatch_module.setenv("COPIS_TEST_PGPORT", str(postgres.port))
    with psycopg.connect(postgres.url) as con:
        con.execute("CREATE TABLE survey (customer_id text, score integer, answer integer, channel text, stage text, visited date)")
        con.execute("CREATE TABLE orders (customer_id text, date date, amount double precision)")
        con.execute("CREATE TABLE events (customer_id text, touchpoint text, date timestamp)")
        with con.cursor() as cur:
            with cur.copy("COPY survey FROM STDIN") as copy:
                for r in SURVEY:
                    copy.write_row([r[c] for c in COLUMNS["survey"]])
            with cur.copy("COPY orders FROM STDIN") as copy:
                for r in ORDERS:
                    copy.write_row([r[c] for c in COLUMNS["orders"]])
            with cur.copy("COPY events FROM STDIN") as copy:
                for r in EVENTS:
                    copy.write_row([r[c] for c in COLUMNS["events"]])
    return postgres


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.mark.postgres
def test_postgres_gives_the_same_figures_and_only_aggregate_rows(files, pg_shop):
    folder, reference = files
    url = "postgresql://127.0.0.1:${COPIS_TEST_PGPORT}/shop"
    before = len(pg_shop.statements())
    # A '%' of the query's own beside the customers sent as parameters (value at stake)
    got = figures(folder, f'"{url}" {{ table "survey" }}', f'"{url}" {{ kind transactions; table "public.orders" }}',
                  f'"{url}" {{ kind events; query "SELECT * FROM events WHERE touchpoint LIKE \'%\'" }}')
    same(got, reference)
    log = pg_shop.statements()[before:]
    statements = [line.split("statement: ", 1)[1] for line in log.splitlines() if "statement: " in line]
    reads = [s for s in statements if "FROM" in s.upper()]
    assert reads, log[-2000:]
    for sql in reads:
        # every read aggregates (or only asks for the schema): never a plain fetch of the table
        assert any(w in sql.upper() for w in ("COUNT(", "SUM(", "AVG(", "MIN(", "MAX(", "PERCENTILE_CONT",
                                                "LIMIT 0", "DISTINCT")), sql
        assert not sql.upper().startswith('SELECT * FROM "SURVEY"') and "SELECT * FROM orders" not in sql
    assert any("GROUP BY" in s.upper() for s in reads)  # the per-customer summary ran on the server


@pytest.mark.postgres
def test_postgres_fetches_one_row_per_customer_not_per_order(files, pg_shop, monkeypatch):
    from copisdsl.data.engines import postgres as pg

    fetched = []
    original = pg.PostgresEngine.fetch

    def counting(self, sql):
        names, rows = original(self, sql)
        fetched.append(len(rows))
        return names, rows

    monkeypatch.setattr(pg.PostgresEngine, "fetch", counting)
    folder, reference = files
    url = "postgresql://127.0.0.1:${COPIS_TEST_PGPORT}/shop"
    figures(folder, f'"{url}" {{ table "survey" }}', f'"{url}" {{ kind transactions; table "orders" }}',
            f'"{url}" {{ kind events; table "events" }}')
    customers = len({r["customer_id"].strip() for r in ORDERS})
    assert max(fetched) == customers  # the summary; every other query is one row (or a few values)
    assert sum(fetched) < len(ORDERS) / 2
    assert sum(fetched) < len(EVENTS) / 2  # the event log's figures: rows per touchpoint and flow edge


@pytest.mark.postgres
def test_postgres_runs_read_only(files, pg_shop):
    folder, _ = files
    url = "postgresql://127.0.0.1:${COPIS_TEST_PGPORT}/shop"
    journey = folder / "write.copis"
    journey.write_text('journey j "J" {\n  data t "' + url + '" { query "SELECT 1 AS n FROM pg_sleep(0)" }\n'
                       '  kpi n = count(t.n)\n}\n')
    assert not check_file(journey).errors
    for query in ("DELETE FROM orders RETURNING amount", "SELECT * INTO copy_of_orders FROM orders"):
        journey.write_text('journey j "J" {\n  data t "' + url + '" { query "' + query + '" }\n'
                           '  kpi n = count(t.amount)\n}\n')
        result = check_file(journey)
        assert [d.code for d in result.errors] == ["E400"], result.diagnostics  # refused as the engine would
    import psycopg

    with psycopg.connect(pg_shop.url) as con:
        assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == len(ORDERS)


@pytest.mark.spark
@pytest.mark.slow
def test_spark_gives_the_same_figures(files, spark):
    from pyspark.sql import SparkSession

    folder, reference = files
    session = SparkSession.builder.remote(spark.url).getOrCreate()
    session.sql(f"CREATE TABLE IF NOT EXISTS orders USING parquet LOCATION '{folder}/orders_parts'")
    session.sql("MSCK REPAIR TABLE orders")  # register the year=... partitions
    session.sql(f"CREATE TABLE IF NOT EXISTS survey USING parquet LOCATION '{folder}/survey_parts'")
    session.sql(f"CREATE TABLE IF NOT EXISTS events USING parquet LOCATION '{folder}/events_parts'")
    session.sql("MSCK REPAIR TABLE events")
    got = figures(folder, f'"{spark.url}" {{ table "survey" }}',
                  f'"{spark.url}" {{ kind transactions; query "SELECT customer_id, date, amount FROM orders" }}',
                  f'"{spark.url}" {{ kind events; table "events" }}')
    same(got, reference)
