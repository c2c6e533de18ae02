"""Tests of the CLV mathematics in ``copisdsl.data.clv``.

The reference values come from hand computation, from naive re-implementations
written here independently of the module (per-customer loops, plain
``math.gamma``), and from Monte Carlo simulation of the BG/NBD and
Gamma-Gamma processes with tolerances derived from the simulation error.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

from copisdsl.data import clv
from copisdsl.data.clv import (
    RFM,
    BGNBDParams,
    GammaGammaParams,
    bgnbd_clv,
    bgnbd_expected_purchases,
    bgnbd_log_likelihood,
    bgnbd_probability_alive,
    bgnbd_unconditional_expected,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
    historic_clv,
    rfm_summary,
)

# CDNOW estimates from Fader, Hardie & Lee (2005), time unit = week
BG_TRUE = (0.243, 4.414, 0.793, 2.426)
# Gamma-Gamma estimates from Fader, Hardie & Lee (2005b)
GG_TRUE = (6.25, 3.74, 15.44)


# --------------------------------------------------------------------------
# helpers (independent of the module under test)
# --------------------------------------------------------------------------


def simulate_bgnbd(n, params, rng, t_low=27.0, t_high=39.0):
    """Simulate (x, t_x, T) for n customers of the BG/NBD process.

    Each customer makes a first purchase at 0 and is observed until T.  While
    alive, repeat purchases follow a Poisson process with rate lambda; after
    each repeat purchase the customer drops out with probability p.  The
    number of repeat purchases before drop-out J is geometric(p) on 1, 2, ...;
    the observed x is min(N, J) with N ~ Poisson(lambda T), and t_x is the
    x-th of N sorted uniform(0, T) times, i.e. T * Beta(x, N - x + 1).
    """
    r, alpha, a, b = params
    T = rng.uniform(t_low, t_high, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    J = rng.geometric(p)
    N = rng.poisson(lam * T)
    x = np.minimum(N, J)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(N - x + 1, 1)), 0.0)
    return x.astype(float), tx, T


def numerical_hessian(f, theta, rel_step=2e-4):
    """Central-difference Hessian of a scalar function."""
    theta = np.asarray(theta, dtype=float)
    k = len(theta)
    h = rel_step * np.abs(theta)
    H = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            def at(si, sj):
                t = theta.copy()
                t[i] += si * h[i]
                t[j] += sj * h[j]
                return f(t)
            H[i, j] = H[j, i] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[i] * h[j])
    return H


def standard_errors(f, theta):
    cov = np.linalg.inv(-numerical_hessian(f, theta))
    return np.sqrt(np.diag(cov))


def naive_bgnbd_ll(params, x, tx, T):
    """Eq. (6) of Fader, Hardie & Lee (2005) evaluated literally per customer
    (not in log space) with math.gamma; valid for small data only."""
    r, alpha, a, b = params
    total = 0.0
    for xi, txi, Ti in zip(x, tx, T):
        xi = int(xi)
        beta = lambda u, v: math.gamma(u) * math.gamma(v) / math.gamma(u + v)  # noqa: E731
        common = math.gamma(r + xi) * alpha**r / math.gamma(r)
        L = beta(a, b + xi) / beta(a, b) * common / (alpha + Ti) ** (r + xi)
        if xi > 0:
            L += beta(a + 1, b + xi - 1) / beta(a, b) * common / (alpha + txi) ** (r + xi)
        total += math.log(L)
    return total


def naive_gg_ll(params, x, m):
    """Gamma-Gamma marginal log-density of the mean spends (vectorised only
    over customers, written from the paper's formula)."""
    from scipy.special import gammaln

    p, q, v = params
    px = p * x
    return float(np.sum(
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v) + (px - 1) * np.log(m)
        + px * np.log(x) - (px + q) * np.log(v + m * x)
    ))


def simulate_gamma_gamma(n, params, rng):
    """x ~ 1 + Poisson(3) repeat purchases; nu ~ Gamma(q, rate v); each spend
    ~ Gamma(p, rate nu); returns x and the mean spend per customer (the sum
    of x Gamma(p, nu) spends is Gamma(p x, nu))."""
    p, q, v = params
    x = 1 + rng.poisson(3.0, n)
    nu = rng.gamma(q, 1.0 / v, n)
    m = rng.gamma(p * x, 1.0 / nu) / x
    return x.astype(float), m


# --------------------------------------------------------------------------
# rfm_summary
# --------------------------------------------------------------------------


def _hand_log():
    rows = [
        ("alice", "2024-01-01 10:00", 10.0),
        ("alice", "2024-01-01 15:00", 5.0),   # same day as above: one purchase of 15
        ("alice", "2024-01-05 09:00", 20.0),
        ("alice", "2024-01-11 09:00", 30.0),
        ("alice", "2024-01-11 18:00", 6.0),   # same day: 36
        ("bob", "2024-01-03 12:00", 7.5),     # one order only
        ("carol", "2024-01-02 08:00", 1.0),
        ("carol", "2024-01-09 08:00", 4.0),
        ("carol", "2024-01-20 08:00", 100.0),  # after observation_end
        ("dave", "2024-01-16 00:00", 3.0),     # only order after observation_end
    ]
    df = pd.DataFrame(rows, columns=["customer", "date", "amount"])
    df["date"] = pd.to_datetime(df["date"])
    # shuffle so nothing relies on input order
    return df.sample(frac=1.0, random_state=3).reset_index(drop=True)


def test_rfm_summary_hand_computed():
    df = _hand_log()
    s = rfm_summary(df["customer"], df["date"], df["amount"], observation_end="2024-01-15")
    assert list(s.customer) == ["alice", "bob", "carol"]
    np.testing.assert_array_equal(s.frequency, [2.0, 0.0, 1.0])
    np.testing.assert_array_equal(s.recency, [10.0, 0.0, 7.0])
    np.testing.assert_array_equal(s.T, [14.0, 12.0, 13.0])
    # alice's repeat days: 20 and 30 + 6 = 36 -> mean 28; carol: 4
    np.testing.assert_allclose(s.monetary_value, [28.0, 0.0, 4.0])
    np.testing.assert_array_equal(s.orders, [5, 2 - 1, 2])
    assert s.orders.dtype.kind == "i"
    np.testing.assert_allclose(s.revenue, [71.0, 7.5, 5.0])
    assert s.first.dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(
        s.first, np.array(["2024-01-01T10:00", "2024-01-03T12:00", "2024-01-02T08:00"], dtype="datetime64[ns]"))
    np.testing.assert_array_equal(
        s.last, np.array(["2024-01-11T18:00", "2024-01-03T12:00", "2024-01-09T08:00"], dtype="datetime64[ns]"))
    for field in ("frequency", "recency", "T", "monetary_value", "revenue"):
        assert getattr(s, field).dtype == np.float64


