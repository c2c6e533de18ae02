"""Orders with an amount of zero or less (reference §14, W405) and CLV fits
at a limit (W406). The figures of tests/golden/data/files/orders_refunds.csv
are computed by hand below; the pandas reader and the DuckDB engine (a glob
of CSV files) must both give them."""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from copisdsl.api import check_file
from copisdsl.data.fit_notes import fit_notes

FILES = Path(__file__).resolve().parents[3] / "tests" / "golden" / "data" / "files"

# a: 100 (Jan 1), refund -100 (Jan 10), 50 (Feb 1); b: 40 (Jan 5), a free
# order 0 (Jan 20); c: only a refund -15 (Feb 10); d: 60 (Mar 1).
JOURNEY = """journey shop "Shop" {{
  data orders {path} {{ kind transactions }}
  segment repeat "Repeat" when orders >= 2
  segment rest "Rest"
  kpi revenue = revenue(orders)
  kpi order_count = orders(orders)
  kpi buyers = customers(orders)
  kpi basket = aov(orders)
  kpi repeat = repeat_rate(orders)
  kpi frequency = purchase_frequency(orders)
  kpi interval = reorder_interval(orders)
  kpi churn = churn_rate(orders, 30d)
  kpi kept = retention_rate(orders, 30d)
  kpi value = clv(orders)
}}
"""

BY_HAND = {
    "revenue": 100 - 100 + 50 + 40 + 0 - 15 + 60,  # net: every amount
    "order_count": 4,  # a twice, b and d once
    "buyers": 3,  # c has no order
    "basket": (100 + 50 + 40 + 60) / 4,
    "repeat": 1 / 3,  # a
    # 4 orders / 3 customers per year, from Jan 1 to the last order (Mar 1): 60 days
    "frequency": 4 / 3 / (60 / 365.25),
    "interval": 31,  # a's purchase days Jan 1 and Feb 1 (the refund day is none)
    "churn": 1 / 3,  # no order since Jan 31: b (the free order of Jan 20 is none)
    "kept": 2 / 3,
}


