"""The BG/NBD purchase model (Fader, Hardie & Lee 2005, \"Counting your customers the easy way\")."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from copisdsl.data.clv.fit import (_vdot, _warn_fit, beta_limit, distinct, maximise, observed_information, on_sample,
                                   purchase_rows, shape_limit)
from copisdsl.data.clv.params import BGNBDParams, _bg_params, _rft

_NAMES = ("r", "alpha", "a", "b")


class _BGNBDData:
    """Pre-processed (aggregated) data for fast BG/NBD likelihood evaluation.

    A customer log has few distinct ``x``, ``t_x`` and ``T`` (whole days of
    a few years) however many rows: every log and reciprocal is taken once
    per distinct value and gathered, and the terms of ``T`` alone are summed
    per distinct ``T`` (a 160,000-row evaluation: 10 ms -> 4 ms). Times are
    given in the data's unit and multiplied by ``scale`` once distinct (whole
    days are counted, not sorted: ``fit.distinct``)."""

    def __init__(self, x, tx, T, w, scale: float = 1.0):
        self.w = w
        self.W = float(w.sum())
        self.xu, xi = distinct(x)
        self.wx = np.bincount(xi, weights=w, minlength=len(self.xu))  # weight per distinct x
        Tu, Ti = distinct(T)
        self.Tu = Tu * scale
        self.wT = np.bincount(Ti, weights=w, minlength=len(self.Tu))  # weight per distinct T
        self.wxT = np.bincount(Ti, weights=w * x, minlength=len(self.Tu))  # weighted x per distinct T
        rep = x > 0
        self.xr = x[rep]
        self.wr = w[rep]
        self.xru, self.xr_i = distinct(self.xr)
        self.Tr_i = Ti[rep]
        txu, self.txr_i = distinct(tx[rep])
        self.txu = txu * scale

    def neg_ll_grad(self, theta: np.ndarray):
        """Negative LL and its gradient w.r.t. log-parameters."""
        r, alpha, a, b = np.exp(theta)
        xu, wx = self.xu, self.wx
        W = self.W
        gl = special.gammaln
        dg = special.digamma

        # terms depending on x only (computed on distinct x values)
        ll = _vdot(wx, gl(r + xu) + gl(b + xu) - gl(a + b + xu))
        ll += W * (-gl(r) + r * math.log(alpha) + gl(a + b) - gl(b))
        d_r = _vdot(wx, dg(r + xu)) + W * (-dg(r) + math.log(alpha))
        d_alpha = W * r / alpha
        dg_abx = _vdot(wx, dg(a + b + xu))
        d_a = W * dg(a + b) - dg_abx
        d_b = W * (dg(a + b) - dg(b)) + _vdot(wx, dg(b + xu)) - dg_abx

        # -(r + x) log(alpha + T) for every row, summed per distinct T
        log_aT = np.log(alpha + self.Tu)
        inv_aT = 1.0 / (alpha + self.Tu)
        rx_T = r * self.wT + self.wxT
        ll -= _vdot(rx_T, log_aT)
        d_r -= _vdot(self.wT, log_aT)
        d_alpha -= _vdot(rx_T, inv_aT)

        # log(1 + exp(D)) for repeat customers, D = A4 - A3
        if self.xr.size:
            xr, wr = self.xr, self.wr
            rxr = r + xr
            log_atx = np.log(alpha + self.txu)
            inv_atx = 1.0 / (alpha + self.txu)
            inv_bx1 = 1.0 / (b + self.xru - 1.0)
            log_ratio = log_atx[self.txr_i] - log_aT[self.Tr_i]
            D = (math.log(a) + np.log(inv_bx1))[self.xr_i] - rxr * log_ratio
            # softplus(D) and expit(D) from one exponential, stable for either sign
            e = np.exp(-np.abs(D))
            ll += _vdot(wr, np.maximum(D, 0.0) + np.log1p(e))
            pi = wr * np.where(D >= 0, 1.0, e) / (1.0 + e)
            d_r -= _vdot(pi, log_ratio)
            d_alpha -= _vdot(pi, rxr * (inv_atx[self.txr_i] - inv_aT[self.Tr_i]))
            spi = float(pi.sum())
            d_a += spi / a
            d_b -= _vdot(np.bincount(self.xr_i, weights=pi, minlength=len(self.xru)), inv_bx1)

        grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
        # normalise by total weight so the optimiser sees O(1) numbers
        return -ll / W, -grad / W


def _bgnbd_ll_terms(r, alpha, a, b, x, tx, T) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (vectorised, log space)."""
    gl = special.gammaln
    A = (gl(r + x) - gl(r) + r * np.log(alpha)
         + gl(a + b) + gl(b + x) - gl(b) - gl(a + b + x))
    A3 = -(r + x) * np.log(alpha + T)
    rep = x > 0
    bx1 = np.where(rep, b + x - 1.0, 1.0)
    A4 = np.log(a) - np.log(bx1) - (r + x) * np.log(alpha + tx)
    return A + np.where(rep, np.logaddexp(A3, A4), A3)