def test_rfm_summary_week_unit_and_numpy_input():
    df = _hand_log()
    s = rfm_summary(df["customer"].to_numpy(dtype=object), df["date"].to_numpy(), df["amount"].to_numpy(),
                    observation_end=np.datetime64("2024-01-15"), unit="week")
    np.testing.assert_allclose(s.recency, [10 / 7, 0.0, 1.0])
    np.testing.assert_allclose(s.T, [2.0, 12 / 7, 13 / 7])
    np.testing.assert_array_equal(s.frequency, [2.0, 0.0, 1.0])


def test_rfm_summary_default_observation_end_is_last_date():
    df = _hand_log()
    s = rfm_summary(df["customer"], df["date"], df["amount"])
    assert list(s.customer) == ["alice", "bob", "carol", "dave"]
    # last date is 2024-01-20
    np.testing.assert_array_equal(s.T, [19.0, 17.0, 18.0, 4.0])
    np.testing.assert_array_equal(s.frequency, [2.0, 0.0, 2.0, 0.0])
    np.testing.assert_allclose(s.monetary_value, [28.0, 0.0, 52.0, 0.0])


def test_rfm_summary_observation_end_is_a_calendar_day():
    # an order later on the observation day itself is kept (lifetimes semantics)
    df = _hand_log()
    s = rfm_summary(df["customer"], df["date"], df["amount"], observation_end="2024-01-11 12:00")
    assert list(s.customer) == ["alice", "bob", "carol"]
    np.testing.assert_array_equal(s.T, [10.0, 8.0, 9.0])
    np.testing.assert_allclose(s.monetary_value, [28.0, 0.0, 4.0])
    np.testing.assert_array_equal(s.orders, [5, 1, 2])


def test_rfm_summary_timezone_aware_dates_use_local_days():
    # 23:30 and 00:30 local time are different calendar days even though they
    # are one hour apart (and the same UTC day)
    date = pd.Series(pd.to_datetime(["2024-03-01 23:30", "2024-03-02 00:30"])).dt.tz_localize("Europe/Berlin")
    s = rfm_summary(["a", "a"], date, [1.0, 2.0])
    np.testing.assert_array_equal(s.frequency, [1.0])
    np.testing.assert_array_equal(s.recency, [1.0])
    np.testing.assert_array_equal(s.first, np.array(["2024-03-01T23:30"], dtype="datetime64[ns]"))


def test_rfm_summary_integer_ids_and_microsecond_dates():
    cust = np.array([7, 3, 7, 3, 7])
    date = np.array(["2023-05-01", "2023-05-01", "2023-05-03", "2023-05-02", "2023-05-03"], dtype="datetime64[us]")
    amt = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    s = rfm_summary(cust, date, amt)
    np.testing.assert_array_equal(s.customer, [3, 7])
    np.testing.assert_array_equal(s.frequency, [1.0, 1.0])
    np.testing.assert_array_equal(s.recency, [1.0, 2.0])
    np.testing.assert_array_equal(s.T, [2.0, 2.0])
    np.testing.assert_allclose(s.monetary_value, [4.0, 8.0])


def _naive_rfm(customer, date, amount, observation_end):
    """Straightforward per-customer loop implementation of the semantics."""
    obs_day = pd.Timestamp(observation_end).normalize()
    out = {}
    for c in sorted(set(customer)):
        rows = [(pd.Timestamp(d), a) for cc, d, a in zip(customer, date, amount)
                if cc == c and pd.Timestamp(d).normalize() <= obs_day]
        if not rows:
            continue
        per_day: dict = {}
        for d, a in rows:
            per_day[d.normalize()] = per_day.get(d.normalize(), 0.0) + a
        days = sorted(per_day)
        freq = len(days) - 1
        out[c] = dict(
            frequency=freq,
            recency=(days[-1] - days[0]).days,
            T=(obs_day - days[0]).days,
            monetary=(sum(per_day[d] for d in days[1:]) / freq) if freq else 0.0,
            orders=len(rows),
            revenue=sum(a for _, a in rows),
        )
    return out


@settings(max_examples=examples(60), deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(0, 20 * 24 - 1),
                  st.integers(-500, 5000)),
        min_size=1, max_size=40),
    obs_hours=st.integers(0, 20 * 24),
)
def test_rfm_summary_matches_naive_loop(rows, obs_hours):
    start = pd.Timestamp("2021-03-01")
    customer = [r[0] for r in rows]
    date = [start + pd.Timedelta(hours=r[1]) for r in rows]
    amount = [r[2] / 100 for r in rows]
    obs = start + pd.Timedelta(hours=obs_hours)
    expected = _naive_rfm(customer, date, amount, obs)
    if not expected:
        with pytest.raises(ValueError):
            rfm_summary(np.array(customer, dtype=object), pd.Series(date), np.array(amount), observation_end=obs)
        return
    s = rfm_summary(np.array(customer, dtype=object), pd.Series(date), np.array(amount), observation_end=obs)
    assert list(s.customer) == list(expected)
    np.testing.assert_array_equal(s.frequency, [e["frequency"] for e in expected.values()])
    np.testing.assert_array_equal(s.recency, [e["recency"] for e in expected.values()])
    np.testing.assert_array_equal(s.T, [e["T"] for e in expected.values()])
    np.testing.assert_allclose(s.monetary_value, [e["monetary"] for e in expected.values()], atol=1e-9)
    np.testing.assert_array_equal(s.orders, [e["orders"] for e in expected.values()])
    np.testing.assert_allclose(s.revenue, [e["revenue"] for e in expected.values()], atol=1e-9)


def test_rfm_summary_bad_input():
    d = pd.to_datetime(pd.Series(["2024-01-01"]))
    with pytest.raises(ValueError, match="empty"):
        rfm_summary([], np.array([], dtype="datetime64[ns]"), [])
    with pytest.raises(ValueError, match="same length"):
        rfm_summary(["a", "b"], d, [1.0])
    with pytest.raises(ValueError, match="NaN"):
        rfm_summary(["a"], d, [float("nan")])
    with pytest.raises(ValueError, match="observation_end"):
        rfm_summary(["a"], d, [1.0], observation_end="2023-12-31")
    with pytest.raises(ValueError, match="unit"):
        rfm_summary(["a"], d, [1.0], unit="month")
    with pytest.raises(ValueError, match="datetime"):
        rfm_summary(["a"], np.array([1.5]), [1.0])