def _figures(folder: Path, path: str) -> tuple[dict, object, list]:
    journey = folder / "shop.copis"
    journey.write_text(JOURNEY.format(path=path), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # diagnostics are values, never printed warnings
        result = check_file(journey, figures=True)
    kpis = {v.name: v.value for v in result.figures.kpis.values()}
    return kpis, result.figures.clv, result.diagnostics


@pytest.fixture(params=["pandas", "duckdb"])
def figures(request, tmp_path):
    if request.param == "pandas":
        shutil.copy(FILES / "orders_refunds.csv", tmp_path / "orders.csv")
        return _figures(tmp_path, '"orders.csv"')
    pytest.importorskip("duckdb")
    (tmp_path / "parts").mkdir()
    lines = (FILES / "orders_refunds.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "parts" / "one.csv").write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    (tmp_path / "parts" / "two.csv").write_text("\n".join(lines[:1] + lines[4:]) + "\n", encoding="utf-8")
    return _figures(tmp_path, '"parts/*.csv"')


def test_rows_with_an_amount_of_zero_or_less_are_not_orders(figures):
    kpis, _, diagnostics = figures
    for name, expected in BY_HAND.items():
        assert kpis[name] == pytest.approx(expected, rel=1e-12), name
    [w405] = [d for d in diagnostics if d.code == "W405"]
    assert w405.message.startswith("3 rows of data 'orders' with an amount of zero or less are not orders")
    assert w405.span.line == 2


def test_segment_revenue_is_net_and_the_spend_counts_orders_only(figures):
    _, clv, _ = figures
    by_id = {s.id: s for s in clv.segments}
    assert clv.customers == 3
    assert by_id["repeat"].customers == 1 and by_id["repeat"].revenue == pytest.approx(100 - 100 + 50)
    assert by_id["rest"].customers == 2 and by_id["rest"].revenue == pytest.approx(40 + 0 + 60)
    # historic CLV: each customer's order revenue (the refund is not spend),
    # annualised over at least a year, times the default margin and horizon:
    # the mean is positive although a's net revenue is 50.
    assert clv.mean_clv is not None and clv.mean_clv > 0


def test_rfm_leaves_the_set_aside_rows_out(tmp_path):
    from copisdsl.data.sources import TableSource

    shutil.copy(FILES / "orders_refunds.csv", tmp_path / "orders.csv")
    (tmp_path / "shop.copis").write_text(JOURNEY.format(path='"orders.csv"'), encoding="utf-8")
    result = check_file(tmp_path / "shop.copis")
    source = TableSource(result.model, tmp_path, tmp_path)
    try:
        tx = source.transactions_of("orders")
        rfm = tx.rfm()
        got = dict(zip(tx.ids, zip(rfm.frequency, rfm.recency, rfm.T, rfm.monetary_value)))
        assert set(got) == {"a", "b", "d"}
        end = dt.date(2024, 3, 1)
        assert got["a"] == (1.0, 31.0, float((end - dt.date(2024, 1, 1)).days), 50.0)
        assert got["b"] == (0.0, 0.0, float((end - dt.date(2024, 1, 5)).days), 0.0)
        assert tx.set_aside == 3
        np.testing.assert_allclose(tx.net_revenues(), [50.0, 40.0, 60.0])
    finally:
        source.close()  # its engines, if DuckDB took the file


def test_a_no_dropout_log_fits_at_the_edge_and_says_what_it_means():
    from copisdsl.data import clv as clvmath
    import pandas as pd

    frame = pd.read_csv(FILES / "orders_no_dropout.csv", parse_dates=["date"])
    codes, _ = pd.factorize(frame["customer_id"])
    rfm = clvmath.rfm_summary(codes, frame["date"].to_numpy(), frame["amount"].to_numpy(dtype=float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bg = clvmath.fit_bgnbd(rfm.frequency, rfm.recency, rfm.T)
    # no customer drops out: the dropout probability a / (a + b) tends to 0
    assert bg.a / (bg.a + bg.b) < 1e-4
    assert ("b", "∞") in bg.edges or ("a", "0") in bg.edges
    [(message, hint)] = fit_notes("bgnbd", bg)
    assert "customers almost never drop out" in message and "BG/NBD" in message and hint


def test_fit_notes_for_a_fit_that_did_not_converge_and_one_that_did():
    from copisdsl.data.clv import BGNBDParams, GammaGammaParams

    assert fit_notes("bgnbd", BGNBDParams(0.24, 4.4, 0.79, 2.4, -9582.4)) == []
    [(message, _)] = fit_notes("gamma_gamma", GammaGammaParams(6.2, 3.7, 15.4, -1.0, converged=False))
    assert message.startswith("the Gamma-Gamma fit did not converge")
    [(message, _)] = fit_notes("gamma_gamma", GammaGammaParams(6.2, 3.7, 15.4, -1.0, edges=(("q", "∞"),)))
    assert "q → ∞: customers do not differ in their average spend" in message


def test_w406_points_at_the_clv_block(tmp_path):
    shutil.copy(FILES / "orders_no_dropout.csv", tmp_path / "orders.csv")
    (tmp_path / "shop.copis").write_text(
        'journey shop "Shop" {\n  data orders "orders.csv" { kind transactions }\n'
        '  kpi value = clv(orders)\n  clv { model bgnbd }\n}\n', encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = check_file(tmp_path / "shop.copis", figures=True)
    [w406] = [d for d in result.diagnostics if d.code == "W406"]
    assert (w406.span.line, w406.span.column) == (4, 3)
    assert result.figures.clv.mean_clv is not None  # the figures of the limit are still given


def _reference(rows: list[tuple[str, int, float]]) -> dict:
    """The §7/§14 figures of ``rows`` (customer, day of 2024, amount) in plain Python."""
    orders = [r for r in rows if r[2] > 0]
    by_customer: dict[str, set[int]] = {}
    for customer, day, _ in orders:
        by_customer.setdefault(customer, set()).add(day)
    counts = {c: sum(1 for r in orders if r[0] == c) for c in by_customer}
    gaps = sorted(b - a for days in by_customer.values() for a, b in zip(sorted(days), sorted(days)[1:]))
    # a log of refunds only has 0 orders of 0 customers and its net revenue
    out = {"revenue": sum(r[2] for r in rows), "order_count": len(orders), "buyers": len(by_customer)}
    if orders:
        out["basket"] = sum(r[2] for r in orders) / len(orders)
        out["repeat"] = sum(1 for c in counts.values() if c >= 2) / len(counts)
    if gaps:
        out["interval"] = float(np.median(gaps))
    return out


def test_any_log_with_refunds_gives_the_reference_figures():
    import tempfile

    from hypothesis import given, settings, strategies as st

    row = st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 90),
                    st.sampled_from([-30.0, -5.5, 0.0, 0.0, 12.0, 25.25, 40.0]))

    @settings(max_examples=40, deadline=None)
    @given(st.lists(row, min_size=1, max_size=25))
    def check(rows):
        with tempfile.TemporaryDirectory() as folder:
            lines = ["customer_id,date,amount"] + [
                f"{c},{dt.date(2024, 1, 1) + dt.timedelta(days=d)},{a}" for c, d, a in rows]
            Path(folder, "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
            kpis, _, diagnostics = _figures(Path(folder), '"orders.csv"')
        expected = _reference(rows)
        for name, value in expected.items():
            assert kpis[name] == pytest.approx(value, rel=1e-9, abs=1e-9), name
        for name in {"basket", "repeat", "interval"} - set(expected):
            assert kpis[name] is None, name
        set_aside = sum(1 for r in rows if r[2] <= 0)
        assert [d.code for d in diagnostics].count("W405") == (1 if set_aside else 0)

    check()