def bgnbd_log_likelihood(params_tuple_r_alpha_a_b, frequency, recency, T) -> float:
    """Total BG/NBD log-likelihood of the data (Fader, Hardie & Lee 2005, eq. 6).

    ``L_i = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
    + [x>0] B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x))``,
    evaluated in log space; returns ``sum_i log L_i``.  ``params`` is
    ``(r, alpha, a, b)`` or a :class:`BGNBDParams`.
    """
    r, alpha, a, b = _bg_params(params_tuple_r_alpha_a_b)
    x, tx, TT = _rft(frequency, recency, T)
    return float(np.sum(_bgnbd_ll_terms(r, alpha, a, b, x, tx, TT)))


def fit_bgnbd(frequency, recency, T, *, weights=None) -> BGNBDParams:
    """Fit the BG/NBD model by maximum likelihood.

    ``frequency``, ``recency`` and ``T`` are per-customer arrays (as in
    :class:`RFM`); ``weights`` optionally gives a non-negative count for each
    row (rows with identical (x, t_x, T) are merged and their weights summed
    anyway, so the likelihood is evaluated once per distinct row).  The
    likelihood is maximised over the logarithms of the parameters with
    analytic gradients by :func:`fit.maximise` (several starts, Newton
    polish to a vanishing gradient), after rescaling time so the longest
    ``T`` is 10 (the rescaling only shifts the LL by a constant).
    Returns the parameters in the time unit of the input, the total
    (weighted) log-likelihood, whether the fit converged, the parameters at
    the edge of the search space and the standard errors.  A
    ``RuntimeWarning`` is issued for a fit at the edge (e.g. no repeat
    buyers) or one that did not converge.  Raises ``ValueError`` for
    empty/invalid input or when every ``T`` is 0.
    """
    rows = purchase_rows(frequency, recency, T, weights)
    data = _BGNBDData(rows.xa, rows.txd, rows.Td, rows.wa, rows.scale)

    # starting values: r = 1 and alpha matched to the mean repeat rate
    mean_rate = rows.rate
    starts = [
        [0.0, math.log(1.0 / mean_rate), 0.0, 0.0],
        [math.log(0.3), math.log(0.3 / mean_rate), math.log(0.5), math.log(3.0)],
        [math.log(3.0), math.log(3.0 / mean_rate), math.log(2.0), math.log(10.0)],
        [0.0, 0.0, 0.0, 0.0],
    ]
    sample = on_sample(lambda *days: _BGNBDData(*days, rows.scale).neg_ll_grad, (rows.xa, rows.txd, rows.Td), rows.wa)
    purchase_spread, dropout_spread = shape_limit(0, 1, _NAMES), beta_limit(2, 3, _NAMES)
    opt = maximise(data.neg_ll_grad, starts, _NAMES, sample=sample,
                   limits=lambda theta: purchase_spread(theta) + dropout_spread(theta))
    if opt is None:  # pragma: no cover - defensive
        raise RuntimeError("fit_bgnbd: optimisation failed from every starting point")
    _warn_fit("fit_bgnbd", opt)
    r, alpha_s, a, b = (float(v) for v in np.exp(opt.theta))
    alpha = alpha_s / rows.scale
    ll = _vdot(rows.wa, _bgnbd_ll_terms(r, alpha, a, b, rows.xa, rows.txd, rows.Td))
    se, cov = observed_information(opt, np.array([r, alpha, a, b]), data.W, _NAMES, data.neg_ll_grad)
    return BGNBDParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=ll, converged=opt.converged,
                       edges=opt.edges, standard_errors=se, log_covariance=cov)


