"""Every function of section 7 with its exact semantics, `where` filters,
and the diagnostics of bad columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from copisdsl.api import check
from copisdsl.data import enrich

ORDERS = """customer_id,order_date,revenue
A,2024-01-01,10
A,2024-01-01,20
A,2024-01-11,30
A,2024-02-10,40
B,2024-01-05,50
C,2024-03-01,60
C,2024-03-31,70
D,2024-02-29,15
C,2024-04-15,999
E,,5
,2024-01-02,5
F,2024-01-03,
"""

SURVEY = """stage,channel,score,answered,share,year
purchase,web,10,2024-01-05,0.2,2024
purchase,store,9,2024-01-20,0.6,2024
purchase,web,8,2024-02-01,0.7,2023
post_purchase,web,7,2024-02-15,0.1,2024
post_purchase,app,6,2024-03-01,0.9,2024
post_purchase,,0,2024-03-10,0.5,2024
post_purchase,web,10,2024-04-01,0.3,2024
"""

TX = """data orders "orders.csv" {
  kind transactions
  customer customer_id
  date order_date
  amount revenue
  until 2024-03-31
}
"""


def run(tmp_path: Path, body: str, files: dict[str, str] | None = None):
    for name, content in {"orders.csv": ORDERS, "survey.csv": SURVEY, **(files or {})}.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    result = check(f'journey j "J" {{\n{body}\n}}\n', "j.copis")
    assert result.ok, result.diagnostics
    figures, diags = enrich(result.model, tmp_path)
    return {k.name: figures.kpis[k.index] for k in result.model.kpis}, diags, figures


def value_of(tmp_path, body, files=None):
    kpis, diags, _ = run(tmp_path, body + "\n", files)
    assert diags == []
    return {name: k.value for name, k in kpis.items()}


# ------------------------------------------------------------------ transactions

def test_transaction_functions(tmp_path):
    got = value_of(tmp_path, TX + """
kpi o = orders(orders)
kpi c = customers(orders)
kpi rev = revenue(orders)
kpi a = aov(orders)
kpi rr = repeat_rate(orders)
kpi pf = purchase_frequency(orders)
kpi ri = reorder_interval(orders)""")
    # The row after `until` and the rows without a customer, date or amount are not orders.
    assert got["o"] == 8 and got["c"] == 4 and got["rev"] == 295
    assert got["a"] == pytest.approx(295 / 8)
    assert got["rr"] == 0.5  # A (4 orders) and C (2) of A, B, C, D
    # 8 orders / 4 customers / (90 days from 2024-01-01 to until 2024-03-31, in years)
    assert got["pf"] == pytest.approx(8 / 4 / (90 / 365.25))
    # Purchase days: A 01-01 (twice), 01-11, 02-10 -> 10, 30; C 03-01, 03-31 -> 30.
    assert got["ri"] == 30


def test_churn_uses_calendar_months_and_the_until_date(tmp_path):
    got = value_of(tmp_path, TX + """
kpi month = churn_rate(orders, 1m)
kpi days30 = churn_rate(orders, 30d)
kpi default = churn_rate(orders)
kpi kept = retention_rate(orders, 1m)
kpi year = churn_rate(orders, 1y)""")
    # 2024-03-31 - 1m = 2024-02-29: D (02-29) and C (03-31) ordered on or after it.
    assert got["month"] == 0.5
    # 2024-03-31 - 30d = 2024-03-01: only C.
    assert got["days30"] == 0.75
    assert got["default"] == 0.0 and got["year"] == 0.0
    assert got["kept"] == 0.5


def test_a_window_longer_than_the_calendar_churns_nobody(tmp_path):
    got = value_of(tmp_path, TX + """
kpi years = churn_rate(orders, 99999y)
kpi days = churn_rate(orders, 999999999d)
kpi weeks = retention_rate(orders, 999999999999999w)""")  # the most digits a number may have
    assert got == {"years": 0.0, "days": 0.0, "weeks": 1.0}


def test_a_window_of_nothing_churns_who_did_not_order_on_the_last_date(tmp_path):
    """A 0 duration is no negative one (reference §6 E204): with window 0
    the customers who ordered on the last date (C, on 2024-03-31) stay."""
    got = value_of(tmp_path, TX + """
