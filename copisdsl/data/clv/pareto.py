"""The Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987), in
the integral-free form of Fader & Hardie's note "A Note on Deriving the
Pareto/NBD Model and Related Expressions" (2005).

A customer buys at a Poisson rate ``lambda ~ Gamma(r, alpha)`` while alive
and drops out after an exponential lifetime of rate ``mu ~ Gamma(s, beta)``.
The likelihood of (x, t_x, T) is

    Gamma(r+x) alpha^r beta^s / Gamma(r) *
        [ 1 / ((alpha+T)^(r+x) (beta+T)^s) + s / (r+s+x) * A0 ]

with, for alpha >= beta (m = alpha, b = s+1) and otherwise (m = beta,
b = r+x), ``A0 = F(t_x) - F(T)`` where
``F(t) = 2F1(r+s+x, b; r+s+x+1; |alpha-beta| / (m+t)) / (m+t)^(r+s+x)``.

Numerics: scipy's ``hyp2f1`` overflows for large parameters with the
argument near 1, so the hypergeometric function is evaluated here by
:func:`_log_hyp2f1_c_a1`, Gauss's continued fraction of a bounded
transform of it (see there).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from copisdsl.data.clv.fit import (_vdot, _warn_fit, aggregate_rows, maximise, numeric_gradient,
                                   observed_information, on_sample, purchase_rows, shape_limit)
from copisdsl.data.clv.params import ParetoNBDParams, _pareto_params, _rft

_NAMES = ("r", "alpha", "s", "beta")
#: The continued fraction stops when a convergent changes the value by
#: less than this share of it ...
FRACTION_TOLERANCE = 4e-16  # two units in the last place
#: ... or after this many terms (for an argument within 1e-5 of 1 it needs
#: a few thousand; the usual ones take 8 to 30).
FRACTION_TERMS = 6000
_TINY = 1e-300


def _log_hyp2f1_c_a1(a: np.ndarray, b: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``log 2F1(a, b; a+1; z)`` for ``a, b > 0`` with ``a + 1 - b > 0``,
    ``0 <= z < 1`` (arrays; both of the model's cases are such).

    Euler's transformation gives ``2F1(a, b; a+1; z) = (1-z)^(1-b) G`` with
    ``G = 2F1(a+1-b, 1; a+1; z)``, which lies between 1 and ``1/(1-z)`` (no
    overflow).  G is evaluated by Gauss's continued fraction
    ``G = 1 / (1 - k1 z / (1 - k2 z / (1 - ...)))`` with
    ``k_{2n+1} = (c+n)(a+n) / ((a+2n)(a+2n+1))`` and
    ``k_{2n} = n(b-1+n) / ((a+2n-1)(a+2n))`` (``c = a+1-b``), by the modified
    Lentz method, for the rows still running only.  Unlike the power series,
    whose terms fall only like ``z^n`` (hundreds of terms at z = 0.93), the
    fraction converges in 8 to 30 terms for most arguments, and in a few
    thousand within 1e-5 of 1.  Accuracy measured against mpmath by
    benchmarks/pareto_accuracy.py: see docs/export.md."""
    shape = np.broadcast(a, b, z).shape
    a, b, z = (np.broadcast_to(np.asarray(v, dtype=float), shape).ravel() for v in (a, b, z))
    c = a + 1.0 - b
    value = np.ones(len(z))
    lentz_c = np.full(len(z), 1.0 / _TINY)  # the first convergent is 1 (a1 = b1 = 1)
    lentz_d = np.ones(len(z))
    active = np.flatnonzero(z > 0)
    j = 1
    while active.size and j < FRACTION_TERMS:
        n, aa, za = j // 2, a[active], z[active]
        if j % 2:
            k = (c[active] + n) * (aa + n) / ((aa + 2 * n) * (aa + 2 * n + 1))
        else:
            k = n * (aa - c[active] + n) / ((aa + 2 * n - 1) * (aa + 2 * n))
        step = -k * za
        d = 1.0 + step * lentz_d[active]
        d = 1.0 / np.where(d == 0, _TINY, d)
        cc = 1.0 + step / lentz_c[active]
        cc = np.where(cc == 0, _TINY, cc)
        delta = cc * d
        value[active] *= delta
        lentz_d[active], lentz_c[active] = d, cc
        active = active[np.abs(delta - 1.0) > FRACTION_TOLERANCE]
        j += 1
    return ((1.0 - b) * np.log1p(-z) + np.log(value)).reshape(shape)