# --------------------------------------------------------------------------
# BG/NBD likelihood and fit
# --------------------------------------------------------------------------


def test_bgnbd_log_likelihood_matches_naive_formula():
    rng = np.random.default_rng(7)
    x, tx, T = simulate_bgnbd(60, (0.9, 6.0, 1.2, 2.5), rng)
    assert x.max() <= 30  # keep math.gamma in range
    for params in [(0.9, 6.0, 1.2, 2.5), (0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 0.3, 7.0)]:
        expected = naive_bgnbd_ll(params, x, tx, T)
        got = bgnbd_log_likelihood(params, x, tx, T)
        assert got == pytest.approx(expected, rel=1e-10, abs=1e-9)
    # accepts the dataclass too
    got = bgnbd_log_likelihood(BGNBDParams(0.9, 6.0, 1.2, 2.5, 0.0), x, tx, T)
    assert got == pytest.approx(naive_bgnbd_ll((0.9, 6.0, 1.2, 2.5), x, tx, T), rel=1e-10)


@pytest.fixture(scope="module")
def bg_sample():
    rng = np.random.default_rng(20050101)
    return simulate_bgnbd(5000, BG_TRUE, rng)


@pytest.fixture(scope="module")
def bg_fit(bg_sample):
    return fit_bgnbd(*bg_sample)


def test_fit_bgnbd_recovers_parameters_within_3_se(bg_sample, bg_fit):
    x, tx, T = bg_sample
    est = np.array([bg_fit.r, bg_fit.alpha, bg_fit.a, bg_fit.b])
    se = standard_errors(lambda th: bgnbd_log_likelihood(tuple(th), x, tx, T), est)
    assert np.all(np.isfinite(se)) and np.all(se > 0)
    z = (est - np.array(BG_TRUE)) / se
    assert np.all(np.abs(z) < 3), f"estimates {est}, SE {se}, z {z}"
    # it is a maximum: the reported LL is the LL at the estimate and beats the truth
    assert bg_fit.log_likelihood == pytest.approx(bgnbd_log_likelihood(est, x, tx, T), rel=1e-12)
    assert bg_fit.log_likelihood >= bgnbd_log_likelihood(BG_TRUE, x, tx, T)
    for i in range(4):
        for factor in (0.99, 1.01):
            moved = est.copy()
            moved[i] *= factor
            assert bgnbd_log_likelihood(moved, x, tx, T) < bg_fit.log_likelihood


def test_fit_bgnbd_weights_equal_duplicated_rows(bg_sample):
    x, tx, T = (a[:300] for a in bg_sample)
    counts = np.arange(300) % 3 + 1
    weighted = fit_bgnbd(x, tx, T, weights=counts)
    expanded = fit_bgnbd(np.repeat(x, counts), np.repeat(tx, counts), np.repeat(T, counts))
    for name in ("r", "alpha", "a", "b"):
        assert getattr(weighted, name) == pytest.approx(getattr(expanded, name), rel=1e-4)
    assert weighted.log_likelihood == pytest.approx(expanded.log_likelihood, rel=1e-9)


def test_fit_bgnbd_is_unit_equivariant(bg_sample):
    # fitting in days instead of weeks scales alpha by 7 and nothing else
    x, tx, T = (a[:2000] for a in bg_sample)
    weeks = fit_bgnbd(x, tx, T)
    days = fit_bgnbd(x, tx * 7, T * 7)
    assert days.alpha == pytest.approx(7 * weeks.alpha, rel=1e-4)
    for name in ("r", "a", "b"):
        assert getattr(days, name) == pytest.approx(getattr(weeks, name), rel=1e-4)


# --------------------------------------------------------------------------
# BG/NBD expectations vs Monte Carlo
# --------------------------------------------------------------------------


def test_unconditional_expectation_matches_monte_carlo():
    rng = np.random.default_rng(11)
    n = 400_000
    r, alpha, a, b = BG_TRUE
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    J = rng.geometric(p)
    ts = np.array([1.0, 10.0, 39.0, 78.0])
    closed = bgnbd_unconditional_expected(BG_TRUE, ts)
    assert closed.shape == ts.shape
    for t, cf in zip(ts, closed):
        X = np.minimum(rng.poisson(lam * t), J)
        se = X.std(ddof=1) / math.sqrt(n)
        assert abs(X.mean() - cf) < 4 * se, (t, X.mean(), cf, se)
    # scalar in, float out; zero horizon, zero purchases
    assert isinstance(bgnbd_unconditional_expected(BG_TRUE, 39.0), float)
    assert bgnbd_unconditional_expected(BG_TRUE, 0.0) == 0.0


def test_unconditional_expectation_near_a_equal_one_is_continuous():
    vals = [bgnbd_unconditional_expected((0.5, 2.0, a, 3.0), 20.0) for a in (1 - 1e-3, 1 - 1e-7, 1.0, 1 + 1e-7, 1 + 1e-3)]
    assert all(np.isfinite(vals))
    assert vals[1] == pytest.approx(vals[2], rel=1e-6)
    assert vals[3] == pytest.approx(vals[2], rel=1e-6)
    assert vals[0] > vals[2] > vals[4]  # expected purchases fall as the drop-out odds rise


@pytest.mark.parametrize("x,tx,T", [(0, 0.0, 30.0), (1, 3.0, 38.0), (2, 20.0, 38.0), (5, 35.0, 38.0)])
def test_conditional_expectation_and_p_alive_match_monte_carlo(x, tx, T):
    """Importance sampling from the prior: draw (lambda, p), weight each draw
    by the individual likelihood of (x, t_x, T), split it into the 'alive at
    T' part (1-p)^x lambda^x e^(-lambda T) and the 'dropped at t_x' part, and
    simulate purchases in (T, T+t] for alive draws as min(Poisson(lambda t),
    Geometric(p)) (memorylessness)."""
    rng = np.random.default_rng(1000 + 17 * x)
    n = 400_000
    r, alpha, a, b = BG_TRUE
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    t = 20.0
    log_alive = x * np.log1p(-p) + x * np.log(lam) - lam * T
    alive_w = np.exp(log_alive)
    dead_w = np.exp(np.log(p) + (x - 1) * np.log1p(-p) + x * np.log(lam) - lam * tx) if x > 0 else 0.0
    L = alive_w + dead_w
    Y = np.minimum(rng.poisson(lam * t), rng.geometric(p))

    def ratio(u, v):
        R = u.mean() / v.mean()
        se = np.sqrt(np.var(u - R * v, ddof=1) / n) / v.mean()
        return R, se

    ess = L.sum() ** 2 / np.sum(L**2)
    assert ess > 2000  # the importance sampler is usable for these cases

    mc_alive, se_alive = ratio(alive_w, L)
    cf_alive = bgnbd_probability_alive(BG_TRUE, [x], [tx], [T])[0]
    assert abs(mc_alive - cf_alive) < 4 * se_alive + 1e-12, (mc_alive, cf_alive, se_alive)

    mc_e, se_e = ratio(alive_w * Y, L)
    cf_e = bgnbd_expected_purchases(BG_TRUE, t, [x], [tx], [T])[0]
    assert abs(mc_e - cf_e) < 4 * se_e, (mc_e, cf_e, se_e)