kpi churn = churn_rate(orders, 0d)
kpi kept = retention_rate(orders, 0m)""")
    assert got == {"churn": 0.75, "kept": 0.25}


def test_without_until_the_file_s_last_date_ends_the_observation(tmp_path):
    body = TX.replace("  until 2024-03-31\n", "") + "kpi o = orders(orders)\nkpi ch = churn_rate(orders, 30d)"
    got = value_of(tmp_path, body)
    # C's order of 2024-04-15 counts; 30 days before it is 2024-03-16: only C is active.
    assert got["o"] == 9 and got["ch"] == 0.75


def test_same_day_orders_count_once_for_the_reorder_interval(tmp_path):
    orders = "customer_id,date,amount\nA,2024-01-01,1\nA,2024-01-01,1\nA,2024-01-01,1\nB,2024-01-01,1\n"
    got = value_of(tmp_path, 'data tx "o.csv" { kind transactions }\nkpi ri = reorder_interval(tx)\n'
                   "kpi rr = repeat_rate(tx)\nkpi n = orders(tx)", {"o.csv": orders})
    # Three orders on one day: a repeat customer (rows) but no reorder gap.
    assert got["ri"] is None and got["rr"] == 0.5 and got["n"] == 4


def test_purchase_frequency_over_no_time_has_no_value(tmp_path):
    orders = "customer_id,date,amount\nA,2024-01-01,1\nB,2024-01-01,2\n"
    kpis, diags, _ = run(tmp_path, 'data tx "o.csv" { kind transactions }\nkpi pf = purchase_frequency(tx)',
                         {"o.csv": orders})
    assert diags == [] and kpis["pf"].value is None and "division by zero" in kpis["pf"].note


def test_dates_with_times_and_time_zones(tmp_path):
    orders = ("customer_id,date,amount\nA,2024-01-01T23:30:00+02:00,1\nA,2024-01-02T08:00:00+02:00,1\n"
              "B,2024-01-05 10:00,1\n")
    got = value_of(tmp_path, 'data tx "o.csv" { kind transactions }\nkpi ri = reorder_interval(tx)',
                   {"o.csv": orders})
    assert got["ri"] == 1  # local calendar days


def test_transaction_mapping_problems(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data tx "orders.csv" { kind transactions }\nkpi n = orders(tx)')
    # Default mapping customer_id, date, amount: two columns are missing; the first one found is reported.
    assert [d.code for d in diags] == ["E401"] and "'date'" in diags[0].message
    assert diags[0].hint == "did you mean 'order_date'? name the column with `date order_date`"
    assert diags[0].span.line == 2  # the data declaration
    assert kpis["n"].value is None


def test_amounts_must_be_numbers(tmp_path):
    orders = "customer_id,date,amount\nA,2024-01-01,10\nB,2024-01-02,ten\n"
    kpis, diags, _ = run(tmp_path, 'data tx "o.csv" {\nkind transactions\namount amount\n}\n'
                         "kpi r = revenue(tx)\nkpi a = aov(tx)", {"o.csv": orders})
    assert [d.code for d in diags] == ["E402"]
    assert "row 2 has 'ten'" in diags[0].message and diags[0].span.line == 4  # the `amount` option
    assert kpis["r"].value is None and kpis["a"].value is None


def test_until_needs_a_date_column(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data s "survey.csv" { until 2024-02-01 }\nkpi n = count(s.score)')
    assert [d.code for d in diags] == ["E401"] and "'date'" in diags[0].message
    kpis, diags, _ = run(tmp_path, 'data s "survey.csv" {\nuntil 2024-02-01\ndate answered\n}\n'
                         "kpi n = count(s.score)")
    assert diags == [] and kpis["n"].value == 3


def test_transaction_function_on_other_data_is_only_the_static_e404(tmp_path):
    result = check('journey j "J" {\ndata s "survey.csv"\nkpi a = aov(s)\n}\n', "j.copis")
    assert [d.code for d in result.diagnostics] == ["E404"]
    (tmp_path / "survey.csv").write_text(SURVEY)
    figures, diags = enrich(result.model, tmp_path)
    assert diags == [] and figures.kpis[0].value is None


# ------------------------------------------------------------------ aggregates

def test_aggregates_and_kinds(tmp_path):
    kpis, diags, _ = run(tmp_path, TX + """data s "survey.csv"