def _pairs(x: np.ndarray, t: np.ndarray):
    """The distinct (x, t) rows and each row's index among them: the
    hypergeometric term depends on x and one time only, and many customers
    share both (a fifth of the distinct (x, t_x, T) rows of a large log)."""
    (xu, tu), _, inverse = aggregate_rows((x, t))
    return xu, tu, inverse


def _log_f(r, alpha, s, beta, pairs) -> np.ndarray:
    """``log F(t)`` of the module docstring for each row, evaluated once per
    distinct (x, t) of ``pairs`` (from :func:`_pairs`)."""
    xu, tu, inverse = pairs
    m = max(alpha, beta)
    a = r + s + xu
    b = s + 1.0 if alpha >= beta else r + xu
    return (_log_hyp2f1_c_a1(a, b, abs(alpha - beta) / (m + tu)) - a * np.log(m + tu))[inverse]


def _log_a0(r, alpha, s, beta, x, tx, T, pairs=None):
    """``log A0`` (−inf where ``t_x == T``, where A0 is 0) for each row;
    ``pairs`` are the (x, t_x) and (x, T) pairs when computed beforehand."""
    tx_pairs, T_pairs = pairs or (_pairs(x, tx), _pairs(x, T))
    l_tx, l_T = _log_f(r, alpha, s, beta, tx_pairs), _log_f(r, alpha, s, beta, T_pairs)
    with np.errstate(divide="ignore"):
        return l_tx + np.log(-np.expm1(np.minimum(l_T - l_tx, 0.0)))


def _pareto_ll_terms(r, alpha, s, beta, x, tx, T, pairs=None) -> np.ndarray:
    """Per-row Pareto/NBD log-likelihood (vectorised, log space)."""
    gl = special.gammaln
    head = gl(r + x) - gl(r) + r * math.log(alpha) + s * math.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    died = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, tx, T, pairs)
    return head + np.logaddexp(alive, died)


def pareto_log_likelihood(params, frequency, recency, T) -> float:
    """Total Pareto/NBD log-likelihood of the data; ``params`` is
    ``(r, alpha, s, beta)`` or a :class:`ParetoNBDParams`."""
    r, alpha, s, beta = _pareto_params(params)
    x, tx, TT = _rft(frequency, recency, T)
    return float(np.sum(_pareto_ll_terms(r, alpha, s, beta, x, tx, TT)))


#: A smaller sample than the other models': an evaluation costs nine
#: likelihoods (a gradient by differences), and the search from three starts
#: takes about 900 of them. 200,000 customers: 14 s -> 8.7 s, the same maximum.
_SAMPLE_ROWS = 5_000


def _objective(xa, txa, Ta, wa):
    """The normalised negative log-likelihood of the distinct rows, with
    its gradient by differences."""
    total = float(wa.sum())
    pairs = (_pairs(xa, txa), _pairs(xa, Ta))

    def neg_ll(theta):
        r, alpha, s, beta = np.exp(theta)
        with np.errstate(all="ignore"):
            value = -_vdot(wa, _pareto_ll_terms(r, alpha, s, beta, xa, txa, Ta, pairs)) / total
        return value if np.isfinite(value) else np.inf

    return numeric_gradient(neg_ll)


