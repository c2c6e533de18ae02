"""`holdout` and `interval` in `clv { }` (reference §14): the holdout
comparison against a plain-pandas recount and an independent fit, the
intervals' method (observed information, parameter draws) and their
determinism."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from clv_logs import bgnbd_log, write_journey

from copisdsl.api import check_file
from copisdsl.data import clv, enrich
from copisdsl.workflow.export.json_export import export_dict


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return bgnbd_log()


def _clv(path):
    result = check_file(path, path.name, data=False)
    assert result.ok, result.diagnostics
    figures, diagnostics = enrich(result.model, path.parent)
    return figures.clv, diagnostics, export_dict(result.model, figures)["clv"]


def test_holdout_matches_a_recount_and_an_independent_fit(tmp_path, log):
    figures, _, exported = _clv(write_journey(tmp_path, log, "model bgnbd  holdout 90d"))
    end = pd.Timestamp(log["date"].max())
    cutoff = end - pd.Timedelta(days=90)
    dates = pd.to_datetime(log["date"])
    before = log[dates <= cutoff]
    after = log[dates > cutoff]
    calibration = set(before["customer_id"])
    actual = after[after["customer_id"].isin(calibration)].drop_duplicates(["customer_id", "date"])
    assert exported["holdout"]["days"] == 90
    assert exported["holdout"]["customers"] == len(calibration)
    assert exported["holdout"]["actual"] == len(actual)
    # the prediction of a fit on the calibration orders alone, made here step by step
    rfm = clv.rfm_summary(before["customer_id"].to_numpy(), pd.to_datetime(before["date"]).to_numpy(),
                          before["amount"].to_numpy(), observation_end=cutoff)
    bg = clv.fit_bgnbd(rfm.frequency, rfm.recency, rfm.T)
    predicted = clv.bgnbd_expected_purchases(bg, 90.0, rfm.frequency, rfm.recency, rfm.T)
    assert exported["holdout"]["predicted"] == pytest.approx(predicted.sum(), rel=1e-9)
    per_customer = actual.groupby("customer_id").size().reindex(rfm.customer, fill_value=0).to_numpy()
    assert exported["holdout"]["mae"] == pytest.approx(np.mean(np.abs(predicted - per_customer)), rel=1e-9)
    # the tracking plot's weeks: cumulative, ending with the totals
    weeks = figures.holdout.tracking
    assert [w[0] for w in weeks] == [7 * k for k in range(1, 13)] + [90]
    assert weeks[-1][1:] == (pytest.approx(predicted.sum()), len(actual))
    assert all(a[1] <= b[1] and a[2] <= b[2] for a, b in zip(weeks, weeks[1:]))


def test_holdout_in_weeks_and_calendar_months(tmp_path, log):
    _, _, weekly = _clv(write_journey(tmp_path, log, "model bgnbd  unit week  holdout 3m"))
    end = dt.date.fromisoformat(log["date"].max())
    start = dt.date(end.year, end.month - 3, end.day) if end.month > 3 else None
    assert start is not None and weekly["holdout"]["days"] == (end - start).days
    _, _, daily = _clv(write_journey(tmp_path, log, "model bgnbd  unit day  holdout 3m"))
    assert weekly["holdout"]["actual"] == daily["holdout"]["actual"]
    assert weekly["holdout"]["predicted"] == pytest.approx(daily["holdout"]["predicted"], rel=1e-3)


def test_a_holdout_longer_than_the_log_has_no_comparison_and_says_why(tmp_path, log):
    figures, diagnostics, exported = _clv(write_journey(tmp_path, log, "model bgnbd  holdout 5y"))
    assert exported["holdout"] is None
    assert "nothing to fit on" in figures.holdout_note
    assert exported["mean_clv"] is not None  # the figures themselves are unaffected


def test_a_holdout_over_a_glob_says_why_it_has_no_comparison(tmp_path, log):
    path = write_journey(tmp_path, log, "model bgnbd  holdout 90d")
    (tmp_path / "parts").mkdir()
    (tmp_path / "orders.csv").rename(tmp_path / "parts" / "orders.csv")
    path.write_text(path.read_text(encoding="utf-8").replace('"orders.csv"', '"parts/*.csv"'), encoding="utf-8")
    figures, _, exported = _clv(path)
    assert exported["holdout"] is None and exported["mean_clv"] is not None
    assert "needs the orders themselves" in figures.holdout_note and "a glob" in figures.holdout_note


def test_compare_holdout_by_hand():
    # two calibration customers; expected purchases t/10 and t/5 per day
    def expected(t):
        return np.array([t / 10.0, t / 5.0])

    h = clv.compare_holdout(expected, customer=[0, 1, 1], offset=[3, 8, 10], customers=2, days=10,
                            unit_days=1.0)
    assert (h.days, h.customers, h.actual) == (10, 2, 3)
    assert h.predicted == pytest.approx(3.0)
    assert h.mae == pytest.approx((abs(1.0 - 1) + abs(2.0 - 2)) / 2)
    assert h.tracking == ((7, pytest.approx(2.1), 1), (10, pytest.approx(3.0), 3))


def test_intervals_are_deterministic_nested_and_hold_the_estimate(tmp_path, log):
    path = write_journey(tmp_path, log, "model bgnbd  interval 90%")
    first, _, exported = _clv(path)
    again, _, _ = _clv(path)
    lo, hi = exported["mean_clv_interval"]
    assert lo < exported["mean_clv"] < hi
    assert first.mean_clv_interval == again.mean_clv_interval
    assert [s.clv_total_interval for s in first.segments] == [s.clv_total_interval for s in again.segments]
    for seg in exported["segments"]:
        low, high = seg["clv_total_interval"]
        assert 0 <= low <= high
    # the same draws at a lower level give a range inside the 90% one
    narrow, _, _ = _clv(write_journey(tmp_path, log, "model bgnbd  interval 50%"))
    assert lo <= narrow.mean_clv_interval[0] <= narrow.mean_clv_interval[1] <= hi


def test_without_interval_the_intervals_are_null(tmp_path, log):
    _, _, exported = _clv(write_journey(tmp_path, log, "model bgnbd"))
    assert exported["mean_clv_interval"] is None and exported["holdout"] is None
    assert all(s["clv_total_interval"] is None for s in exported["segments"])


def test_observed_information_of_a_quadratic_is_its_inverse_hessian():
    from copisdsl.data.clv.fit import Optimum, observed_information

    hessian = np.array([[4.0, 1.0], [1.0, 3.0]])
    centre = np.array([0.5, -1.0])
    at = Optimum(theta=centre, value=7.0, gradient=np.zeros(2), hessian=hessian / 10.0, converged=True, edges=())
    errors, cov = observed_information(at, np.exp(centre), 10.0, ("u", "w"))
    assert cov == pytest.approx(np.linalg.inv(hessian), rel=1e-12)
    assert [errors["u"], errors["w"]] == pytest.approx(np.exp(centre) * np.sqrt(np.diag(np.linalg.inv(hessian))))
    saddle = Optimum(theta=centre, value=7.0, gradient=np.zeros(2), hessian=-hessian, converged=False, edges=())
    assert observed_information(saddle, np.exp(centre), 10.0, ("u", "w"))[1] is None  # not a maximum
    at_edge = Optimum(theta=centre, value=7.0, gradient=np.zeros(2), hessian=hessian, converged=False,
                      edges=(("w", "∞"),))
    errors, cov = observed_information(at_edge, np.exp(centre), 10.0, ("u", "w"))
    assert cov is None and np.isnan(errors["w"]) and np.isfinite(errors["u"])  # no covariance at a limit


def test_bgnbd_covariance_matches_the_analytic_gradient():
    """The covariance the fit records (the observed information at its
    optimum) against differences of the analytic gradient at the estimate."""
    from copisdsl.data.clv.bgnbd import _BGNBDData

    frame = bgnbd_log(customers=1500, seed=11)
    rfm = clv.rfm_summary(frame["customer_id"].to_numpy(), pd.to_datetime(frame["date"]).to_numpy(),
                          frame["amount"].to_numpy())
    bg = clv.fit_bgnbd(rfm.frequency, rfm.recency, rfm.T)
    cov = bg.log_covariance
    assert cov is not None and np.all(np.linalg.eigvalsh(cov) > 0)
    data = _BGNBDData(rfm.frequency, rfm.recency, rfm.T, np.ones(len(rfm)))
    theta, h = np.log(bg.as_tuple()), 1e-5
    hessian = np.array([(data.neg_ll_grad(theta + h * e)[1] - data.neg_ll_grad(theta - h * e)[1]) / (2 * h)
                        for e in np.eye(4)]) * len(rfm)
    assert np.linalg.inv(cov) == pytest.approx((hessian + hessian.T) / 2, rel=1e-3, abs=1e-2)


def draw_parameters(estimate, covariance, draws: int, seed: int) -> np.ndarray:
    """The parametric bootstrap, the delta method's reference: parameter
    vectors drawn from the normal distribution of the log-parameters."""
    rng = np.random.default_rng(seed)
    return np.exp(rng.multivariate_normal(np.log(np.asarray(estimate, dtype=float)), covariance, size=draws,
                                          method="cholesky"))


def central_interval(samples, level: float) -> tuple[float, float] | None:
    """The central ``level`` range of ``samples``; None when one is not finite."""
    values = np.asarray(samples, dtype=float)
    if values.size == 0 or not np.all(np.isfinite(values)):
        return None
    lo, hi = np.quantile(values, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return float(lo), float(hi)


def test_parameter_draws_follow_the_covariance_and_repeat():
    cov = np.array([[0.04, 0.01], [0.01, 0.09]])
    draws = draw_parameters((2.0, 0.5), cov, draws=4000, seed=5)
    assert np.array_equal(draws, draw_parameters((2.0, 0.5), cov, draws=4000, seed=5))
    assert np.mean(np.log(draws), axis=0) == pytest.approx(np.log([2.0, 0.5]), abs=0.02)
    assert np.cov(np.log(draws).T) == pytest.approx(cov, rel=0.1, abs=0.003)


def test_delta_intervals_of_a_linear_figure_are_exact():
    cov = np.array([[0.04, 0.01], [0.01, 0.09]])
    weights = np.array([[2.0, -1.0], [0.0, 3.0]])
    (lo1, hi1), (lo2, hi2) = clv.delta_intervals(lambda th: weights @ th + 5.0, np.zeros(2), cov, 0.95)
    sd = np.sqrt(np.diag(weights @ cov @ weights.T))
    assert (lo1, hi1) == pytest.approx((5 - 1.959964 * sd[0], 5 + 1.959964 * sd[0]), rel=1e-6)
    assert (lo2, hi2) == pytest.approx((5 - 1.959964 * sd[1], 5 + 1.959964 * sd[1]), rel=1e-6)


def test_delta_interval_agrees_with_a_parametric_bootstrap(tmp_path, log):
    """The method against its slower alternative: CLV recomputed for
    parameters drawn from the same normal distribution."""
    figures, _, exported = _clv(write_journey(tmp_path, log, "model bgnbd  interval 90%"))
    orders = log[log["amount"] > 0]
    rfm = clv.rfm_summary(orders["customer_id"].to_numpy(), pd.to_datetime(orders["date"]).to_numpy(),
                          orders["amount"].to_numpy())
    bg = clv.fit_bgnbd(rfm.frequency, rfm.recency, rfm.T)
    gg = clv.fit_gamma_gamma(rfm.frequency, rfm.monetary_value)
    bg_draws = draw_parameters(bg.as_tuple(), bg.log_covariance, draws=300, seed=1)
    gg_draws = draw_parameters(gg.as_tuple(), gg.log_covariance, draws=300, seed=2)
    means = [np.mean(clv.bgnbd_clv(rfm, tuple(b), tuple(g), margin=1.0, discount=0.1, horizon_months=36))
             for b, g in zip(bg_draws, gg_draws)]
    lo, hi = central_interval(means, 0.9)
    d_lo, d_hi = exported["mean_clv_interval"]
    width = d_hi - d_lo
    assert abs(lo - d_lo) < 0.15 * width and abs(hi - d_hi) < 0.15 * width


def test_central_interval():
    assert central_interval(np.arange(101.0), 0.9) == pytest.approx((5.0, 95.0))
    assert central_interval([1.0, float("nan")], 0.9) is None
