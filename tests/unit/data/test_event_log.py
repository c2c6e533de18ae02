"""Event logs (reference §12.2): the engine's figures against a plain-Python
reference on arbitrary logs (hypothesis), and the declaration's rules."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from copisdsl.api import check, check_file
from profiles import examples

TOUCHPOINTS = ["ad", "search", "cart", "pay"]
# discover -> buy is search -> cart (a stage's last as the source, first as the target)
JOURNEY = """journey shop "Shop" {
  data visits "events.csv" { kind events }
  stage discover "Discover" {
    touchpoint ad "Ad" {}
    touchpoint search "Search" {}
  }
  stage buy "Buy" {
    touchpoint cart "Cart" {}
    touchpoint pay "Pay" {}
  }
  flow ad -> search
  flow discover -> buy -> ad
  flow cart -> pay
  flow pay -> pay
  flow ad -> pay
}
"""
EDGES = [("ad", "search"), ("search", "cart"), ("pay", "ad"), ("cart", "pay"), ("pay", "pay"), ("ad", "pay")]

rows = st.lists(st.tuples(st.sampled_from(["c1", "c2", " c3", "c4", "007", "7"]),
                          st.sampled_from(TOUCHPOINTS + ["chekout", ""]),
                          st.integers(0, 4)),  # few days: many equal dates
                max_size=40)


def reference(log: list[tuple[str, str, int]]) -> tuple[dict, list, Counter]:
    """Reach and flow figures as the reference words them, row by row."""
    unknown = Counter(t for _, t, _ in log if t not in TOUCHPOINTS)
    known = [(c.strip(), t, day, i) for i, (c, t, day) in enumerate(log) if t in TOUCHPOINTS]
    customers = {c for c, *_ in known}
    reach = {tp: {c for c, t, *_ in known if t == tp} for tp in TOUCHPOINTS}
    steps: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for customer in customers:
        events = sorted((day, i, t) for c, t, day, i in known if c == customer)
        for (day, _, t), (next_day, _, nt) in zip(events, events[1:]):
            steps.setdefault((t, nt), []).append((customer, next_day - day))
    flows = []
    for a, b in EDGES:
        taken = steps.get((a, b), [])
        n = len({c for c, _ in taken})
        flows.append((n, n / len(reach[a]) if reach[a] else None,
                      statistics.median(d for _, d in taken) if taken else None))
    share = {tp: (len(r), len(r) / len(customers) if customers else 0.0) for tp, r in reach.items()}
    return share, flows, unknown


def _write(folder: Path, log) -> Path:
    lines = ["customer_id,touchpoint,date"]
    lines += [f'"{c}",{t},{(dt.date(2024, 5, 1) + dt.timedelta(days=day)).isoformat()}' for c, t, day in log]
    (folder / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    journey = folder / "shop.copis"
    journey.write_text(JOURNEY, encoding="utf-8")
    return journey


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(log=rows)
def test_figures_equal_the_reference(tmp_path, log):
    journey = _write(tmp_path, log)
    result = check_file(journey, figures=True)
    share, flows, unknown = reference(log)
    got = result.figures
    assert {tp: (r.customers, r.share) for tp, r in got.reach.items()} == share
    assert all(r.value_at_stake is None and r.segments == {} for r in got.reach.values())
    assert [(v.customers, v.conversion, v.median_days) for v in got.flow_volumes] == flows
    w407 = [d for d in result.diagnostics if d.code == "W407"]
    assert len(w407) == len(unknown)
    for value, count in unknown.items():
        shown = f"touchpoint '{value}'" if value else "no touchpoint"
        assert any(d.message.startswith(f"{count} row{'s' if count != 1 else ''} of data 'visits' ")
                   and shown in d.message for d in w407), (value, count, [d.message for d in w407])


def test_file_order_decides_equal_dates(tmp_path):
    # the same rows, two orders: the next event after 'ad' follows the file
    log = [("c1", "ad", 0), ("c1", "search", 0), ("c1", "pay", 0)]
    first = check_file(_write(tmp_path, log), figures=True).figures.flow_volumes
    second = check_file(_write(tmp_path, [log[0], log[2], log[1]]), figures=True).figures.flow_volumes
    assert (first[0].customers, first[5].customers) == (1, 0)  # ad -> search
    assert (second[0].customers, second[5].customers) == (0, 1)  # ad -> pay


def test_w407_hints_the_closest_touchpoint(tmp_path):
    result = check_file(_write(tmp_path, [("c1", "serch", 0), ("c2", "serch", 1)]), figures=True)
    [w407] = [d for d in result.diagnostics if d.code == "W407"]
    assert w407.message.startswith("2 rows of data 'visits' have touchpoint 'serch'")
    assert w407.hint == "did you mean 'search'?" and w407.span.line == 2


def test_without_an_event_log_there_are_no_reach_figures():
    result = check('journey j "J" {\n  stage s "S" { touchpoint a "A" {} }\n}\n', "j.copis")
    from copisdsl.data import enrich

    figures, _ = enrich(result.model, Path("."))
    assert figures.reach is None and figures.flow_volumes is None


def test_touchpoint_is_an_option_inside_data_only():
    text = ('journey j "J" {\n  data v "v.csv" { kind events  customer who  touchpoint step  date at }\n'
            '  data o "o.csv" { touchpoint step }\n  stage s "S" { touchpoint a "A" {} }\n}\n')
    result = check(text, "j.copis")
    events = result.model.data["v"]
    assert (events.kind, events.customer, events.touchpoint, events.date) == ("events", "who", "step", "at")
    assert [(d.code, d.span.line) for d in result.diagnostics if d.severity.value == "error"] == [("E204", 3)]
    assert "a" in result.model.touchpoints  # a touchpoint statement outside data is still one


def test_unknown_kind_hints_events():
    result = check('journey j "J" {\n  data v "v.csv" { kind event }\n}\n', "j.copis")
    [e204] = [d for d in result.diagnostics if d.code == "E204"]
    assert e204.hint == "did you mean 'events'?"


def test_an_excel_event_log_is_e400(tmp_path):
    (tmp_path / "events.xlsx").write_bytes(b"not really")
    journey = tmp_path / "j.copis"
    journey.write_text('journey j "J" {\n  data v "events.xlsx" { kind events }\n}\n', encoding="utf-8")
    [e400] = [d for d in check_file(journey, figures=True).diagnostics if d.code == "E400"]
    assert "read as CSV, TSV, Parquet or JSON Lines" in e400.message and e400.hint == "save the sheet as CSV"


def test_a_missing_mapped_column_is_e401(tmp_path):
    (tmp_path / "events.csv").write_text("customer_id,step,date\nc1,ad,2024-01-01\n", encoding="utf-8")
    journey = tmp_path / "j.copis"
    journey.write_text('journey j "J" {\n  data v "events.csv" { kind events }\n'
                       '  stage s "S" { touchpoint ad "A" {} }\n}\n', encoding="utf-8")
    result = check_file(journey, figures=True)
    [e401] = [d for d in result.diagnostics if d.code == "E401"]
    assert "no column 'touchpoint'" in e401.message and e401.hint == "name the column with `touchpoint COLUMN`"
    assert result.figures.reach is None


def test_until_ignores_later_rows(tmp_path):
    journey = _write(tmp_path, [("c1", "ad", 0), ("c1", "search", 1), ("c2", "ad", 3), ("c2", "chekout", 3)])
    journey.write_text(JOURNEY.replace("{ kind events }", "{ kind events  until 2024-05-02 }"), encoding="utf-8")
    result = check_file(journey, figures=True)
    reach = result.figures.reach
    assert (reach["ad"].customers, reach["ad"].share, reach["search"].customers) == (1, 1.0, 1)
    assert result.figures.flow_volumes[0].customers == 1 and result.figures.flow_volumes[0].median_days == 1
    assert not [d for d in result.diagnostics if d.code == "W407"]  # the unknown row is after `until`


def test_median_days_keep_the_time_of_day(tmp_path):
    journey = _write(tmp_path, [])
    (tmp_path / "events.csv").write_text(
        "customer_id,touchpoint,date\nc1,ad,2024-05-01 06:00:00\nc1,search,2024-05-01 18:00:00\n"
        "c2,ad,2024-05-01 00:00:00\nc2,search,2024-05-03 00:00:00\nc3,ad,2024-05-02 00:00:00\n"
        "c3,search,2024-05-02 06:00:00\n", encoding="utf-8")
    volume = check_file(journey, figures=True).figures.flow_volumes[0]  # ad -> search
    assert (volume.customers, volume.conversion, volume.median_days) == (3, 1.0, 0.5)  # 0.25, 0.5, 2 days


def test_an_event_log_duckdb_cannot_read_names_duckdb(tmp_path):
    # One local file is read by DuckDB here, not by pandas: the E400 says which engine failed.
    (tmp_path / "events.parquet").write_bytes(b"not parquet at all")
    journey = tmp_path / "j.copis"
    journey.write_text('journey j "J" {\n  data v "events.parquet" { kind events }\n}\n', encoding="utf-8")
    [e400] = [d for d in check_file(journey, figures=True).diagnostics if d.code == "E400"]
    assert e400.message.startswith("data 'v' (events.parquet): DuckDB: ") and "pandas" not in e400.message