def fit_pareto(frequency, recency, T, *, weights=None) -> ParetoNBDParams:
    """Fit the Pareto/NBD model by maximum likelihood.

    As :func:`fit_bgnbd`: rows with identical (x, t_x, T) are evaluated once
    with their weight, time is rescaled so the longest ``T`` is 10, and
    :func:`fit.maximise` searches the log-parameters from several starts;
    the gradient is by central differences (the hypergeometric terms have
    no convenient derivative).  Returns the parameters in the time unit of
    the input with the fit's record (log-likelihood, convergence, edges,
    standard errors).  Raises ``ValueError`` for empty/invalid input or when
    every ``T`` is 0."""
    rows = purchase_rows(frequency, recency, T, weights)
    total = float(rows.wa.sum())
    fun = _objective(rows.xa, rows.txa, rows.Ta, rows.wa)
    sample = on_sample(_objective, (rows.xa, rows.txa, rows.Ta), rows.wa, _SAMPLE_ROWS)
    rate = rows.rate
    starts = [[0.0, math.log(1.0 / rate), 0.0, math.log(10.0)],
              [math.log(0.5), math.log(0.5 / rate), math.log(0.5), math.log(5.0)],
              [math.log(2.0), math.log(2.0 / rate), math.log(2.0), math.log(40.0)]]
    purchase_spread, dropout_spread = shape_limit(0, 1, _NAMES), shape_limit(2, 3, _NAMES)

    def limits(theta):
        return purchase_spread(theta) + (dropout_spread(theta) or _dropout_limit(theta))

    opt = maximise(fun, starts, _NAMES, search_evaluations=30, limits=limits, sample=sample)
    if opt is None:  # pragma: no cover - defensive
        raise RuntimeError("fit_pareto: optimisation failed from every starting point")
    _warn_fit("fit_pareto", opt)
    r, alpha_s, s, beta_s = (float(v) for v in np.exp(opt.theta))
    alpha, beta = alpha_s / rows.scale, beta_s / rows.scale
    ll = _vdot(rows.wa, _pareto_ll_terms(r, alpha, s, beta, rows.xa, rows.txd, rows.Td))
    se, cov = observed_information(opt, np.array([r, alpha, s, beta]), total, _NAMES, fun)
    if _dropout_limit(opt.theta):  # only s / beta is determined, neither alone
        se["s"] = se["beta"] = math.nan
        cov = None
    return ParetoNBDParams(r=r, alpha=alpha, s=s, beta=beta, log_likelihood=ll, converged=opt.converged,
                           edges=opt.edges, standard_errors=se, log_covariance=cov)


#: The mean drop-out rate times the longest observation window (10 after
#: the rescaling) beyond which a fit is the limit of no drop-out (or of
#: drop-out at once): the likelihood is then flat enough along (s, beta)
#: to meet the gradient tolerance before the box's edge.
DROPOUT_LIMIT = 1e-6


def _dropout_limit(theta: np.ndarray) -> tuple[tuple[str, str], ...]:
    """``(("s", "0"),)`` or ``(("beta", "∞"),)`` (whichever is further out)
    for a fit whose mean drop-out rate ``s / beta`` is negligible over the
    observation window, the reverse for one where everyone drops out at once."""
    log_s, log_beta = float(theta[2]), float(theta[3])
    expected = log_s - log_beta + math.log(10.0)
    if expected < math.log(DROPOUT_LIMIT):
        return (("s", "0"),) if -log_s > log_beta else (("beta", "∞"),)
    if expected > -math.log(DROPOUT_LIMIT):
        return (("s", "∞"),) if log_s > -log_beta else (("beta", "0"),)
    return ()


def pareto_probability_alive(params, frequency, recency, T) -> np.ndarray:
    """P(customer still alive at T | x, t_x, T) under Pareto/NBD:
    ``1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0)``, in log space."""
    r, alpha, s, beta = _pareto_params(params)
    x, tx, TT = _rft(frequency, recency, T)
    with np.errstate(divide="ignore"):
        log_odds = (np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + TT) + s * np.log(beta + TT)
                    + _log_a0(r, alpha, s, beta, x, tx, TT))
    return special.expit(-log_odds)


def pareto_expected_purchases(params, t, frequency, recency, T) -> np.ndarray:
    """Conditional expected number of purchases in (T, T+t] given (x, t_x, T):
    ``P(alive) (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]``
    (the limit ``(r+x)(beta+T)/(alpha+T) log((beta+T+t)/(beta+T))`` at
    ``s = 1``).  ``t`` may be a scalar or broadcast against the customers."""
    r, alpha, s, beta = _pareto_params(params)
    x, tx, TT = _rft(frequency, recency, T)
    tt = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(tt)) or np.any(tt < 0):
        raise ValueError("t must be finite and >= 0")
    params = (r, alpha, s, beta)
    return pareto_probability_alive(params, x, tx, TT) * _purchases_if_alive(params, tt, x, TT)


def _purchases_if_alive(params, t, x, T):
    """E[purchases in (T, T+t] | alive at T, x]:
    ``(r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]``."""
    r, alpha, s, beta = params
    u = np.log1p(t / (beta + T))
    k = s - 1.0
    growth = u if abs(k) < 1e-12 else -np.expm1(-k * u) / k
    return (r + x) * (beta + T) / (alpha + T) * growth
