"""The CLV models against their references: the published CDNOW fits
(Fader, Hardie & Lee 2005; Fader & Hardie's Pareto/NBD and Gamma-Gamma
notes), lifetimes' per-customer predictions of the same data
(tests/fixtures/cdnow, with the script that made them), and a simulated
log with no spread in purchase rates whose maximum the test finds itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from copisdsl.data import clv
from copisdsl.data.clv.fit import GRADIENT_TOLERANCE

CDNOW = Path(__file__).resolve().parents[2] / "fixtures" / "cdnow"
END = "1997-09-30"  # the 39-week calibration period of the papers


@pytest.fixture(scope="module")
def cdnow() -> clv.RFM:
    """The papers' calibration summary: every row to 1997-09-30, in weeks."""
    rows = pd.read_csv(CDNOW / "CDNOW_sample.txt", sep=r"\s+", header=None,
                       names=["master_id", "customer", "date", "cds", "amount"],
                       dtype={"master_id": str, "customer": str, "date": str})
    rows["date"] = pd.to_datetime(rows["date"], format="%Y%m%d")
    rows = rows[rows["date"] <= END]
    return clv.rfm_summary(rows["customer"].to_numpy(), rows["date"].to_numpy(), rows["amount"].to_numpy(float),
                           observation_end=END, unit="week")


@pytest.fixture(scope="module")
def lifetimes_fixture():
    return (json.loads((CDNOW / "lifetimes_params.json").read_text(encoding="utf-8")),
            pd.read_csv(CDNOW / "lifetimes_predictions.csv", dtype={"customer": str}))


def _within(fit, published: dict[str, float], rel: float) -> None:
    for name, value in published.items():
        assert getattr(fit, name) == pytest.approx(value, rel=rel), name


def test_cdnow_bgnbd_and_gamma_gamma_match_fader_hardie_lee(cdnow):
    assert len(cdnow) == 2357
    bg = clv.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.T)
    _within(bg, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, 0.01)
    assert bg.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert bg.converged and not bg.edges
    gg = clv.fit_gamma_gamma(cdnow.frequency, cdnow.monetary_value)
    assert int((cdnow.frequency > 0).sum()) == 946
    _within(gg, {"p": 6.25, "q": 3.74, "v": 15.44}, 0.01)
    assert gg.converged and set(gg.standard_errors) == {"p", "q", "v"}


def test_cdnow_pareto_matches_the_published_fit(cdnow):
    pn = clv.fit_pareto(cdnow.frequency, cdnow.recency, cdnow.T)
    _within(pn, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, 0.01)
    assert pn.log_likelihood == pytest.approx(-9595.0, abs=0.05)
    assert pn.converged and not pn.edges
    assert all(0 < se < value for se, value in zip(pn.standard_errors.values(), pn.as_tuple()))


def test_cdnow_summary_is_lifetimes_summary(cdnow, lifetimes_fixture):
    _, ref = lifetimes_fixture
    assert list(cdnow.customer) == list(ref["customer"])
    for ours, theirs in ((cdnow.frequency, "frequency"), (cdnow.recency, "recency"), (cdnow.T, "T")):
        np.testing.assert_allclose(ours, ref[theirs].to_numpy(), rtol=1e-12, atol=1e-12)


def test_predictions_match_lifetimes_per_customer(cdnow, lifetimes_fixture):
    params, ref = lifetimes_fixture
    x, tx, T = cdnow.frequency, cdnow.recency, cdnow.T
    models = {
        "bgnbd": (tuple(params["bgnbd"][k] for k in ("r", "alpha", "a", "b")),
                  clv.bgnbd_probability_alive, clv.bgnbd_expected_purchases),
        "pareto": (tuple(params["pareto"][k] for k in ("r", "alpha", "s", "beta")),
                   clv.pareto_probability_alive, clv.pareto_expected_purchases),
    }
    for name, (theirs, alive, expected) in models.items():
        np.testing.assert_allclose(alive(theirs, x, tx, T), ref[f"{name}_p_alive"], rtol=1e-4, err_msg=name)
        for t in (10, 52):
            np.testing.assert_allclose(expected(theirs, t, x, tx, T), ref[f"{name}_expected_{t}"], rtol=1e-4,
                                       err_msg=f"{name} {t}")


