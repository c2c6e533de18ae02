"""The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, \"RFM and CLV\")."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from copisdsl.data.clv.fit import (_aggregate, _vdot, _warn_fit, _weighted, distinct, maximise, observed_information,
                                   on_sample, shape_limit)
from copisdsl.data.clv.params import GammaGammaParams, _float_array, _gg_params, _same_length

_NAMES = ("p", "q", "v")


class _GGData:
    """Pre-processed repeat-customer data for fast Gamma-Gamma likelihood
    evaluation: customers with the same (x, m) are one row with a weight,
    every term that depends on x only is summed per distinct x, the terms
    that do not depend on the parameters are precomputed, so an evaluation
    costs one log and one reciprocal per distinct (x, m)."""

    def __init__(self, x, m, w):
        self.n = float(w.sum())
        self.w = w
        self.wx = w * x
        self.mx = m * x
        self.xu, inverse = distinct(x)
        self.nu = np.bincount(inverse, weights=w, minlength=len(self.xu))
        logm = np.log(m)
        self.S_const = _vdot(self.wx, logm) + _vdot(self.wx, np.log(x))  # coefficient of p
        self.S_logm = _vdot(w, logm)

    def neg_ll_grad(self, theta):
        p, q, v = np.exp(theta)
        gl, dg = special.gammaln, special.digamma
        n, xu, nu = self.n, self.xu, self.nu
        pxu = p * xu
        vmx = v + self.mx
        L = np.log(vmx)
        inv = 1.0 / vmx
        S_xL, S_L = _vdot(self.wx, L), _vdot(self.w, L)
        dg_pq = dg(pxu + q)
        ll = (_vdot(nu, gl(pxu + q) - gl(pxu)) + p * self.S_const - self.S_logm
              - p * S_xL - q * S_L + n * (q * math.log(v) - gl(q)))
        d_p = _vdot(nu * xu, dg_pq - dg(pxu)) + self.S_const - S_xL
        d_q = _vdot(nu, dg_pq) - S_L + n * (math.log(v) - dg(q))
        d_v = n * q / v - p * _vdot(self.wx, inv) - q * _vdot(self.w, inv)
        grad = np.array([d_p * p, d_q * q, d_v * v])
        return -ll / n, -grad / n


def _gg_ll_terms(p, q, v, x, m):
    gl = special.gammaln
    px = p * x
    return (gl(px + q) - gl(px) - gl(q) + q * np.log(v) + (px - 1.0) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(v + m * x))


def fit_gamma_gamma(frequency, monetary_value, *, weights=None) -> GammaGammaParams:
    """Fit the Gamma-Gamma spend model by maximum likelihood.

    Only customers with ``frequency > 0`` and ``monetary_value > 0`` are used;
    ``weights`` optionally counts each row (customers with the same (x, m)
    are merged anyway).  For such a customer the mean spend m over x repeat
    purchases has density
    ``Gamma(px+q)/(Gamma(px)Gamma(q)) v^q m^(px-1) x^(px) / (v + m x)^(px+q)``.
    The LL is maximised over log-parameters with analytic gradients by
    :func:`fit.maximise` after rescaling money so the mean spend is 1 (``v``
    is scaled back).  ``log_likelihood`` is the total log-density in the
    original money unit; the record also says whether the fit converged,
    the parameters at the edge and the standard errors.  Raises
    ``ValueError`` when there is no repeat customer.
    """
    x = _float_array(frequency, "frequency")
    m = _float_array(monetary_value, "monetary_value")
    _same_length({"frequency": x, "monetary_value": m})
    if np.any(x < 0):
        raise ValueError("frequency must be >= 0")
    x, m, w = _weighted(weights, x, m)
    keep = (x > 0) & (m > 0)
    if not keep.any():
        raise ValueError("fit_gamma_gamma: no repeat customers (frequency > 0 and monetary_value > 0) to fit on")
    x, m, w = x[keep], m[keep], w[keep]
    s = 1.0 / (_vdot(w, m) / float(w.sum()))
    (xa, ma), wa, _ = _aggregate((x, m * s), w)
    data = _GGData(xa, ma, wa)
    starts = [[0.0, 0.0, 0.0], [math.log(5.0), math.log(3.0), math.log(2.0 * 3.0 / 5.0)],
              [math.log(0.5), math.log(0.5), math.log(0.5)]]
    sample = on_sample(lambda *rows: _GGData(*rows).neg_ll_grad, (xa, ma), wa)
    opt = maximise(data.neg_ll_grad, starts, _NAMES, limits=shape_limit(1, 2, _NAMES),  # q, v: spread of spend
                   sample=sample)
    if opt is None:  # pragma: no cover - defensive
        raise RuntimeError("fit_gamma_gamma: optimisation failed from every starting point")
    _warn_fit("fit_gamma_gamma", opt)
    p, q, v_s = (float(val) for val in np.exp(opt.theta))
    v = v_s / s
    ll = _vdot(w, _gg_ll_terms(p, q, v, x, m))
    se, cov = observed_information(opt, np.array([p, q, v]), data.n, _NAMES, data.neg_ll_grad)
    return GammaGammaParams(p=p, q=q, v=v, log_likelihood=ll, converged=opt.converged, edges=opt.edges,
                            standard_errors=se, log_covariance=cov)


def gamma_gamma_expected_spend(params, frequency, monetary_value) -> np.ndarray:
    """Conditional expected average spend per purchase, E[M | p, q, v, m, x].

    ``(q-1)/(p x + q - 1) * (p v/(q-1)) + (p x/(p x + q - 1)) * m``
    = ``p (v + x m) / (p x + q - 1)``.  For ``x == 0`` this is the population
    mean ``p v / (q - 1)``.  Where ``p x + q - 1 <= 0`` (only possible when
    ``q <= 1``; the expectation is infinite) the result is NaN.
    """
    p, q, v = _gg_params(params)
    x = _float_array(frequency, "frequency")
    m = _float_array(monetary_value, "monetary_value")
    _same_length({"frequency": x, "monetary_value": m})
    denom = p * x + q - 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        out = p * (v + x * m) / denom
    return np.where(denom > 0, out, np.nan)