kpi total = sum(s.score)
kpi avg = mean(s.score)
kpi mid = median(s.score)
kpi low = min(s.score)
kpi high = max(s.score)
kpi n = count(s.channel)
kpi money = sum(orders.revenue)
""")
    assert diags == []
    got = {name: k.value for name, k in kpis.items()}
    # A column aggregate reads the file's rows (after `until`), orders or not:
    # the row without a customer counts here, unlike in revenue(orders).
    assert got == {"total": 50, "avg": pytest.approx(50 / 7), "mid": 8, "low": 0, "high": 10, "n": 6,
                   "money": 300}
    assert kpis["n"].kind == "count" and kpis["money"].kind == "money" and kpis["avg"].kind == "number"


def test_nps_and_csat(tmp_path):
    csat = "answer\n5\n4\n3\n1\n2\n4\n"
    kpis, diags, _ = run(tmp_path, 'data s "survey.csv"\ndata c "csat.csv"\n'
                         "kpi nps = nps(s.score)\nkpi sat = csat(c.answer)", {"csat.csv": csat})
    assert diags == []
    # Scores 10, 9, 8, 7, 6, 0, 10: 3 promoters, 2 detractors of 7.
    assert kpis["nps"].value == pytest.approx(100 * (3 - 2) / 7) and kpis["nps"].kind == "points"
    assert kpis["sat"].value == pytest.approx(3 / 6) and kpis["sat"].kind == "rate"


def test_csat_scale_is_checked(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data s "survey.csv"\nkpi sat = csat(s.score)')
    assert [d.code for d in diags] == ["E402"]
    assert "row 1 of data 's' has 10" in diags[0].message
    assert kpis["sat"].value is None


@pytest.mark.parametrize("cond,expected", [
    ('stage == "purchase"', 3),
    ('stage != "purchase"', 4),
    ('stage == "purchase" and channel != "store"', 2),
    ('stage == "post_purchase" or score >= 9', 6),
    ('(stage == "purchase" or channel == "app") and score < 9', 2),
    ('stage == "purchase" and (channel == "store" or score == 10)', 2),
    ("score >= 7 and score <= 9", 3),
    ("score > 9", 2),
    ("answered >= 2024-02-01", 5),
    ("answered < 2024-02-01 or answered > 2024-03-10", 3),
    ("share >= 50%", 4),
    ('year == "2024"', 6),
    ("year != 2024", 1),
    ('channel != "web"', 2),  # the row without a channel never matches
])
def test_where_filters(tmp_path, cond, expected):
    got = value_of(tmp_path, f'data s "survey.csv"\nkpi n = count(s.score where {cond})')
    assert got["n"] == expected


def test_filters_on_the_same_file_share_one_read(tmp_path):
    got = value_of(tmp_path, 'data s "survey.csv"\n'
                   'kpi a = mean(s.score where stage == "purchase")\n'
                   'kpi b = mean(s.score where stage == "post_purchase")\nkpi gap = a - b')
    assert got["gap"] == pytest.approx(9 - 23 / 4)


def test_ratio_and_division_by_zero(tmp_path):
    funnel = "touchpoint,visits,orders\ncheckout,1000,43\ncheckout,0,0\nad,0,5\n"
    kpis, diags, _ = run(tmp_path, 'data f "f.csv"\n'
                         'kpi conv = ratio(sum(f.orders where touchpoint == "checkout"), '
                         'sum(f.visits where touchpoint == "checkout"))\n'
                         'kpi broken = ratio(sum(f.orders where touchpoint == "ad"), '
                         'sum(f.visits where touchpoint == "ad"))\nkpi pct = broken * 100',
                         {"f.csv": funnel})
    assert diags == []
    assert kpis["conv"].value == 0.043 and kpis["conv"].kind == "rate"
    assert kpis["broken"].value is None and kpis["broken"].note == "division by zero"
    assert kpis["pct"].value is None


def test_empty_filter_is_w403_with_the_closest_value(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data s "survey.csv"\nkpi n = nps(s.score where stage == "purchse")')
    assert [d.code for d in diags] == ["W403"]
    assert diags[0].hint == "did you mean 'purchase'?"
    assert (diags[0].span.line, diags[0].span.column) == (3, 27)
    assert kpis["n"].value is None


def test_unknown_columns_are_e401_at_the_reference(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data s "survey.csv"\nkpi a = sum(s.scor)\n'
                         'kpi b = count(s.score where chanel == "web")')
    assert [(d.code, d.span.line, d.hint) for d in diags] == [
        ("E401", 3, "did you mean 'score'?"), ("E401", 4, "did you mean 'channel'?")]
    assert kpis["a"].value is None and kpis["b"].value is None


def test_text_compared_with_a_number_is_e402(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data s "survey.csv"\nkpi a = count(s.score where stage > 3)\n'
                         'kpi b = count(s.score where score == "high")\nkpi c = sum(s.stage)')
    assert [d.code for d in diags] == ["E402", "E402", "E402"]
    assert "row 1 has 'purchase'" in diags[0].message
    assert "compared with the text \"high\"" in diags[1].message
    assert all(k.value is None for k in kpis.values())


def test_dates_that_do_not_parse_in_a_filter_are_e402(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data s "survey.csv"\nkpi a = count(s.score where stage >= 2024-01-01)')
    assert [d.code for d in diags] == ["E402"] and "must hold dates" in diags[0].message


@pytest.mark.parametrize("model", ["historic", "bgnbd"])
def test_a_horizon_of_nothing_is_a_clv_of_nothing(tmp_path, model):
    """``horizon 0d`` is no negative duration (reference §6 E204): every
    customer's value over no time is 0."""
    kpis, _, figures = run(tmp_path, TX + f"clv {{ horizon 0d; model {model} }}\nkpi v = clv(orders)\n")
    assert kpis["v"].value == 0.0 and figures.clv.mean_clv == 0.0
    assert figures.clv.horizon_months == 0


def test_a_clv_that_cannot_be_computed_gives_no_customer_table(tmp_path, monkeypatch):
    """Customers with orders whose CLV fails (a note says why) are no
    table of the IDs without orders alone: no table at all."""
    from copisdsl.data import portfolio

    def broken(tx, settings):
        raise ValueError("a fit that failed")

    monkeypatch.setattr(portfolio, "customer_values", broken)
    files = {"orders.csv": "customer_id,order_date,revenue\nA,2024-01-01,10\nA,2024-02-01,5\nB,2024-01-05,-3\n"}
    kpis, _, figures = run(tmp_path, TX + "kpi v = clv(orders)\n", files)
    assert kpis["v"].value is None and figures.clv.table is None