def test_fits_agree_with_lifetimes_and_reach_at_least_its_likelihood(cdnow, lifetimes_fixture):
    params, ref = lifetimes_fixture
    x, tx, T = cdnow.frequency, cdnow.recency, cdnow.T
    bg = clv.fit_bgnbd(x, tx, T)
    _within(bg, params["bgnbd"], 1e-5)
    for name, se in params["bgnbd_standard_errors"].items():
        assert bg.standard_errors[name] == pytest.approx(se, rel=1e-4), name
    np.testing.assert_allclose(clv.bgnbd_probability_alive(bg, x, tx, T), ref["bgnbd_p_alive"], rtol=1e-4)
    np.testing.assert_allclose(clv.bgnbd_expected_purchases(bg, 52, x, tx, T), ref["bgnbd_expected_52"], rtol=1e-4)
    # lifetimes' Pareto/NBD optimiser stops about 1e-4 short of the maximum (and
    # not at the same point twice): ours is at least as likely, and close
    pn = clv.fit_pareto(x, tx, T)
    theirs = tuple(params["pareto"][k] for k in ("r", "alpha", "s", "beta"))
    assert pn.log_likelihood >= clv.pareto_log_likelihood(theirs, x, tx, T)
    _within(pn, params["pareto"], 1e-3)


def _simulate_homogeneous(n: int, rate: float, a: float, b: float, days: float, seed: int):
    """A BG/NBD log in which every customer buys at the same ``rate``."""
    rng = np.random.default_rng(seed)
    drop = rng.beta(a, b, n)
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1.0 / rate)
            if t > days:
                break
            x[i] += 1
            tx[i] = t
            if rng.random() < drop[i]:
                break
    return x, tx, np.full(n, days)


def test_a_log_without_spread_in_purchase_rates_reaches_the_maximum():
    """With no heterogeneity the likelihood is nearly flat along r (with
    alpha = r / rate); the fit must still reach its maximum, which the test
    finds from the profile likelihood of r (the other three maximised by
    Nelder-Mead at each r)."""
    x, tx, T = _simulate_homogeneous(4000, 0.05, 1.0, 4.0, 365.0, seed=0)
    bg = clv.fit_bgnbd(x, tx, T)
    assert bg.converged and not bg.edges

    def profile(r: float) -> float:
        def neg(theta):
            return -clv.bgnbd_log_likelihood((r, *np.exp(theta)), x, tx, T)
        start = np.log([r / 0.05, bg.a, bg.b])
        return -optimize.minimize(neg, start, method="Nelder-Mead",
                                  options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 4000}).fun

    grid = bg.r * np.array([0.25, 0.5, 0.8, 1.25, 2.0, 4.0])
    values = np.array([profile(r) for r in grid])
    # the fit is above the profile everywhere, and the profile peaks at the fit
    assert np.all(values <= bg.log_likelihood + 1e-6)
    assert profile(bg.r) == pytest.approx(bg.log_likelihood, abs=1e-6)
    assert values[2] < bg.log_likelihood and values[3] < bg.log_likelihood


def test_the_gradient_at_a_converged_fit_is_below_the_tolerance(cdnow):
    from copisdsl.data.clv.bgnbd import _BGNBDData
    from copisdsl.data.clv.fit import purchase_rows

    bg = clv.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.T)
    rows = purchase_rows(cdnow.frequency, cdnow.recency, cdnow.T)
    theta = np.log([bg.r, bg.alpha * rows.scale, bg.a, bg.b])
    _, grad = _BGNBDData(rows.xa, rows.txa, rows.Ta, rows.wa).neg_ll_grad(theta)
    assert np.max(np.abs(grad)) < GRADIENT_TOLERANCE