def test_expectation_fallback_for_extreme_parameters():
    # the quadrature used when hyp2f1 fails agrees with hyp2f1 where both work
    r, alpha, a, b = (np.array([v, v]) for v in BG_TRUE)
    t = np.array([5.0, 78.0])
    np.testing.assert_allclose(clv.bgnbd._uncond_quadrature(r, alpha, a, b, t),
                               bgnbd_unconditional_expected(BG_TRUE, t), rtol=1e-8)
    # a degenerate fit (homogeneous Poisson buyers, p ~ 0): hyp2f1 returns NaN
    # here; the answer must be the no-drop-out limit lambda * t = r t / alpha
    extreme = (2.1e6, 1.24e8, 1.13e-7, 5.05e5)
    for t in (0.5, 30.0, 365.0):
        e = bgnbd_unconditional_expected(extreme, t)
        assert e == pytest.approx(extreme[0] * t / extreme[1], rel=1e-3)
    cond = bgnbd_expected_purchases(extreme, 30.0, [0.0, 20.0], [0.0, 300.0], [100.0, 300.0])
    assert np.all(np.isfinite(cond)) and np.all(cond > 0)


def test_expected_purchases_broadcasts_over_horizons():
    x, tx, T = np.array([0.0, 2.0, 7.0]), np.array([0.0, 5.0, 30.0]), np.array([30.0, 38.0, 38.0])
    ts = np.array([0.0, 5.0, 10.0, 40.0])
    grid = bgnbd_expected_purchases(BG_TRUE, ts[:, None], x, tx, T)
    assert grid.shape == (4, 3)
    np.testing.assert_array_equal(grid[0], 0.0)
    assert np.all(np.diff(grid, axis=0) > 0)
    for k, t in enumerate(ts):
        np.testing.assert_allclose(grid[k], bgnbd_expected_purchases(BG_TRUE, t, x, tx, T), rtol=1e-12)
    # x = 0 customer: conditional = unconditional with alpha -> alpha + T
    r, alpha, a, b = BG_TRUE
    assert grid[2, 0] == pytest.approx(bgnbd_unconditional_expected((r, alpha + 30.0, a, b), 10.0), rel=1e-12)
    p_alive = bgnbd_probability_alive(BG_TRUE, x, tx, T)
    assert p_alive[0] == 1.0 and 0 < p_alive[1] < 1 and 0 < p_alive[2] < 1


# --------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------


def test_fit_gamma_gamma_recovers_parameters_within_3_se():
    rng = np.random.default_rng(2005)
    x, m = simulate_gamma_gamma(5000, GG_TRUE, rng)
    # customers without repeat purchases are ignored by the fit
    x_all = np.concatenate([x, np.zeros(500)])
    m_all = np.concatenate([m, np.zeros(500)])
    fit = fit_gamma_gamma(x_all, m_all)
    est = np.array([fit.p, fit.q, fit.v])
    se = standard_errors(lambda th: naive_gg_ll(th, x, m), est)
    z = (est - np.array(GG_TRUE)) / se
    assert np.all(np.abs(z) < 3), f"estimates {est}, SE {se}, z {z}"
    assert fit.log_likelihood == pytest.approx(naive_gg_ll(est, x, m), rel=1e-10)
    assert fit.log_likelihood >= naive_gg_ll(GG_TRUE, x, m)


def test_gamma_gamma_expected_spend_formula():
    p, q, v = GG_TRUE
    x = np.array([0.0, 1.0, 4.0])
    m = np.array([0.0, 20.0, 35.0])
    got = gamma_gamma_expected_spend(GammaGammaParams(p, q, v, 0.0), x, m)
    pop = p * v / (q - 1)
    expected = [pop] + [((q - 1) / (p * xi + q - 1)) * pop + (p * xi / (p * xi + q - 1)) * mi
                        for xi, mi in zip(x[1:], m[1:])]
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    # q <= 1: the population mean is infinite
    assert np.isnan(gamma_gamma_expected_spend((2.0, 0.8, 10.0), [0.0], [0.0])[0])


# --------------------------------------------------------------------------
# CLV
# --------------------------------------------------------------------------


def _rfm(**cols):
    n = len(cols["frequency"])
    base = dict(customer=np.arange(n), recency=np.zeros(n), T=np.zeros(n), monetary_value=np.zeros(n),
                orders=np.ones(n, dtype=np.int64), revenue=np.zeros(n),
                first=np.zeros(n, dtype="datetime64[ns]"), last=np.zeros(n, dtype="datetime64[ns]"))
    base.update({k: np.asarray(v) for k, v in cols.items()})
    return RFM(**base)


def test_historic_clv_hand_computed():
    df = _hand_log()
    s = rfm_summary(df["customer"], df["date"], df["amount"], observation_end="2024-01-15")
    got = historic_clv(s, margin=0.3, discount=0.1, horizon_years=2.5)
    factor = 1 / 1.1 + 1 / 1.1**2 + 0.5 / 1.1**3
    # every customer has T < 1 year, so the span is floored at one year
    np.testing.assert_allclose(got, np.array([71.0, 7.5, 5.0]) * 0.3 * factor, rtol=1e-12)

    # a customer observed two years: revenue / 2 per year; weeks convert to days
    long = _rfm(frequency=[3.0], T=[2 * 365.25 / 7], orders=[4], revenue=[400.0])
    got = historic_clv(long, margin=0.5, discount=0.0, horizon_years=3, unit="week")
    assert got[0] == pytest.approx(200.0 * 0.5 * 3, rel=1e-12)
    assert historic_clv(long, margin=0.5, discount=0.1, horizon_years=0, unit="week")[0] == 0.0
    with pytest.raises(ValueError):
        historic_clv(long, margin=0.5, discount=-1.0, horizon_years=1)
    with pytest.raises(ValueError):
        historic_clv(long, margin=0.5, discount=0.1, horizon_years=-1)


