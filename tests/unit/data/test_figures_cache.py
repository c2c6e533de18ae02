"""The figures cache (copisdsl.data.cache): an unchanged journey over
unchanged data reuses the figures without reading the data; a changed file
(even with the same size and modification time), a changed setting or a
moved statement never reuses stale ones; databases are never cached."""

from __future__ import annotations

import os

import pytest
from clv_logs import bgnbd_log, write_journey

from copisdsl.api import check_file
from copisdsl.data import cache, enrich, loading
from copisdsl.workflow.export.customers import customers_csv


@pytest.fixture
def cached(tmp_path, monkeypatch):
    """The cache on, in a folder of the test's own."""
    monkeypatch.setenv("COPIS_NO_FIGURES_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "copisdsl" / "figures"


@pytest.fixture
def reads(monkeypatch):
    """How many times a data file is read."""
    count = []
    original = loading.read

    def counting(*args, **kwargs):
        count.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(loading, "read", counting)
    return count


def figures_of(path):
    result = check_file(path, path.name, data=False)
    return enrich(result.model, path.parent)


def test_an_unchanged_journey_reuses_its_figures(tmp_path, cached, reads):
    path = write_journey(tmp_path, bgnbd_log(customers=300, seed=2), "model bgnbd  interval 80%")
    first, diags = figures_of(path)
    assert len(reads) == 1 and len(list(cached.glob("*.pickle"))) == 1
    again, diags_again = figures_of(path)
    assert len(reads) == 1  # not read again
    assert again == first and diags_again == diags
    assert again.clv.mean_clv_interval == first.clv.mean_clv_interval
    assert customers_csv(again.clv.table) == customers_csv(first.clv.table)


@pytest.mark.parametrize("library", ["duckdb", "sqlglot", "numpy"])
def test_another_version_of_a_figures_library_is_recomputed(tmp_path, cached, reads, monkeypatch, library):
    """DuckDB and SQLGlot compute figures too: a new version of either (a
    summation order, a query it writes) never serves the old one's figures."""
    import importlib.metadata

    path = write_journey(tmp_path, bgnbd_log(customers=300, seed=2), "model bgnbd")
    figures_of(path)
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.0-other" if name == library else real(name))
    cache._code_digest.cache_clear()
    try:
        figures_of(path)
    finally:
        cache._code_digest.cache_clear()
    assert len(reads) == 2 and len(list(cached.glob("*.pickle"))) == 2


def test_same_size_and_mtime_but_other_content_is_recomputed(tmp_path, cached, reads):
    path = write_journey(tmp_path, bgnbd_log(customers=300, seed=2), "model bgnbd")
    first, _ = figures_of(path)
    data = tmp_path / "orders.csv"
    before = os.stat(data)
    text = data.read_text(encoding="utf-8")
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    head, amount = last.rsplit(",", 1)
    changed = head + "," + amount.translate(str.maketrans("0123456789", "1234567891"))  # same length
    data.write_text(text.replace(last, changed), encoding="utf-8")
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(data)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    second, _ = figures_of(path)
    assert len(reads) == 2
    assert second.clv.segments[0].revenue != first.clv.segments[0].revenue


@pytest.mark.parametrize("edit", [
    ("model bgnbd", "model bgnbd  margin 50%"),  # a CLV setting
    ("when clv >= 40", "when clv >= 41"),  # a segment
    ("kpi value = clv(orders)", "kpi value = revenue(orders)"),  # a KPI
    ('journey shop "Shop" {', '\njourney shop "Shop" {'),  # positions the diagnostics point at
])
def test_a_changed_statement_is_recomputed(tmp_path, cached, reads, edit):
    path = write_journey(tmp_path, bgnbd_log(customers=300, seed=2), "model bgnbd")
    figures_of(path)
    path.write_text(path.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    figures_of(path)
    assert len(reads) == 2


def test_a_title_edit_reuses_the_figures(tmp_path, cached, reads):
    path = write_journey(tmp_path, bgnbd_log(customers=300, seed=2), "model bgnbd")
    figures_of(path)
    path.write_text(path.read_text(encoding="utf-8").replace('"Shop"', '"The shop"'), encoding="utf-8")
    figures_of(path)
    assert len(reads) == 1


def test_the_key_is_stable_across_processes(tmp_path, cached):
    import subprocess
    import sys

    path = write_journey(tmp_path, bgnbd_log(customers=50, seed=2), "model bgnbd")
    program = ("import sys; from pathlib import Path; from copisdsl.api import check_file; "
               "from copisdsl.data import cache; p = Path(sys.argv[1]); m = check_file(p, p.name, data=False).model; "
               "print(cache.figures_key(m, p.parent, p.parent))")
    keys = {subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout for seed in ("1", "2")}
    assert len(keys) == 1 and len(keys.pop().strip()) == 40


def test_no_cache_for_databases_or_when_turned_off(tmp_path, cached, monkeypatch):
    (tmp_path / "j.copis").write_text(
        'journey j "J" {\n  data orders "postgresql://localhost/shop" { kind transactions  table "orders" }\n'
        '  kpi n = orders(orders)\n}\n', encoding="utf-8")
    result = check_file(tmp_path / "j.copis", "j.copis", data=False)
    assert cache.figures_key(result.model, tmp_path, tmp_path) is None
    path = write_journey(tmp_path, bgnbd_log(customers=50, seed=2), "model historic")
    model = check_file(path, path.name, data=False).model
    assert cache.figures_key(model, tmp_path, tmp_path) is not None
    monkeypatch.setenv("COPIS_NO_FIGURES_CACHE", "1")
    assert cache.figures_key(model, tmp_path, tmp_path) is None


def test_a_broken_entry_is_recomputed(tmp_path, cached, reads):
    path = write_journey(tmp_path, bgnbd_log(customers=100, seed=2), "model historic")
    first, _ = figures_of(path)
    (entry,) = cached.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    second, _ = figures_of(path)
    assert len(reads) == 2 and second == first


def test_an_entry_others_could_write_is_not_read(tmp_path, cached, reads):
    path = write_journey(tmp_path, bgnbd_log(customers=100, seed=2), "model historic")
    figures_of(path)
    (entry,) = cached.glob("*.pickle")
    assert entry.stat().st_mode & 0o777 == 0o600
    entry.chmod(0o666)
    figures_of(path)
    assert len(reads) == 2


def test_an_event_logs_figures_follow_its_touchpoints_and_flows(tmp_path, cached):
    """An event log's figures are per touchpoint and flow edge: a flow or a
    touchpoint added over the same log is recomputed (a stale entry once
    gave a flow without its volume, and the export failed)."""
    (tmp_path / "events.csv").write_text(
        "customer_id,touchpoint,date\nc1,ad,2024-01-01\nc1,cart,2024-01-02\nc2,ad,2024-01-01\n"
        "c2,pay,2024-01-05\n", encoding="utf-8")
    path = tmp_path / "shop.copis"
    text = ('journey shop "Shop" {\n  data visits "events.csv" { kind events }\n'
            '  stage s "S" {\n    touchpoint ad "Ad" {}\n    touchpoint cart "Cart" {}\n'
            '    touchpoint pay "Pay" {}\n  }\n  flow ad -> cart\n}\n')
    path.write_text(text, encoding="utf-8")
    first, _ = figures_of(path)
    assert len(first.flow_volumes) == 1 and first.flow_volumes[0].customers == 1
    path.write_text(text.replace("  flow ad -> cart\n", "  flow ad -> cart\n  flow ad -> pay\n"), encoding="utf-8")
    second, _ = figures_of(path)
    assert [v.customers for v in second.flow_volumes] == [1, 1]
    path.write_text(text.replace('    touchpoint pay "Pay" {}\n', '    touchpoint pay "Pay" {}\n'
                                 '    touchpoint help "Help" {}\n'), encoding="utf-8")
    third, _ = figures_of(path)
    assert set(third.reach) == {"ad", "cart", "pay", "help"} and third.reach["help"].customers == 0
    assert len(list(cached.glob("*.pickle"))) == 3