def bgnbd_probability_alive(params, frequency, recency, T) -> np.ndarray:
    """P(customer still alive at T | x, t_x, T) under BG/NBD.

    ``1 / (1 + [x>0] a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x))``, computed in
    log space; customers with ``x == 0`` get 1.
    """
    r, alpha, a, b = _bg_params(params)
    x, tx, TT = _rft(frequency, recency, T)
    rep = x > 0
    bx1 = np.where(rep, b + x - 1.0, 1.0)
    log_odds = math.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + TT) - np.log(alpha + tx))
    return np.where(rep, special.expit(-log_odds), 1.0)


def _tanh_sinh_nodes(h: float = 1.0 / 16.0, tmax: float = 3.5):
    """Tanh-sinh (double exponential) nodes and weights on (0, 1)."""
    tau = np.arange(-tmax, tmax + h / 2, h)
    s = 0.5 * np.pi * np.sinh(tau)
    v = 1.0 / (1.0 + np.exp(-2.0 * s))
    w = h * 0.25 * np.pi * np.cosh(tau) / np.cosh(s) ** 2  # dv/dtau
    keep = (v > 0) & (v < 1) & (w > 0)
    return v[keep], w[keep]


_TS_NODES, _TS_WEIGHTS = _tanh_sinh_nodes()