def test_bgnbd_clv_matches_explicit_monthly_sum():
    bg = BGNBDParams(*BG_TRUE, log_likelihood=0.0)
    gg = GammaGammaParams(*GG_TRUE, log_likelihood=0.0)
    s = _rfm(frequency=[0.0, 2.0, 6.0, 2.0], recency=[0.0, 10.0, 30.0, 10.0], T=[20.0, 38.0, 38.0, 38.0],
             monetary_value=[0.0, 30.0, 12.0, 30.0])
    margin, discount, H = 0.25, 0.12, 7.5
    got = bgnbd_clv(s, bg, gg, margin=margin, discount=discount, horizon_months=H, unit="week")
    month = 365.25 / 12 / 7  # in weeks
    spend = gamma_gamma_expected_spend(gg, s.frequency, s.monetary_value)
    assert spend[0] == pytest.approx(GG_TRUE[0] * GG_TRUE[2] / (GG_TRUE[1] - 1))
    expected = np.zeros(4)
    prev = np.zeros(4)
    for k in range(1, 9):
        cum = bgnbd_expected_purchases(bg, min(k, H) * month, s.frequency, s.recency, s.T)
        expected += (cum - prev) / (1 + discount) ** (k / 12)
        prev = cum
    expected *= margin * spend
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    assert got[1] == got[3]  # identical customers, identical value

    # no discounting: margin * spend * E[purchases over the horizon]
    flat = bgnbd_clv(s, bg, gg, margin=1.0, discount=0.0, horizon_months=12, unit="week")
    total = bgnbd_expected_purchases(bg, 12 * month, s.frequency, s.recency, s.T)
    np.testing.assert_allclose(flat, spend * total, rtol=1e-10)
    np.testing.assert_array_equal(bgnbd_clv(s, bg, gg, margin=1, discount=0.1, horizon_months=0), 0.0)


def test_bgnbd_clv_with_q_below_one_uses_observed_mean_for_new_customers():
    bg = BGNBDParams(*BG_TRUE, log_likelihood=0.0)
    gg = GammaGammaParams(2.0, 0.8, 10.0, log_likelihood=0.0)
    s = _rfm(frequency=[0.0, 2.0, 4.0], recency=[0.0, 10.0, 20.0], T=[20.0, 38.0, 38.0],
             monetary_value=[0.0, 30.0, 10.0])
    got = bgnbd_clv(s, bg, gg, margin=1.0, discount=0.0, horizon_months=6, unit="week")
    purchases = bgnbd_expected_purchases(bg, 6 * 365.25 / 12 / 7, s.frequency, s.recency, s.T)
    assert got[0] == pytest.approx(20.0 * purchases[0], rel=1e-10)
    assert np.all(np.isfinite(got))


@pytest.mark.filterwarnings("ignore:fit_bgnbd:RuntimeWarning")
def test_end_to_end_pipeline_on_simulated_log():
    # uniform random purchases: no heterogeneity, so the BG/NBD fit runs to a
    # limiting case of the model; everything downstream must stay finite
    rng = np.random.default_rng(99)
    n_rows = 5000
    cust = rng.integers(0, 800, n_rows)
    day = rng.integers(0, 365, n_rows)
    date = np.datetime64("2023-01-01", "ns") + (day * 86400 + rng.integers(0, 86400, n_rows)).astype("timedelta64[s]")
    amount = rng.gamma(3.0, 10.0, n_rows)
    s = rfm_summary(pd.Series(cust.astype(str)), pd.Series(date), amount)
    assert s.orders.sum() == n_rows
    assert s.revenue.sum() == pytest.approx(amount.sum())
    bg = fit_bgnbd(s.frequency, s.recency, s.T)
    gg = fit_gamma_gamma(s.frequency, s.monetary_value)
    value = bgnbd_clv(s, bg, gg, margin=0.3, discount=0.1, horizon_months=12)
    hist = historic_clv(s, margin=0.3, discount=0.1, horizon_years=1)
    assert value.shape == hist.shape == (len(s.customer),)
    assert np.all(np.isfinite(value)) and np.all(value >= 0)
    assert np.all(np.isfinite(hist)) and np.all(hist >= 0)


# --------------------------------------------------------------------------
# degenerate inputs
# --------------------------------------------------------------------------


