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
hundreds (the tests keep that alternative as the method's reference: on
20,000 customers 200 draws took 38 s against 3 s, with intervals equal to
within the draws' own noise). Deterministic.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

#: the step, in log-parameters, of the delta method's central differences
DELTA_STEP = 1e-4


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