def _uncond_quadrature(r, alpha, a, b, t) -> np.ndarray:
    """E[X(t)] by numerical integration over the drop-out probability.

    Integrating the Poisson-gamma part analytically gives
    ``E[X(t)] = E_p[(1 - (1 + p t/alpha)^(-r)) / p]`` with ``p ~ Beta(a, b)``.
    Substituting ``p = F^{-1}(u)`` (the beta quantile) turns this into the
    integral of a bounded monotone function over ``u`` in (0, 1), split at
    ``F(1/2)`` and integrated with tanh-sinh quadrature on each piece.  Slower
    than ``hyp2f1`` but robust for the extreme parameters of degenerate fits.
    Relative accuracy: about 1e-10 for ordinary parameters; down to about
    1e-4 in extreme corners (tiny ``a`` with huge ``r t / alpha``), where
    ``hyp2f1`` normally succeeds.  1-D float arrays of equal length.
    """
    out = np.empty(r.shape)
    pairs, inverse = np.unique(np.column_stack((a, b)), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    v, w = _TS_NODES, _TS_WEIGHTS
    for k, (ak, bk) in enumerate(pairs):
        sel = np.flatnonzero(inverse == k)
        um = float(special.betainc(ak, bk, 0.5))
        nodes = np.concatenate((special.betaincinv(ak, bk, um * v), special.betainccinv(ak, bk, (1.0 - um) * v)))
        weights = np.concatenate((um * w, (1.0 - um) * w))
        for chunk in np.array_split(sel, max(1, len(sel) // 20_000 + 1)):
            rr, ratio = r[chunk, None], (t[chunk] / alpha[chunk])[:, None]
            pos = nodes > 0
            safe = np.where(pos, nodes, 1.0)
            g = np.where(pos, -np.expm1(-rr * np.log1p(safe * ratio)) / safe, rr * ratio)
            out[chunk] = np.einsum("ij,j->i", g, weights)
    return out


def _uncond_core(r, alpha, a, b, t):
    """E[X(t)] for a new BG/NBD customer (broadcasting over all arguments).

    Uses Euler's transformation
    ``(1-z)^r 2F1(r, b; a+b-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z)``
    with ``z = t/(alpha+t)``; the right-hand side keeps the hypergeometric
    parameters bounded when r and b grow (conditional use), which is better
    conditioned.  The removable singularity at ``a == 1`` is bridged by
    linear interpolation between ``a = 1 - 1e-5`` and ``a = 1 + 1e-5``.
    Values that ``hyp2f1`` cannot deliver (non-finite, or outside the bounds
    ``0 <= E[X(t)] <= r t / alpha``, as happens for the extreme parameters of
    degenerate fits) are recomputed by :func:`_uncond_quadrature`.
    """
    r, alpha, a, b, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (r, alpha, a, b, t)))

    def f(aa):
        z = t / (alpha + t)
        log1mz = np.log(alpha) - np.log(alpha + t)
        c = aa + b - 1.0
        h = special.hyp2f1(c - r, aa - 1.0, c, z)
        return c / (aa - 1.0) * (-np.expm1((aa - 1.0) * log1mz) - np.exp((aa - 1.0) * log1mz) * (h - 1.0))

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        near_one = np.abs(a - 1.0) < 1e-5
        if near_one.any():
            h = 1e-5
            lo, hi = f(np.full_like(a, 1.0 - h)), f(np.full_like(a, 1.0 + h))
            out = np.where(near_one, lo + (a - (1.0 - h)) / (2.0 * h) * (hi - lo), 0.0)
            if not near_one.all():
                out = np.where(near_one, out, f(np.where(near_one, 2.0, a)))
        else:
            out = f(a)
        upper = r * t / alpha
        bad = (t > 0) & ~((out >= 0) & (out <= upper * (1 + 1e-9)))
        if bad.any():
            out = np.array(out, dtype=float, copy=True)
            quad = _uncond_quadrature(r[bad], alpha[bad], a[bad], b[bad], t[bad])
            out[bad] = np.clip(quad, 0.0, upper[bad])  # the bounds are exact
    return np.where(t > 0, out, 0.0)


def bgnbd_unconditional_expected(params, t) -> float | np.ndarray:
    """Expected number of repeat purchases E[X(t)] in (0, t] of a new customer.

    ``(a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r * 2F1(r, b; a+b-1; t/(alpha+t))]``
    (Fader, Hardie & Lee 2005, eq. 9), evaluated with ``scipy.special.hyp2f1``.
    Returns a float for scalar ``t`` and an array otherwise.  ``t`` must be >= 0.
    """
    r, alpha, a, b = _bg_params(params)
    tt = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(tt)) or np.any(tt < 0):
        raise ValueError("t must be finite and >= 0")
    out = _uncond_core(r, alpha, a, b, tt)
    return float(out) if out.ndim == 0 else out


def bgnbd_expected_purchases(params, t, frequency, recency, T) -> np.ndarray:
    """Conditional expected number of purchases in (T, T+t] given (x, t_x, T).

    ``(a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x)
    2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))] / (1 + [x>0] a/(b+x-1)
    ((alpha+T)/(alpha+t_x))^(r+x))`` (Fader, Hardie & Lee 2005, eq. 10),
    evaluated as ``P(alive) * E[X(t)]`` for a "new" customer with updated
    parameters ``(r+x, alpha+T, a, b+x)``.  ``t`` may be a scalar or an array
    broadcastable against the customer arrays (e.g. shape ``(k, 1)`` for k
    horizons).
    """
    r, alpha, a, b = _bg_params(params)
    x, tx, TT = _rft(frequency, recency, T)
    tt = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(tt)) or np.any(tt < 0):
        raise ValueError("t must be finite and >= 0")
    alive = bgnbd_probability_alive((r, alpha, a, b), x, tx, TT)
    return alive * _uncond_core(r + x, alpha + TT, a, b + x, tt)
