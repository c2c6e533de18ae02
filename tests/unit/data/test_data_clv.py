"""CLV (section 8) and the value-segment portfolio, through ``enrich``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from copisdsl.api import check
from copisdsl.data import enrich

EXAMPLE_ORDERS = Path(__file__).resolve().parents[3] / "examples" / "data" / "skincare_orders.csv"

ORDERS = """customer_id,date,amount
A,2023-01-01,100
A,2023-07-01,100
B,2023-06-01,50
"""
TX = 'data orders "orders.csv" {\n  kind transactions\n  until 2023-12-31\n}\n'
ANNUITY_3Y_10 = 1 / 1.1 + 1 / 1.1**2 + 1 / 1.1**3


def run(tmp_path: Path, body: str, files: dict[str, str] | None = None):
    for name, content in {"orders.csv": ORDERS, **(files or {})}.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    result = check(f'journey j "J" {{\n{body}\n}}\n', "j.copis")
    assert result.ok, result.diagnostics
    figures, diags = enrich(result.model, tmp_path)
    return {k.name: figures.kpis[k.index] for k in result.model.kpis}, diags, figures


def test_historic_clv_by_hand(tmp_path):
    kpis, diags, figures = run(tmp_path, TX + "clv { margin 50% }\nkpi value = clv(orders)")
    assert diags == []
    # Both customers were seen for less than a year: their revenue is a year's
    # worth (200 and 50), times the margin, over three discounted years.
    expected = [200 * 0.5 * ANNUITY_3Y_10, 50 * 0.5 * ANNUITY_3Y_10]
    assert kpis["value"].value == pytest.approx(sum(expected) / 2)
    assert kpis["value"].kind == "money"
    clv = figures.clv
    assert (clv.model, clv.unit, clv.margin, clv.discount, clv.horizon_months) == ("historic", "day", 0.5, 0.1, 36)
    assert clv.params == {} and clv.customers == 2
    assert clv.mean_clv == pytest.approx(sum(expected) / 2)


def test_segments_first_match_wins_and_the_portfolio(tmp_path):
    body = TX + """clv { margin 50% }
