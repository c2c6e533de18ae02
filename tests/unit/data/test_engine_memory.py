"""A folder of Parquet parts read by DuckDB under a memory cap
(``COPIS_MEMORY_LIMIT``) a tenth of what its figures take without one:
the figures are those of an uncapped run, and what DuckDB spilled goes
to a private temporary folder that is gone afterwards, never to the
working directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pytest

from copisdsl.api import check_file
from copisdsl.data import enrich
from copisdsl.data.engines.duck import MEMORY_LIMIT, DuckEngine

#: 6,000,000 orders on 50,000 customers: about 5.7 million (customer, day)
#: groups; uncapped, the figures take DuckDB past 1 GB of memory (measured).
ORDERS, CUSTOMERS = 6_000_000, 50_000
CAP = "96MB"
JOURNEY = """journey shop "Shop" {
  data orders "orders" {
    kind transactions
    customer customer_id
    date order_date
    amount amount
  }
  clv {
    margin 30%
    model historic
  }
  segment high "High" when clv >= 3100
  segment low "Low" when clv < 2900
  segment rest "Rest"
  stage buy "Buy" {
    touchpoint shop "Shop" {
      kpi revenue = revenue(orders)
      kpi repeat = repeat_rate(orders)
      kpi interval = reorder_interval(orders)
      kpi big = count(orders.amount where amount >= 100)
      kpi value = clv(orders)
      kpi aov = aov(orders) by segment
    }
  }
}
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("capped")
    # Deterministic rows from a hash of the row number, in yearly partitions.
    duckdb.sql(f"""
        COPY (
          SELECT 'C' || lpad(CAST(i % {CUSTOMERS} AS VARCHAR), 7, '0') AS customer_id,
                 DATE '2022-01-01' + CAST(hash(i, 1) % 1095 AS INTEGER) AS order_date,
                 round(CAST(hash(i, 2) % 20000 AS DOUBLE) / 100, 2) AS amount,
                 year(DATE '2022-01-01' + CAST(hash(i, 1) % 1095 AS INTEGER)) AS year
          FROM range({ORDERS}) t(i)
        ) TO '{folder / "orders"}' (FORMAT parquet, PARTITION_BY (year))
    """)
    (folder / "shop.copis").write_text(JOURNEY, encoding="utf-8")
    return folder


def _figures(folder: Path) -> dict:
    result = check_file(folder / "shop.copis", data=False)
    assert not result.errors, result.diagnostics
    figures, diags = enrich(result.model, folder)
    assert not [d for d in diags if d.is_error], diags
    kpis = {k.name: k.value for k in figures.kpis.values()}
    kpis |= {f"{k.name} {segment}": value for k in figures.kpis.values() for segment, value in (k.by_segment or {}).items()}
    segments = [(s.id, s.customers) for s in figures.clv.segments]
    return {"kpis": kpis, "segments": segments, "mean_clv": figures.clv.mean_clv}


@pytest.fixture
def spills(tmp_path, monkeypatch) -> Path:
    """This test's own temporary folder, where the spill folders go."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_the_limit_and_spill_folder_are_the_engines(monkeypatch, spills):
    monkeypatch.setenv(MEMORY_LIMIT, "64MB")
    engine = DuckEngine()
    try:
        limit, spill = engine.con.sql(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
        assert os.stat(spill).st_mode & 0o777 == 0o700  # only this user's
    finally:
        engine.close()
    assert limit == "61.0 MiB"  # 64 MB in DuckDB's binary units
    assert Path(spill).parent == spills and Path(spill).name.startswith("copis-duckdb-")
    assert list(spills.iterdir()) == []  # removed at close


def test_the_memory_limit_in_bytes_is_duckdbs_setting(monkeypatch, spills):
    monkeypatch.setenv(MEMORY_LIMIT, "64MB")
    engine = DuckEngine()
    try:
        assert engine.memory_limit() == 61.0 * 2 ** 20
    finally:
        engine.close()
    monkeypatch.delenv(MEMORY_LIMIT)
    engine = DuckEngine()
    try:
        assert engine.memory_limit() > 64 * 2 ** 20  # 80 % of the machine
    finally:
        engine.close()


def test_engines_share_one_spill_folder_until_the_last_closes(spills):
    first, second = DuckEngine(), DuckEngine()
    folder = Path(first._spill)
    assert second._spill == first._spill and folder.is_dir()
    first.close()
    assert folder.is_dir()  # the other engine may still spill there
    second.close()
    assert not folder.exists() and list(spills.iterdir()) == []
    third = DuckEngine()
    try:
        assert Path(third._spill).is_dir() and third._spill != str(folder)  # a new folder, as new a name
    finally:
        third.close()


def test_an_engine_that_fails_leaves_no_spill_folder(shop, spills):
    broken = shop / "broken"
    broken.mkdir(exist_ok=True)
    (broken / "part.parquet").write_bytes(b"not parquet at all")
    (shop / "broken.copis").write_text('journey j "J" {\n  data t "broken" {\n    kind transactions\n'
                                       '    customer customer_id\n  }\n}\n', encoding="utf-8")
    result = check_file(shop / "broken.copis", data=False)
    _, diags = enrich(result.model, shop)
    assert [d.code for d in diags if d.is_error] == ["E400"]
    assert list(spills.iterdir()) == []


def test_a_bad_limit_is_e400_naming_the_variable(shop, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT, "plenty")
    result = check_file(shop / "shop.copis", data=False)
    _, diags = enrich(result.model, shop)
    errors = [d for d in diags if d.code == "E400"]
    assert errors and f"{MEMORY_LIMIT}='plenty'" in errors[0].message
    assert errors[0].span.line == 2


def test_figures_under_a_small_memory_cap_are_those_without_it(shop, monkeypatch, tmp_path, spills):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no figures cache in between
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(MEMORY_LIMIT, raising=False)
    free = _figures(shop)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache2"))
    monkeypatch.setenv(MEMORY_LIMIT, CAP)
    spilled = []
    close = DuckEngine.close

    def noting_close(engine):
        spilled.append(os.path.isdir(engine._spill) and any(os.scandir(engine._spill)))
        close(engine)

    monkeypatch.setattr(DuckEngine, "close", noting_close)
    capped = _figures(shop)
    assert spilled == [True]  # the cap was below what the figures take: DuckDB wrote to disk
    # DuckDB sums doubles in the order its threads and spills meet them:
    # equal to the last bits only by chance, so within 1e-9 relative.
    assert capped["segments"] == free["segments"]
    assert capped["kpis"] == pytest.approx(free["kpis"], rel=1e-9)
    assert capped["mean_clv"] == pytest.approx(free["mean_clv"], rel=1e-9)
    assert [count > 0 for _, count in free["segments"]] == [True, True, True], free["segments"]
    assert list(spills.iterdir()) == []  # the spill folders are gone
    assert not (tmp_path / ".tmp").exists() and not list(shop.glob(".tmp*"))
