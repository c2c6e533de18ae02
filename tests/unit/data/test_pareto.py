"""The Pareto/NBD model: its likelihood against the integral it is a closed
form of, its hypergeometric function against the power series, weights
against duplicated rows, and its predictions' limits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st
from scipy import integrate, special

from copisdsl.data import clv
from copisdsl.data.clv.pareto import _log_hyp2f1_c_a1


def _likelihood_by_integration(r, alpha, s, beta, x, tx, T) -> float:
    """The likelihood from its definition: alive at T, or died at some
    tau in (t_x, T], integrated numerically over tau."""
    head = special.gammaln(r + x) - special.gammaln(r) + r * math.log(alpha)
    alive = (alpha + T) ** -(r + x) * (beta / (beta + T)) ** s
    died, _ = integrate.quad(lambda tau: (alpha + tau) ** -(r + x) * s * beta ** s * (beta + tau) ** -(s + 1),
                             tx, T, epsabs=0, epsrel=1e-12, limit=200)
    return head + math.log(alive + died)


positive = st.floats(0.05, 30.0)


@settings(max_examples=60, deadline=None)
@given(r=positive, alpha=positive, s=positive, beta=positive, x=st.integers(0, 30),
       frac=st.floats(0.0, 1.0), T=st.floats(0.5, 60.0))
def test_log_likelihood_is_the_integral_it_closes(r, alpha, s, beta, x, frac, T):
    tx = frac * T if x > 0 else 0.0
    got = clv.pareto_log_likelihood((r, alpha, s, beta), [x], [tx], [T])
    assert got == pytest.approx(_likelihood_by_integration(r, alpha, s, beta, x, tx, T), rel=1e-9, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(a=st.floats(0.05, 300.0), frac=st.floats(0.01, 0.99), z=st.floats(0.0, 0.95))
@example(a=261.0, frac=0.9375, z=0.9453125)  # found by hypothesis: the series passes the largest float
def test_hypergeometric_fraction_equals_the_power_series(a, frac, z):
    b = frac * (a + 1.0)  # the model's cases keep a + 1 - b > 0
    terms, total, n, log_scale = 1.0, 1.0, 0, 0.0
    while terms > 1e-18 * total:
        terms *= (a + n) * (b + n) / ((a + 1 + n) * (n + 1)) * z
        total += terms
        n += 1
        if total > 1e300:  # the sum can pass the largest float (a=261, z=0.945): carry its scale as a log
            log_scale += math.log(total)
            terms, total = terms / total, 1.0
    assert float(_log_hyp2f1_c_a1(np.array([a]), np.array([b]), np.array([z]))[0]) == \
        pytest.approx(log_scale + math.log(total), rel=1e-12, abs=1e-12)


def simulate(n: int, r: float, alpha: float, s: float, beta: float, seed: int):
    """A Pareto/NBD log: gamma purchase and drop-out rates, an exponential
    lifetime, Poisson purchases while alive, first purchases over 12 weeks
    of a 39-week window."""
    rng = np.random.default_rng(seed)
    T = 39.0 - rng.uniform(0, 12, n)
    lam, mu = rng.gamma(r, 1.0 / alpha, n), rng.gamma(s, 1.0 / beta, n)
    alive_for = np.minimum(rng.exponential(1.0 / mu), T)
    x = rng.poisson(lam * alive_for).astype(float)
    tx = np.array([rng.uniform(0, a, int(k)).max() if k else 0.0 for a, k in zip(alive_for, x)])
    return x, tx, T


def test_a_simulated_log_gives_back_its_parameters():
    truth = (0.6, 10.0, 0.8, 12.0)
    x, tx, T = simulate(3000, *truth, seed=1)
    pn = clv.fit_pareto(x, tx, T)
    assert pn.converged and not pn.edges
    for got, true, name in zip(pn.as_tuple(), truth, ("r", "alpha", "s", "beta")):
        assert abs(got - true) < 3 * pn.standard_errors[name], name
    assert pn.log_likelihood >= clv.pareto_log_likelihood(truth, x, tx, T)


def test_weights_equal_duplicated_rows():
    rng = np.random.default_rng(5)
    x, tx, T = simulate(300, 0.6, 10.0, 0.8, 12.0, seed=2)
    n = len(x)
    w = rng.integers(1, 4, n)
    weighted = clv.fit_pareto(x, tx, T, weights=w)
    expanded = clv.fit_pareto(np.repeat(x, w), np.repeat(tx, w), np.repeat(T, w))
    assert weighted.log_likelihood == pytest.approx(expanded.log_likelihood, rel=1e-9)
    np.testing.assert_allclose(weighted.as_tuple(), expanded.as_tuple(), rtol=1e-5)
    m = np.where(x > 0, rng.gamma(5.0, 4.0, n), 0.0)
    gg_w = clv.fit_gamma_gamma(x, m, weights=w)
    gg_e = clv.fit_gamma_gamma(np.repeat(x, w), np.repeat(m, w))
    assert gg_w.log_likelihood == pytest.approx(gg_e.log_likelihood, rel=1e-9)
    np.testing.assert_allclose(gg_w.as_tuple(), gg_e.as_tuple(), rtol=1e-5)


def test_predictions_limits():
    params = (0.55, 10.6, 0.61, 11.7)
    # a customer who just bought is as good as certainly alive; no time, no purchases
    assert clv.pareto_probability_alive(params, [3], [30.0], [30.0])[0] == pytest.approx(1.0)
    assert clv.pareto_expected_purchases(params, 0.0, [3], [10.0], [30.0])[0] == 0.0
    # long silence lowers P(alive); more time ahead, more purchases expected
    alive = clv.pareto_probability_alive(params, [3, 3, 3], [30.0, 20.0, 5.0], [30.0, 30.0, 30.0])
    assert alive[0] > alive[1] > alive[2] > 0
    ahead = clv.pareto_expected_purchases(params, np.array([[10.0], [52.0]]), [3], [20.0], [30.0])
    assert 0 < ahead[0, 0] < ahead[1, 0]
    # s = 1 is the limit of s -> 1
    near = clv.pareto_expected_purchases((0.55, 10.6, 1.0 + 1e-7, 11.7), 52.0, [2], [10.0], [30.0])
    at = clv.pareto_expected_purchases((0.55, 10.6, 1.0, 11.7), 52.0, [2], [10.0], [30.0])
    assert near[0] == pytest.approx(at[0], rel=1e-6)


def test_bad_parameters_and_inputs_raise_value_error():
    with pytest.raises(ValueError):
        clv.pareto_log_likelihood((0.5, 1.0, 0.5), [1.0], [1.0], [2.0])
    with pytest.raises(ValueError):
        clv.pareto_probability_alive((0.5, -1.0, 0.5, 1.0), [1.0], [1.0], [2.0])
    with pytest.raises(ValueError):
        clv.fit_pareto([1.0], [3.0], [2.0])  # recency beyond T
    with pytest.raises(ValueError):
        clv.pareto_expected_purchases((0.5, 1.0, 0.5, 1.0), -1.0, [1.0], [1.0], [2.0])


def test_a_fit_on_many_distinct_rows_searches_a_sample_and_reaches_the_full_maximum(monkeypatch):
    """Past twice the sample's size in distinct rows, the search from every
    start runs on a sample and Newton's method polishes its maximum on every
    row: the maximum of the search on every row, without the sample."""
    from copisdsl.data.clv import fit as fitting, pareto

    searches, samples = [], []
    sample_rows, search = fitting.sample_rows, fitting._search
    monkeypatch.setattr(fitting, "sample_rows", lambda *a: samples.append(sample_rows(*a)) or samples[-1])
    monkeypatch.setattr(fitting, "_search", lambda fun, *a: searches.append(fun) or search(fun, *a))
    monkeypatch.setattr(pareto, "_SAMPLE_ROWS", 400)  # 3,000 distinct rows: past twice that
    x, tx, T = simulate(3000, 0.6, 10.0, 0.8, 12.0, seed=4)
    quick = clv.fit_pareto(x, tx, T)
    assert samples[0] is not None and len(samples[0][1]) <= 400 and samples[0][1].sum() == pytest.approx(3000)
    assert len(searches) == 1  # on the sample only
    monkeypatch.setattr(pareto, "_SAMPLE_ROWS", 10**9)
    samples.clear()
    full = clv.fit_pareto(x, tx, T)
    assert samples == [None]
    assert quick.converged and full.converged
    np.testing.assert_allclose(quick.as_tuple(), full.as_tuple(), rtol=1e-5)
    assert quick.log_likelihood == pytest.approx(full.log_likelihood, rel=1e-10)
