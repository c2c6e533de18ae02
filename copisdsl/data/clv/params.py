"""Parameter records, units and the input checks shared by the CLV models."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from copisdsl.units import DAYS_PER_YEAR
#: Floor of the observed span used by :func:`historic_clv` to annualise a
#: customer's revenue (see its docstring for the rationale).
HISTORIC_MIN_SPAN_DAYS = DAYS_PER_YEAR

_UNIT_DAYS = {"day": 1.0, "week": 7.0}
# Optimisation is done on log-parameters inside these bounds, after the time
# (BG/NBD) or money (Gamma-Gamma) axis has been rescaled to order 1..10.
_LOG_BOUND = 16.0


@dataclass(frozen=True)
class BGNBDParams:
    """Fitted BG/NBD parameters and the maximised total log-likelihood.

    ``alpha`` is expressed in the time unit of the data the model was fitted
    on (days or weeks).
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    #: whether the optimiser reached a maximum (see ``fit.fit_state``)
    converged: bool = True
    #: parameters whose estimate lies at the edge of the search space, as
    #: ``(name, "0" | "∞")``: the fit is a limiting case of the model
    edges: tuple[tuple[str, str], ...] = ()
    #: standard error of each parameter from the observed information (NaN
    #: where it has none: at the edge, or a Hessian that is not positive definite)
    standard_errors: dict[str, float] = field(default_factory=dict, compare=False)
    #: the covariance of the log-parameters (in ``as_tuple`` order) from the
    #: same observed information; None unless every parameter is free
    log_covariance: np.ndarray | None = field(default=None, compare=False, repr=False)

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Return ``(r, alpha, a, b)``."""
        return (self.r, self.alpha, self.a, self.b)


@dataclass(frozen=True)
class ParetoNBDParams:
    """Fitted Pareto/NBD parameters (Schmittlein, Morrison & Colombo 1987):
    ``r, alpha`` the gamma mixing of the purchase rate, ``s, beta`` that of
    the drop-out rate (``alpha`` and ``beta`` in the time unit of the data),
    with the fit's record as in :class:`BGNBDParams`."""

    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    converged: bool = True
    edges: tuple[tuple[str, str], ...] = ()
    standard_errors: dict[str, float] = field(default_factory=dict, compare=False)
    log_covariance: np.ndarray | None = field(default=None, compare=False, repr=False)  # as in BGNBDParams

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Return ``(r, alpha, s, beta)``."""
        return (self.r, self.alpha, self.s, self.beta)


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma spend-model parameters (``v`` is the paper's gamma)
    and the maximised total log-likelihood (a log-density in the money unit of
    the data)."""

    p: float
    q: float
    v: float
    log_likelihood: float
    converged: bool = True  # as in BGNBDParams
    edges: tuple[tuple[str, str], ...] = ()
    standard_errors: dict[str, float] = field(default_factory=dict, compare=False)
    log_covariance: np.ndarray | None = field(default=None, compare=False, repr=False)  # as in BGNBDParams

    def as_tuple(self) -> tuple[float, float, float]:
        """Return ``(p, q, v)``."""
        return (self.p, self.q, self.v)


def _unit_days(unit: str) -> float:
    try:
        return _UNIT_DAYS[unit]
    except (KeyError, TypeError):
        raise ValueError(f"unit must be 'day' or 'week', not {unit!r}") from None


def _float_array(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def _same_length(name_arrays: dict[str, np.ndarray]) -> int:
    lengths = {name: len(a) for name, a in name_arrays.items()}
    if len(set(lengths.values())) > 1:
        desc = ", ".join(f"{k}={v}" for k, v in lengths.items())
        raise ValueError(f"inputs must have the same length ({desc})")
    n = next(iter(lengths.values()))
    if n == 0:
        raise ValueError("inputs are empty: at least one customer is needed")
    return n


def _rft(frequency, recency, T):
    """Validate (frequency, recency, T) and return float arrays."""
    x = _float_array(frequency, "frequency")
    tx = _float_array(recency, "recency")
    TT = _float_array(T, "T")
    _same_length({"frequency": x, "recency": tx, "T": TT})
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must hold whole numbers >= 0 (counts of repeat purchases)")
    if np.any(tx < 0):
        raise ValueError("recency must be >= 0")
    # allow round-off between recency and T
    if np.any(tx > TT * (1 + 1e-9) + 1e-12):
        raise ValueError("recency must not exceed T")
    if np.any((x == 0) & (tx != 0)):
        raise ValueError("recency must be 0 for customers with frequency 0")
    return x, tx, TT


def _bg_params(params) -> tuple[float, float, float, float]:
    return _model_params(params, BGNBDParams, "BG/NBD", "(r, alpha, a, b)")


def _pareto_params(params) -> tuple[float, float, float, float]:
    return _model_params(params, ParetoNBDParams, "Pareto/NBD", "(r, alpha, s, beta)")


def _gg_params(params) -> tuple[float, float, float]:
    return _model_params(params, GammaGammaParams, "Gamma-Gamma", "(p, q, v)")


def _model_params(params, record: type, model: str, names: str) -> tuple[float, ...]:
    """``params`` (a fitted ``record`` or a tuple of the parameters ``names``)
    as a tuple of positive finite floats; ``ValueError`` otherwise."""
    if isinstance(params, record):
        vals = params.as_tuple()
    else:
        count = names.count(",") + 1
        try:
            vals = tuple(float(v) for v in params)
        except TypeError:
            raise ValueError(f"{model} params must be {record.__name__} or {names}") from None
        if len(vals) != count:
            raise ValueError(f"{model} params must be {record.__name__} or {names}")
    if not all(math.isfinite(v) and v > 0 for v in vals):
        raise ValueError(f"{model} parameters must be positive and finite, got {vals}")
    return vals


def _value_settings(margin, discount, horizon, horizon_name: str) -> tuple[float, float, float]:
    """``margin``, the annual ``discount`` (> -1) and a horizon (>= 0) as
    checked floats: the settings every CLV value model takes."""
    horizon = _check_rate(horizon, horizon_name)
    if horizon < 0:
        raise ValueError(f"{horizon_name} must be >= 0")
    return _check_rate(margin, "margin"), _check_rate(discount, "discount", lower=-1.0), horizon


def _check_rate(value, name: str, *, lower: float | None = None) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite")
    if lower is not None and v <= lower:
        raise ValueError(f"{name} must be > {lower}, got {v}")
    return v