def test_a_log_whose_maximum_is_no_spread_at_all_ends_at_the_edge():
    """This seed's likelihood rises all the way to r → ∞ (the profile at
    r = 1e6 is above that at 1e4): the fit stops at the limit of no spread
    in purchase rates and says so (W406's 'r, alpha → ∞'), with no standard
    error for r and alpha, of which only the ratio is determined."""
    from copisdsl.data.fit_notes import fit_notes

    x, tx, T = _simulate_homogeneous(4000, 0.05, 1.0, 4.0, 365.0, seed=4)
    with pytest.warns(RuntimeWarning, match="edge"):
        bg = clv.fit_bgnbd(x, tx, T)
    assert bg.edges == (("r", "∞"), ("alpha", "∞")) and bg.r >= 1e4
    assert bg.r / bg.alpha == pytest.approx(0.05, rel=0.05)  # the one purchase rate
    assert np.isnan(bg.standard_errors["r"]) and np.isnan(bg.standard_errors["alpha"])
    assert 0 < bg.standard_errors["a"] < bg.a
    far = -optimize.minimize(lambda th: -clv.bgnbd_log_likelihood((1e6, 1e6 / bg.r * bg.alpha, *np.exp(th)), x, tx, T),
                             np.log([bg.a, bg.b]), method="Nelder-Mead",
                             options={"xatol": 1e-9, "fatol": 1e-9}).fun
    assert bg.log_likelihood <= far < bg.log_likelihood + 0.05  # the limit is worth almost nothing more
    [(message, _)] = fit_notes("bgnbd", bg)
    assert "(r, alpha → ∞: customers do not differ in how often they buy)" in message


def test_a_log_whose_customers_share_one_drop_out_probability_ends_at_that_limit():
    """Every customer drops out with probability 0.2 after a purchase (a
    beta of a = 2e6, b = 8e6); this seed's likelihood rises along a and b
    growing together. The fit stops once the probability's spread is below
    1 % of it (a, b → ∞ in W406; only the mean a / (a + b) is determined,
    so a and b have no standard error), where there is almost nothing left
    to gain, instead of sliding along the ridge to wherever rounding stops it."""
    from copisdsl.data.fit_notes import fit_notes
    from test_clv import simulate_bgnbd

    x, tx, T = simulate_bgnbd(3000, (0.5, 5.0, 2e6, 8e6), np.random.default_rng(4))
    with pytest.warns(RuntimeWarning, match="edge"):
        bg = clv.fit_bgnbd(x, tx, T)
    assert set(bg.edges) == {("a", "∞"), ("b", "∞")}
    assert bg.b / (bg.a * (bg.a + bg.b + 1)) < 1e-4  # past the limit: a coefficient of variation below 1 %
    assert bg.a / (bg.a + bg.b) == pytest.approx(0.2, abs=0.02)
    assert np.isnan(bg.standard_errors["a"]) and np.isnan(bg.standard_errors["b"])
    assert 0 < bg.standard_errors["r"] < bg.r
    mean = bg.a / (bg.a + bg.b)
    far = clv.bgnbd_log_likelihood((bg.r, bg.alpha, mean * 1e9, (1 - mean) * 1e9), x, tx, T)
    assert bg.log_likelihood <= far + 1e-6 < bg.log_likelihood + 0.05  # the limit is worth almost nothing more
    [(message, _)] = fit_notes("bgnbd", bg)
    assert "(a, b → ∞: customers do not differ in their drop-out probability)" in message


def test_a_log_without_spread_in_spend_ends_at_the_edge():
    """Every customer's orders are drawn around the same mean spend: the
    Gamma-Gamma fit stops at q, v → ∞ (no spread), with p (the spread of a
    customer's own orders, 4 here) still estimated."""
    from copisdsl.data.fit_notes import fit_notes

    rng = np.random.default_rng(1)
    x = rng.integers(1, 10, 3000).astype(float)
    m = np.array([rng.gamma(4.0 * k, 10.0 / (4.0 * k)) for k in x])  # the mean of k orders of shape 4
    with pytest.warns(RuntimeWarning, match="edge"):
        gg = clv.fit_gamma_gamma(x, m)
    assert gg.edges == (("q", "∞"), ("v", "∞"))
    assert gg.p == pytest.approx(4.0, rel=0.03) and 0 < gg.standard_errors["p"] < 0.1
    assert gg.p * gg.v / (gg.q - 1) == pytest.approx(10.0, rel=0.02)  # the one mean spend
    [(message, _)] = fit_notes("gamma_gamma", gg)
    assert "(q, v → ∞: customers do not differ in their average spend)" in message