segment big "Big" when revenue >= 100
segment recent "Recent" when recency <= 250d
segment rest "Rest"
"""
    _, diags, figures = run(tmp_path, body)
    assert diags == []
    seg = {s.id: s for s in figures.clv.segments}
    assert [s.id for s in figures.clv.segments] == ["big", "recent", "rest"]
    # A (revenue 200, last order 183 days before the end) is also recent, but big comes first.
    assert (seg["big"].customers, seg["recent"].customers, seg["rest"].customers) == (1, 1, 0)
    assert seg["big"].share == 0.5 and seg["big"].revenue == 200 and seg["recent"].revenue == 50
    assert seg["big"].clv_total == pytest.approx(100 * ANNUITY_3Y_10)
    assert seg["big"].clv_mean == pytest.approx(100 * ANNUITY_3Y_10)
    assert seg["big"].clv_share == pytest.approx(0.8) and seg["recent"].clv_share == pytest.approx(0.2)
    assert seg["rest"].clv_mean == 0 and seg["rest"].share == 0


@pytest.mark.parametrize("condition,members", [
    ("tenure > 300d", {"a"}),  # A's first order is 364 days before the end, B's 213
    ("recency > 200", {"b"}),  # days since the last order: A 183, B 213
    ("frequency >= 1", {"a"}),  # repeat purchase days
    ("orders == 1", {"b"}),
    ("aov >= 60", {"a"}),
    ("clv > 100 and orders >= 2", {"a"}),
    ("clv < 0 or aov == 50", {"b"}),
    ("(tenure >= 1y)", set()),
])
def test_segment_variables(tmp_path, condition, members):
    _, diags, figures = run(tmp_path, TX + f'segment s "S" when {condition}\n')
    assert diags == []
    got = figures.clv.segments[0]
    assert got.customers == len(members)
    assert got.revenue == sum({"a": 200, "b": 50}[m] for m in members)


@pytest.mark.parametrize("condition,members", [
    # End 2023-12-31; 6 calendar months before it is 2023-06-30. A's last
    # order (07-01) is 183 days before the end, B's (06-01) 213; 6m as an
    # average 182.6 days would put A in too.
    ("recency >= 6m", {"b"}),
    ("recency >= 183d", {"a", "b"}),
    # A's first order (01-01) is 364 days before the end: one calendar year
    # back is 2022-12-31, 365 days.
    ("tenure >= 1y", set()),
    ("tenure >= 12m", set()),
    ("tenure >= 11m", {"a"}),
    ("recency < 99999y", {"a", "b"}),
])
def test_months_and_years_in_segments_are_calendar_ones(tmp_path, condition, members):
    _, diags, figures = run(tmp_path, TX + f'segment s "S" when {condition}\n')
    assert diags == []
    assert figures.clv.segments[0].revenue == sum({"a": 200, "b": 50}[m] for m in members)


def test_customers_outside_every_segment_are_not_shown(tmp_path):
    _, _, figures = run(tmp_path, TX + 'segment big "Big" when revenue >= 100\n')
    assert [(s.id, s.customers, s.share) for s in figures.clv.segments] == [("big", 1, 0.5)]


def test_no_transactions_means_no_clv(tmp_path):
    _, diags, figures = run(tmp_path, "clv { margin 50% }\nkpi a = 1")
    assert figures.clv is None and diags == []


def test_the_first_transactions_file_drives_segments(tmp_path):
    other = "customer_id,date,amount\nZ,2023-01-01,5\n"
    body = (TX + 'data more "more.csv" { kind transactions }\nsegment all "All"\n'
            "kpi first = clv(orders)\nkpi second = clv(more)")
    kpis, diags, figures = run(tmp_path, body, {"more.csv": other})
    assert diags == []
    assert figures.clv.customers == 2 and figures.clv.segments[0].revenue == 250
    assert kpis["second"].value != kpis["first"].value


def test_header_only_transactions(tmp_path):
    kpis, diags, figures = run(tmp_path, TX + 'segment all "All"\nkpi c = clv(orders)',
                               {"orders.csv": "customer_id,date,amount\n"})
    assert [d.code for d in diags] == ["W403"]
    assert kpis["c"].value is None
    assert figures.clv.customers == 0 and figures.clv.mean_clv is None
    # Every declared segment is listed, empty.
    assert [(g.id, g.customers, g.share, g.revenue, g.clv_total) for g in figures.clv.segments] == \
        [("all", 0, 0.0, 0.0, 0.0)]


def test_bgnbd_without_repeat_customers_has_no_value_and_says_why(tmp_path):
    orders = "customer_id,date,amount\nA,2023-01-01,10\nB,2023-02-01,20\nC,2023-03-01,30\n"
    kpis, diags, figures = run(tmp_path, 'data orders "orders.csv" { kind transactions }\n'
                               "clv { model bgnbd }\nsegment all \"All\"\nkpi c = clv(orders)",
                               {"orders.csv": orders})
    assert diags == []
    assert kpis["c"].value is None and "two or more days" in kpis["c"].note
    assert figures.clv.mean_clv is None and figures.clv.params == {}
    assert figures.clv.segments[0].customers == 3


@pytest.fixture(scope="module")
def example_orders(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clv")
    shutil.copy(EXAMPLE_ORDERS, folder / "orders.csv")
    return folder


def bgnbd_figures(folder: Path, unit: str):
    body = ('data orders "orders.csv" {\n kind transactions\n date order_date\n amount revenue\n'
            f" until 2025-06-30\n}}\nclv {{\n model bgnbd\n unit {unit}\n margin 35%\n}}\n"
            'segment vip "VIP" when clv >= 60\nsegment rest "Rest"\nkpi c = clv(orders)')
    result = check(f'journey j "J" {{\n{body}\n}}\n', "j.copis")
    assert result.ok, result.diagnostics
    figures, diags = enrich(result.model, folder)
    assert diags == []
    return figures


def test_bgnbd_on_the_example_data(example_orders):
    days = bgnbd_figures(example_orders, "day")
    weeks = bgnbd_figures(example_orders, "week")
    assert list(weeks.clv.params) == ["r", "alpha", "a", "b", "p", "q", "v"]
    # The same fit in another time unit: alpha scales with it, nothing else changes.
    assert days.clv.params["alpha"] == pytest.approx(7 * weeks.clv.params["alpha"], rel=1e-3)
    for key in ("r", "a", "b", "p", "q", "v"):
        assert days.clv.params[key] == pytest.approx(weeks.clv.params[key], rel=1e-3)
    assert days.clv.mean_clv == pytest.approx(weeks.clv.mean_clv, rel=1e-3)
    assert weeks.kpis[0].value == pytest.approx(weeks.clv.mean_clv)
    assert 0 < weeks.clv.mean_clv < 200
    shares = [s.share for s in weeks.clv.segments]
    assert sum(shares) == pytest.approx(1) and 0 < shares[0] < 0.5
    assert sum(s.clv_share for s in weeks.clv.segments) == pytest.approx(1)


def test_enrich_survives_a_model_with_static_errors(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS)
    text = ('journey j "J" {\n' + TX + 'segment a "A" when colour == "red"\nsegment b "B" when clv >= "x"\n'
            'segment c "C"\nkpi x = sum(nowhere.col)\nkpi y = aov(nowhere)\nkpi z = frobnicate(1)\n}\n')
    result = check(text, "j.copis")
    assert {d.code for d in result.diagnostics} >= {"E201", "E204"}
    figures, _ = enrich(result.model, tmp_path)
    assert [s.customers for s in figures.clv.segments] == [0, 0, 2]
    assert all(k.value is None for k in figures.kpis.values())


# ---------------------------------------------------------------- section 14: customer IDs are text
ID_CUSTOMERS = 'data orders "{name}" {{\n  kind transactions\n}}\nkpi n = customers(orders)\nkpi o = orders(orders)'


def test_customer_ids_are_text_in_csv(tmp_path):
    rows = ("customer_id,date,amount\n007,2024-01-01,10\n7,2024-01-02,20\n 7 ,2024-02-02,20\n"
            "12345678901234567890,2024-01-03,5\n12345678901234567891,2024-01-04,5\n"
            "1e3,2024-01-05,1\n1000,2024-01-06,1\n")
    kpis, diags, _ = run(tmp_path, ID_CUSTOMERS.format(name="ids.csv"), {"ids.csv": rows})
    # 007 | 7 (twice, blanks trimmed) | two 20-digit IDs | 1e3 | 1000
    assert (kpis["n"].value, kpis["o"].value) == (6, 7)


def test_customer_ids_are_text_in_json_lines(tmp_path):
    rows = "".join('{"customer_id": %s, "date": "2024-01-01", "amount": 1}\n' % c
                   for c in ("12345678901234567890", "12345678901234567891", "1e3", "1000", "7", '"007"'))
    kpis, _, _ = run(tmp_path, ID_CUSTOMERS.format(name="ids.jsonl"), {"ids.jsonl": rows})
    assert kpis["n"].value == 6


def test_integer_customer_ids_in_parquet_are_their_decimal_text(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    big = 2**62 + 1  # a float64 would merge it with 2**62
    pq.write_table(pa.table({"customer_id": pa.array([7, 7, big, big - 1], pa.int64()),
                             "date": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
                             "amount": [1.0, 2.0, 3.0, 4.0]}), tmp_path / "ids.parquet")
    kpis, _, _ = run(tmp_path, ID_CUSTOMERS.format(name="ids.parquet"))
    assert (kpis["n"].value, kpis["o"].value) == (3, 4)
