"""Intervals from the uncertainty of fitted parameters.

A maximum-likelihood estimate is asymptotically normal around the true
parameters with the inverse of the observed information (the Hessian of the
negative log-likelihood at the estimate) as its covariance. The models are
fitted on log-parameters, where that normal approximation is better, so the
covariance here is that of the log-parameters, which each fit records
(``log_covariance`` on its parameters, from the same observed information
as its standard errors).

A figure computed from the parameters gets its interval by the delta
method (``delta_intervals``): its gradient in the log-parameters (central
differences) carries the covariance to the figure's variance, and the
interval at level P is the figure ± z·sd with z the standard normal's
(1+P)/2 quantile. That needs two evaluations of the figures per parameter
(14 for BG/NBD with Gamma-Gamma) where a parametric bootstrap needs
hundreds (``draw_parameters`` and ``central_interval`` are that
alternative: on 20,000 customers 200 draws took 38 s against 3 s, with
intervals equal to within the draws' own noise). Deterministic.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


#: the draws of the bootstrap alternative (``draw_parameters``), and their seed
DRAWS = 200
SEED = 20260
#: the step, in log-parameters, of the delta method's central differences
DELTA_STEP = 1e-4


def draw_parameters(estimate: tuple[float, ...], covariance: np.ndarray, draws: int = DRAWS,
                    seed: int = SEED) -> np.ndarray:
    """``draws`` parameter vectors (one a row) drawn from the normal
    distribution of the log-parameters around ``estimate`` (the fitted
    parameters themselves) with ``covariance``; deterministic for a seed."""
    rng = np.random.default_rng(seed)
    logs = rng.multivariate_normal(np.log(np.asarray(estimate, dtype=float)), covariance, size=draws,
                                   method="cholesky")
    return np.exp(logs)


def central_interval(samples, level: float) -> tuple[float, float] | None:
    """The central ``level`` range of ``samples`` (its (1-level)/2 and
    (1+level)/2 quantiles, linearly interpolated); None when a sample is not
    finite."""
    values = np.asarray(samples, dtype=float)
    if values.size == 0 or not np.all(np.isfinite(values)):
        return None
    lo, hi = np.quantile(values, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return float(lo), float(hi)


def delta_intervals(figures_at: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, covariance: np.ndarray,
                    level: float, step: float = DELTA_STEP) -> list[tuple[float, float] | None]:
    """Intervals at ``level`` of the figures ``figures_at(theta)`` (a vector)
    by the delta method, for log-parameters ``theta`` with ``covariance``;
    None for a figure whose value or gradient is not finite."""
    from statistics import NormalDist

    theta = np.asarray(theta, dtype=float)
    centre = np.asarray(figures_at(theta), dtype=float)
    gradient = np.empty((len(centre), len(theta)))
    for j in range(len(theta)):
        shift = np.zeros(len(theta))
        shift[j] = step
        gradient[:, j] = (np.asarray(figures_at(theta + shift)) - np.asarray(figures_at(theta - shift))) / (2 * step)
    variance = np.einsum("ij,jk,ik->i", gradient, covariance, gradient)
    z = NormalDist().inv_cdf((1.0 + level) / 2.0)
    out: list[tuple[float, float] | None] = []
    for value, var in zip(centre, variance):
        if not (np.isfinite(value) and np.isfinite(var)) or var < 0:
            out.append(None)
        else:
            half = z * float(np.sqrt(var))
            out.append((float(value - half), float(value + half)))
    return out