def test_fit_gamma_gamma_without_repeat_customers_raises():
    with pytest.raises(ValueError, match="no repeat customers"):
        fit_gamma_gamma([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="no repeat customers"):
        fit_gamma_gamma([2.0, 0.0], [0.0, 5.0])  # repeat buyer with zero spend only


def test_empty_inputs_raise_value_error():
    with pytest.raises(ValueError, match="empty"):
        fit_bgnbd([], [], [])
    with pytest.raises(ValueError, match="empty"):
        fit_gamma_gamma([], [])
    with pytest.raises(ValueError, match="empty"):
        bgnbd_log_likelihood(BG_TRUE, [], [], [])
    with pytest.raises(ValueError, match="empty"):
        bgnbd_probability_alive(BG_TRUE, [], [], [])


def test_invalid_inputs_raise_value_error():
    with pytest.raises(ValueError, match="same length"):
        fit_bgnbd([1.0, 2.0], [1.0], [3.0, 4.0])
    with pytest.raises(ValueError, match="NaN"):
        fit_bgnbd([1.0], [float("nan")], [3.0])
    with pytest.raises(ValueError, match="recency"):
        fit_bgnbd([1.0], [5.0], [3.0])
    with pytest.raises(ValueError, match="whole numbers"):
        fit_bgnbd([0.5], [1.0], [3.0])
    with pytest.raises(ValueError, match="T is 0"):
        fit_bgnbd([0.0, 0.0], [0.0, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="positive"):
        bgnbd_log_likelihood((0.0, 1.0, 1.0, 1.0), [1.0], [1.0], [2.0])
    with pytest.raises(ValueError):
        bgnbd_log_likelihood((1.0, 1.0, 1.0), [1.0], [1.0], [2.0])


def _fit_quietly(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args)


@pytest.mark.parametrize("data", [
    ([2.0], [10.0], [20.0]),                       # one customer
    ([0.0], [0.0], [20.0]),                        # one customer, no repeat
    ([0.0] * 50, [0.0] * 50, list(np.linspace(1, 40, 50))),  # nobody repeats
    ([1.0, 1.0], [5.0, 5.0], [5.0, 5.0]),          # purchased on the last day
])
def test_fit_bgnbd_degenerate_data_returns_finite_params(data):
    fit = _fit_quietly(fit_bgnbd, *data)
    for name in ("r", "alpha", "a", "b"):
        value = getattr(fit, name)
        assert math.isfinite(value) and value > 0
    assert math.isfinite(fit.log_likelihood) and fit.log_likelihood <= 1e-9
    # the downstream functions work with such a fit
    e = bgnbd_expected_purchases(fit, 10.0, *data)
    assert np.all(np.isfinite(e)) and np.all(e >= 0)


def test_fit_bgnbd_without_repeat_buyers_warns():
    with pytest.warns(RuntimeWarning, match="edge of the search space"):
        fit_bgnbd([0.0] * 50, [0.0] * 50, np.linspace(1, 40, 50))


def test_single_customer_everywhere():
    d = pd.to_datetime(pd.Series(["2024-02-01 10:00"]))
    s = rfm_summary(["solo"], d, [12.5])
    assert list(s.customer) == ["solo"] and s.T[0] == 0.0 and s.frequency[0] == 0.0
    hist = historic_clv(s, margin=0.4, discount=0.1, horizon_years=1)
    assert hist[0] == pytest.approx(12.5 * 0.4 / 1.1)
    gg = _fit_quietly(fit_gamma_gamma, [3.0], [20.0])
    assert all(math.isfinite(v) and v > 0 for v in (gg.p, gg.q, gg.v))
    bg = BGNBDParams(*BG_TRUE, log_likelihood=0.0)
    value = bgnbd_clv(s, bg, GammaGammaParams(*GG_TRUE, 0.0), margin=0.4, discount=0.1, horizon_months=12)
    assert value.shape == (1,) and np.isfinite(value[0]) and value[0] > 0


def test_public_api_has_docstrings():
    for name in clv.__all__:
        obj = getattr(clv, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name


# --------------------------------------------------------------------------
# optional cross-check against the reference implementation
# --------------------------------------------------------------------------


def test_matches_lifetimes_when_installed():
    """Skipped unless the (optional, not a dependency) ``lifetimes`` package is
    importable: same RFM table, same BG/NBD and Gamma-Gamma estimates, same
    predictions."""
    lt_utils = pytest.importorskip("lifetimes.utils")
    lifetimes = pytest.importorskip("lifetimes")
    # a transaction log drawn from the BG/NBD process (per day, r=0.5,
    # alpha=20, a=1.2, b=6), first purchases spread over 300 days
    rng = np.random.default_rng(8)
    cust, day = [], []
    for c in range(3000):
        t, lam, p = float(rng.integers(0, 300)), rng.gamma(0.5, 1 / 20), rng.beta(1.2, 6.0)
        cust.append(c)
        day.append(int(t))
        while True:
            t += rng.exponential(1 / lam)
            if t >= 365:
                break
            cust.append(c)
            day.append(int(t))
            if rng.random() < p:
                break
    cust, day = np.array(cust), np.array(day)
    n_rows = len(cust)
    date = np.datetime64("2022-01-01", "ns") + (day * 86400 + rng.integers(0, 86400, n_rows)).astype("timedelta64[s]")
    nu = rng.gamma(4.0, 1 / 150.0, 3000)  # Gamma-Gamma spend heterogeneity
    amount = np.round(rng.gamma(2.0, 1 / nu[cust]), 2)
    log = pd.DataFrame({"customer": cust, "date": date, "amount": amount})
    obs = "2022-12-31"
    ref = lt_utils.summary_data_from_transaction_data(log, "customer", "date", monetary_value_col="amount",
                                                      observation_period_end=obs, freq="D")
    s = rfm_summary(log["customer"], log["date"], log["amount"], observation_end=obs)
    np.testing.assert_array_equal(s.customer, ref.index.to_numpy())
    for name in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(getattr(s, name), ref[name].to_numpy())
    np.testing.assert_allclose(s.monetary_value, ref["monetary_value"].to_numpy(), rtol=1e-12, atol=1e-9)

    bgf = lifetimes.BetaGeoFitter().fit(ref["frequency"].to_numpy(), ref["recency"].to_numpy(), ref["T"].to_numpy())
    bg = fit_bgnbd(s.frequency, s.recency, s.T)
    ref_params = tuple(float(bgf.params_[k]) for k in ("r", "alpha", "a", "b"))
    # compare likelihoods (the estimates themselves differ by optimiser tolerance)
    assert bg.log_likelihood >= bgnbd_log_likelihood(ref_params, s.frequency, s.recency, s.T) - 1e-3
    np.testing.assert_allclose([bg.r, bg.alpha, bg.a, bg.b], ref_params, rtol=1e-3)
    expected = bgf.conditional_expected_number_of_purchases_up_to_time(
        30, ref["frequency"].to_numpy(), ref["recency"].to_numpy(), ref["T"].to_numpy())
    np.testing.assert_allclose(bgnbd_expected_purchases(ref_params, 30, s.frequency, s.recency, s.T),
                               np.asarray(expected), rtol=1e-9)

    rep = ref[ref["frequency"] > 0]
    ggf = lifetimes.GammaGammaFitter().fit(rep["frequency"].to_numpy(), rep["monetary_value"].to_numpy())
    gg = fit_gamma_gamma(s.frequency, s.monetary_value)
    assert 1 < gg.q < 50  # an interior optimum, so the estimates are comparable
    np.testing.assert_allclose([gg.p, gg.q, gg.v], [float(ggf.params_[k]) for k in ("p", "q", "v")], rtol=1e-3)


def test_clv_months_run_once_per_distinct_frequency_and_age_yet_match_the_monthly_sum():
    # Whole days, as the pipeline has them: many customers share (x, T) but not t_x.
    rng = np.random.default_rng(7)
    x, tx, T = simulate_bgnbd(3000, BG_TRUE, rng)
    T = np.round(T)
    tx = np.minimum(np.round(tx), T)
    s = _rfm(frequency=x, recency=tx, T=T, monetary_value=np.where(x > 0, rng.uniform(5, 50, len(x)), 0.0))
    shared = len(np.unique(np.column_stack([x, T]), axis=0))
    assert shared < len(np.unique(np.column_stack([x, tx, T]), axis=0)) / 2  # the case the shortcut is for
    bg = BGNBDParams(*BG_TRUE, log_likelihood=0.0)
    gg = GammaGammaParams(*GG_TRUE, log_likelihood=0.0)
    pn = clv.ParetoNBDParams(0.55, 10.6, 0.61, 11.7, log_likelihood=0.0)
    month = 365.25 / 12 / 7
    spend = gamma_gamma_expected_spend(gg, s.frequency, s.monetary_value)
    for value, expected_purchases, params in ((bgnbd_clv, bgnbd_expected_purchases, bg),
                                              (clv.pareto_clv, clv.pareto_expected_purchases, pn)):
        got = value(s, params, gg, margin=0.3, discount=0.1, horizon_months=5, unit="week")
        want, prev = np.zeros(len(x)), np.zeros(len(x))
        for k in range(1, 6):
            cum = expected_purchases(params, k * month, s.frequency, s.recency, s.T)
            want += (cum - prev) / (1.1) ** (k / 12)
            prev = cum
        np.testing.assert_allclose(got, 0.3 * spend * want, rtol=1e-10)


def _spy_on_fitting(monkeypatch):
    """Record each sample drawn and each search run (on how many rows)."""
    from copisdsl.data.clv import fit as fitting

    seen = {"samples": [], "searches": []}
    sample_rows, search = fitting.sample_rows, fitting._search

    def sampling(*args):
        seen["samples"].append(sample_rows(*args))
        return seen["samples"][-1]

    def searching(fun, *args):
        seen["searches"].append(fun)
        return search(fun, *args)

    monkeypatch.setattr(fitting, "sample_rows", sampling)
    monkeypatch.setattr(fitting, "_search", searching)
    return fitting, seen


def test_a_fit_on_many_distinct_rows_searches_a_sample_and_reaches_the_full_maximum(monkeypatch):
    fitting, seen = _spy_on_fitting(monkeypatch)
    rng = np.random.default_rng(11)
    x, tx, T = simulate_bgnbd(45_000, BG_TRUE, rng)  # 45,000 distinct rows: past 2 x SAMPLE_ROWS
    quick = fit_bgnbd(x, tx, T)
    sample = seen["samples"][0]
    assert sample is not None and len(sample[1]) <= fitting.SAMPLE_ROWS
    assert sample[1].sum() == pytest.approx(len(x))  # the sample stands for every row
    assert len(seen["searches"]) == 1  # the search ran on the sample only; Newton polished on every row
    monkeypatch.setattr(fitting, "SAMPLE_ROWS", 10**9)  # the search on every row, as before
    seen["samples"].clear()
    full = fit_bgnbd(x, tx, T)
    assert seen["samples"] == [None]
    assert quick.converged and full.converged
    for name in ("r", "alpha", "a", "b"):
        assert getattr(quick, name) == pytest.approx(getattr(full, name), rel=1e-6), name
    assert quick.log_likelihood == pytest.approx(full.log_likelihood, rel=1e-12)


def test_newton_takes_a_step_to_the_maximum_that_rounding_hides_from_the_value():
    """Near the maximum a step changes a likelihood's value below its
    rounding (a sum over many rows comes out a unit in the last place
    higher or lower): the gradient, shrunk, tells the step is good."""
    from copisdsl.data.clv import fit as fitting

    def fun(theta):
        t = float(theta[0])
        bump = 2.3e-16 if abs(t) < 5e-10 else 0.0  # the sum rounded up at the maximum
        return 1.0 + 50.0 * t * t + bump, np.array([100.0 * t])

    theta, value, grad, h = fitting._newton(fun, np.array([1e-9]))
    assert abs(grad[0]) < fitting.GRADIENT_TOLERANCE  # 1e-7 where it started
    assert value == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(h, [[100.0]], rtol=1e-6)


def test_newton_where_no_step_decreases_the_value_returns_the_hessian_it_has():
    """A fresh Hessian whose steps find no decrease ends the search: that
    Hessian is the point's own, returned as it is, not computed again (2k
    more evaluations on every row; 2k^2 + 1 with a numeric gradient)."""
    from copisdsl.data.clv import fit as fitting

    calls = []

    def fun(theta):  # a minimum at the start, and a gradient that says otherwise
        calls.append(theta.copy())
        return 1e3 * float(np.sum((theta - 0.5) ** 2)), np.array([1.0, -1.0]) * 1e-3

    theta, value, grad, h = fitting._newton(fun, np.array([0.5, 0.5]))
    assert value == 0.0 and np.array_equal(theta, [0.5, 0.5])
    np.testing.assert_array_equal(h, np.zeros((2, 2)))
    halvings = sum(1 for k in range(64) if 0.5**k > 1e-12)  # every step tried, down to 1e-12
    assert len(calls) == 1 + 2 * len(theta) + halvings  # the first value, one Hessian, the steps


def test_the_polish_on_every_row_starts_from_the_samples_hessian_and_keeps_a_good_one(monkeypatch):
    """Each Hessian costs 2k evaluations on every row: the polish takes its
    first steps on the sample's Hessian and keeps a Hessian while its steps
    shrink the gradient, computing one afresh only where the maximum is
    decided (27 evaluations on every row before, here 11 or 12)."""
    from copisdsl.data.clv import bgnbd
    from copisdsl.data.clv import fit as fitting

    evaluations = []
    objective = bgnbd._BGNBDData.neg_ll_grad

    def counted(self, theta):
        evaluations.append(len(self.w) > fitting.SAMPLE_ROWS)
        return objective(self, theta)

    monkeypatch.setattr(bgnbd._BGNBDData, "neg_ll_grad", counted)
    for seed in (11, 12):
        evaluations.clear()
        x, tx, T = simulate_bgnbd(45_000, BG_TRUE, np.random.default_rng(seed))
        fitted = fit_bgnbd(x, tx, T)
        assert fitted.converged
        assert sum(evaluations) <= 14, seed  # the last Hessian alone is 8


@pytest.mark.parametrize("fit", ["bgnbd", "gamma_gamma"])
def test_a_sampled_fit_at_a_limit_of_the_model_is_the_unsampled_fit(monkeypatch, fit):
    # Nobody buys twice (BG/NBD), everyone spends the same (Gamma-Gamma): the
    # sample's search ends at a limit, and the search on every row, from the
    # same starts, gives what it gives without a sample, to the bit.
    fitting, seen = _spy_on_fitting(monkeypatch)
    rng = np.random.default_rng(2)
    n = 45_000
    if fit == "bgnbd":
        args = (np.zeros(n), np.zeros(n), rng.uniform(10.0, 50.0, n))
        run = fit_bgnbd
    else:
        x = rng.integers(1, 30, n).astype(float)
        args = (x, 20.0 + rng.uniform(0.0, 1e-3, n))
        run = fit_gamma_gamma

    def quiet():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return run(*args)

    sampled = quiet()
    assert seen["samples"][0] is not None and len(seen["searches"]) == 2  # the sample's, then every row's
    monkeypatch.setattr(fitting, "SAMPLE_ROWS", 10**9)
    unsampled = quiet()
    assert sampled.edges and sampled.edges == unsampled.edges
    assert sampled == unsampled


@pytest.mark.parametrize("params", [BG_TRUE, (2.0, 0.5, 3.0, 0.4), (0.05, 40.0, 0.2, 60.0)])
def test_the_fit_objective_is_the_log_likelihood_and_its_gradient(params):
    # Whole days (repeated T and t_x), customers without repeats, weights, b < 1.
    from copisdsl.data.clv.bgnbd import _BGNBDData

    rng = np.random.default_rng(3)
    x, tx, T = simulate_bgnbd(4000, BG_TRUE, rng)
    T = np.round(T)
    tx = np.minimum(np.round(tx), T)
    w = rng.integers(1, 4, len(x)).astype(float)
    data = _BGNBDData(x, tx, T, w)
    theta = np.log(params)
    value, grad = data.neg_ll_grad(theta)
    naive = [naive_bgnbd_ll(params, [xi], [txi], [Ti]) for xi, txi, Ti in zip(x, tx, T)]
    assert value == pytest.approx(-np.dot(w, naive) / w.sum(), rel=1e-10)
    step = 1e-6
    for i in range(4):
        e = np.zeros(4)
        e[i] = step
        numeric = (data.neg_ll_grad(theta + e)[0] - data.neg_ll_grad(theta - e)[0]) / (2 * step)
        assert grad[i] == pytest.approx(numeric, rel=1e-6, abs=5e-8), i


_VALUES = st.one_of(
    st.lists(st.integers(-50, 400), min_size=1, max_size=60).map(lambda v: np.array(v, dtype=np.int64)),
    st.lists(st.integers(0, 3000), min_size=1, max_size=60).map(lambda v: np.array(v, dtype=float)),
    st.lists(st.integers(-3, 3), min_size=1, max_size=60).map(lambda v: np.array(v, dtype=float) + 0.5),
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60).map(np.array),
    st.lists(st.sampled_from([-2**62, -1, 0, 2**62]), min_size=1, max_size=20).map(
        lambda v: np.array(v, dtype=np.int64)),
    st.lists(st.sampled_from([0.0, 1.0, 1e17, 1e17 + 16, np.inf, np.nan]), min_size=1, max_size=20).map(np.array),
    st.lists(st.sampled_from([0, 1, 2**60 + 1, 2**60 + 2, 2**64 - 1]), min_size=1, max_size=20).map(
        lambda v: np.array(v, dtype=np.uint64)),
    st.lists(st.integers(-100, 100), min_size=1, max_size=60).map(lambda v: np.array(v, dtype=np.int8)),
    st.lists(st.integers(0, 50), min_size=1, max_size=60).map(lambda v: np.array(v, dtype=np.float32) / 4),
)


@given(_VALUES)
def test_distinct_values_counted_or_sorted_are_numpys_unique(col):
    """Whole numbers of a short range are counted, anything else sorted:
    either way the values, their type and the indices are ``np.unique``'s."""
    from copisdsl.data.clv.fit import distinct

    uniq, inverse = distinct(col)
    want, want_inverse = np.unique(col, return_inverse=True)
    assert uniq.dtype == want.dtype
    np.testing.assert_array_equal(uniq, want)
    np.testing.assert_array_equal(inverse, want_inverse.ravel())
    np.testing.assert_array_equal(uniq[inverse], col)


def test_distinct_counts_whole_days_and_sorts_other_values(monkeypatch):
    """The counting path is taken for days and skipped for fractions and
    for a range far wider than the values (where counting would allocate
    the range)."""
    from copisdsl.data.clv import fit as fitting

    sorts = []
    real_unique = np.unique
    monkeypatch.setattr(fitting.np, "unique", lambda *a, **k: sorts.append(1) or real_unique(*a, **k))
    days = np.arange(200_000, dtype=float) % 730
    fitting.distinct(days)
    assert sorts == []
    fitting.distinct(days / 7.0)
    fitting.distinct(np.array([0, 10**12], dtype=np.int64))
    assert sorts == [1, 1]


def test_the_bgnbd_likelihood_of_days_and_a_scale_is_the_rescaled_one_with_no_sort(monkeypatch):
    """Given whole days and the rescaling, the likelihood's distinct times
    are counted, not sorted, and the value and gradient are those of the
    rescaled times bit for bit."""
    from copisdsl.data.clv import fit as fitting
    from copisdsl.data.clv.bgnbd import _BGNBDData

    rng = np.random.default_rng(3)
    T = rng.integers(1, 730, 5000).astype(float)
    tx = np.floor(T * rng.uniform(0, 1, 5000))
    x = np.where(tx > 0, rng.integers(1, 20, 5000), 0).astype(float)
    w, scale, theta = np.ones(5000), 10.0 / T.max(), np.array([-0.3, 0.2, 0.1, 1.5])
    rescaled = _BGNBDData(x, tx * scale, T * scale, w).neg_ll_grad(theta)
    sorts = []
    real_unique = np.unique
    monkeypatch.setattr(fitting.np, "unique", lambda *a, **k: sorts.append(1) or real_unique(*a, **k))
    value, grad = _BGNBDData(x, tx, T, w, scale).neg_ll_grad(theta)
    assert sorts == []
    assert value == rescaled[0]
    np.testing.assert_array_equal(grad, rescaled[1])


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 400), st.integers(0, 400)), min_size=1, max_size=80))
def test_purchase_rows_are_the_distinct_rescaled_rows_with_their_counts(rows):
    """Aggregated before rescaling (to count whole days), the rows are still
    exactly the distinct rescaled rows, in order, with their counts."""
    from copisdsl.data.clv.fit import purchase_rows

    x, tx, T = (np.array(c, dtype=float) for c in zip(*rows))
    tx, T = np.where(x > 0, np.minimum(tx, T), 0.0), T + 1.0
    got = purchase_rows(x, tx, T)
    s = 10.0 / T.max()
    want, counts = np.unique(np.column_stack((x, tx * s, T * s)), axis=0, return_counts=True)
    np.testing.assert_array_equal(np.column_stack((got.xa, got.txa, got.Ta)), want)
    np.testing.assert_array_equal(got.wa, counts)
