"""Maximum-likelihood machinery shared by the models: row aggregation, the
optimiser that reaches the maximum, and the standard errors at it.

Each model hands :func:`maximise` the negative log-likelihood of its
(aggregated, rescaled) data as a function of the logarithms of its
parameters, normalised by the total weight so that the optimiser sees
numbers of order 1.  ``maximise`` runs a bounded truncated-Newton search
(scipy TNC) from several starts, polishes each interior result with
Newton's method on a finite-difference Hessian of the analytic gradient
until the gradient itself is below :data:`GRADIENT_TOLERANCE`, compares
the starts by likelihood and keeps the best.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy import optimize

from copisdsl.data.clv.params import _LOG_BOUND, _float_array, _rft, _same_length

#: A fit has converged when every component of the gradient of the
#: normalised negative log-likelihood, with respect to the log-parameters,
#: is below this.  (TNC alone stops on small steps or function changes; on
#: the flat ridges of these likelihoods that can be far from the maximum.)
GRADIENT_TOLERANCE = 1e-8
#: A log-parameter this close to the search box's bound (``±_LOG_BOUND``)
#: is "at the edge": the likelihood is maximised by a limit of the model.
EDGE_MARGIN = 2.0
_NEWTON_STEPS = 20
_MAX_STEP = 2.0  # the longest Newton step in any log-parameter
#: A Newton step that shrinks the gradient this many times over earns its
#: Hessian another step: near the maximum a Hessian stays good for several
#: steps, and each fresh one costs ``2k`` evaluations on every row.
_CONTRACTION = 4.0
#: the relative change of a likelihood's value that rounding can account for
_ROUNDING = 1e-14

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


def _vdot(u: np.ndarray, v: np.ndarray) -> float:
    """Dot product of two vectors without BLAS (``np.dot`` goes through a
    multi-threaded BLAS whose thread hand-off dominates, and degrades badly
    on a busy machine, at the vector sizes used here)."""
    return float(np.einsum("i,i->", u, v))


#: the widest range of whole numbers :func:`distinct` counts rather than
#: sorts: as wide as the number of values (its counts then take no more
#: memory than the sort would), or this, for few values
_COUNTING_RANGE = 65536


def distinct(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(col, return_inverse=True)``, the inverse flat: the sorted
    distinct values and each value's index among them. Whole numbers of a
    short range (days, purchase counts) are counted, not sorted: 200,000
    days in 0.6 ms instead of 19 ms; the same values and indices either way
    (a zero counted may lose its sign: -0.0 == 0.0). Unsigned integers are
    sorted (uint64 does not mix with int64 counts)."""
    if len(col) and col.dtype.kind in "if":
        lo, hi = col.min(), col.max()
        # the width in floats: an int64 difference could wrap around
        if np.isfinite(lo) and np.isfinite(hi) and float(hi) - float(lo) <= max(len(col), _COUNTING_RANGE):
            whole = (col - lo).astype(np.int64)
            if (whole + lo == col).all():
                seen = np.bincount(whole)
                present = np.flatnonzero(seen)
                rank = np.cumsum(seen > 0) - 1
                return (present + lo).astype(col.dtype), rank[whole]
    uniq, inverse = np.unique(col, return_inverse=True)
    return uniq, inverse.ravel()


def _aggregate(columns: tuple[np.ndarray, ...], weights: np.ndarray):
    """Collapse identical rows of ``columns`` and sum their weights.

    Returns the distinct rows (one array per column, in lexicographic order),
    their summed weights and, for every input row, the index of its distinct
    row.  Each column is coded by its distinct values and the codes are
    combined into one integer key (far faster than ``np.unique(axis=0)``)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    radix = 1
    values = []
    for col in columns:
        uniq, inv = distinct(col)
        values.append(uniq)
        radix *= len(uniq)
        if radix >= 2**62:  # pragma: no cover - absurd cardinalities
            stacked = np.column_stack(columns)
            u, inverse = np.unique(stacked, axis=0, return_inverse=True)
            inverse = inverse.ravel()
            w = np.bincount(inverse, weights=weights, minlength=len(u))
            return tuple(u[:, i].copy() for i in range(u.shape[1])), w, inverse
        key = key * len(uniq) + inv
    ukey, inverse = distinct(key)
    w = np.bincount(inverse, weights=weights, minlength=len(ukey))
    out = []
    for uniq in reversed(values):
        out.append(uniq[ukey % len(uniq)])
        ukey = ukey // len(uniq)
    return tuple(reversed(out)), w, inverse


def aggregate_rows(columns: tuple[np.ndarray, ...]):
    """The distinct rows of ``columns`` and, per input row, the index of its
    distinct row: evaluate a per-customer formula once per distinct row, then
    spread it back with ``result[index]``."""
    rows, _, index = _aggregate(columns, np.ones(len(columns[0])))
    return rows, None, index


def _weighted(weights, *columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """The ``columns`` and their row ``weights`` (1 each when None), without
    the rows of weight 0; ``ValueError`` for negative or all-zero weights."""
    if weights is None:
        return (*columns, np.ones(len(columns[0])))
    w = _float_array(weights, "weights")
    _same_length({"rows": columns[0], "weights": w})
    if np.any(w < 0):
        raise ValueError("weights must be >= 0")
    keep = w > 0
    if not keep.any():
        raise ValueError("weights are all zero")
    return (*(c[keep] for c in columns), w[keep])


@dataclass(frozen=True)
class PurchaseRows:
    """What a purchase model (BG/NBD, Pareto/NBD) is fitted on: the
    distinct rows of (x, t_x, T) in the data's own time unit (``xa``,
    ``txd``, ``Td``; weight-0 rows dropped), each with its summed weight
    ``wa``, and ``scale``, the rescaling of time that makes the longest
    ``T`` 10 (it only shifts the log-likelihood by a constant):
    ``txa`` and ``Ta`` are the rescaled times."""

    scale: float
    xa: np.ndarray
    txd: np.ndarray
    Td: np.ndarray
    wa: np.ndarray

    @property
    def txa(self) -> np.ndarray:
        """The distinct rows' t_x, rescaled."""
        return self.txd * self.scale

    @property
    def Ta(self) -> np.ndarray:
        """The distinct rows' T, rescaled."""
        return self.Td * self.scale

    @property
    def rate(self) -> float:
        """The mean repeat-purchase rate in rescaled time (for starting values)."""
        exposure = _vdot(self.wa, self.Ta)
        return max(_vdot(self.wa, self.xa) / exposure, 1e-6) if exposure > 0 else 1.0


def purchase_rows(frequency, recency, T, weights=None) -> PurchaseRows:
    """:class:`PurchaseRows` of per-customer ``frequency``, ``recency`` and
    ``T``; ``ValueError`` for invalid input or when every ``T`` is 0."""
    x, tx, TT = _rft(frequency, recency, T)
    x, tx, TT, w = _weighted(weights, x, tx, TT)
    longest = float(TT.max())
    if longest <= 0:
        raise ValueError("every T is 0: the observation window has no length, nothing to fit")
    # Aggregated in the data's unit, where days are whole numbers to count
    # (rescaling keeps their order and, for whole days, their distinctness).
    (xa, txd, Td), wa, _ = _aggregate((x, tx, TT), w)
    return PurchaseRows(10.0 / longest, xa, txd, Td, wa)


@dataclass(frozen=True)
class Optimum:
    """The best maximum found: log-parameters (in the model's rescaled
    units), the normalised negative log-likelihood and its gradient there,
    its Hessian (None at the edge), and the verdicts ``converged`` (the
    gradient is below :data:`GRADIENT_TOLERANCE` and the Hessian positive
    definite) and ``edges`` (``(name, "0" | "∞")`` for each parameter at the
    edge of the search box)."""

    theta: np.ndarray
    value: float
    gradient: np.ndarray
    hessian: np.ndarray | None
    converged: bool
    edges: tuple[tuple[str, str], ...]


def numeric_gradient(fun: Callable[[np.ndarray], float], step: float = 1e-6) -> Objective:
    """``fun`` with a central-difference gradient, for a likelihood whose
    derivatives have no convenient closed form (Pareto/NBD's hypergeometric
    terms)."""

    def with_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value = fun(theta)
        grad = np.empty(len(theta))
        for i in range(len(theta)):
            e = np.zeros(len(theta))
            e[i] = step
            grad[i] = (fun(theta + e) - fun(theta - e)) / (2.0 * step)
        return value, grad

    with_gradient.value_only = fun  # type: ignore[attr-defined]  # lets `hessian` difference values
    return with_gradient


def hessian(fun: Objective, theta: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Hessian of ``fun`` at ``theta`` by central differences of its gradient,
    symmetrised; for a :func:`numeric_gradient` objective, by second
    differences of its values (fewer evaluations than differencing
    differences)."""
    k = len(theta)
    value_only = getattr(fun, "value_only", None)
    if value_only is not None:
        return _second_differences(value_only, theta)
    h = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = step
        h[i] = (fun(theta + e)[1] - fun(theta - e)[1]) / (2.0 * step)
    return 0.5 * (h + h.T)


def _second_differences(f: Callable[[np.ndarray], float], theta: np.ndarray, step: float = 1e-3) -> np.ndarray:
    k = len(theta)
    eye = np.eye(k) * step
    centre = f(theta)
    h = np.empty((k, k))
    for i in range(k):
        h[i, i] = (f(theta + eye[i]) - 2.0 * centre + f(theta - eye[i])) / step**2
        for j in range(i):
            h[i, j] = h[j, i] = (f(theta + eye[i] + eye[j]) - f(theta + eye[i] - eye[j])
                                 - f(theta - eye[i] + eye[j]) + f(theta - eye[i] - eye[j])) / (4.0 * step**2)
    return h


def _at_edge(theta: np.ndarray) -> np.ndarray:
    return np.abs(theta) >= _LOG_BOUND - EDGE_MARGIN


Limits = Callable[[np.ndarray], tuple[tuple[str, str], ...]]


def _no_limits(theta: np.ndarray) -> tuple[tuple[str, str], ...]:
    return ()


#: A gamma mixing whose shape exceeds this (a coefficient of variation of
#: its rate below 1 %) counts as the limit of no spread: the likelihood is
#: flat along shape and rate growing together long before the box's edge,
#: too flat for the gradient to be told from rounding.
SHAPE_LIMIT = 1e4


def shape_limit(shape: int, rate: int, names: tuple[str, ...]) -> Limits:
    """The ``limits`` of a gamma mixing whose shape and rate are the
    log-parameters ``shape`` and ``rate``: past :data:`SHAPE_LIMIT` both are
    at ∞ (the spread vanishes; only their ratio, the mean, is determined)."""

    def limits(theta: np.ndarray) -> tuple[tuple[str, str], ...]:
        return ((names[shape], "∞"), (names[rate], "∞")) if theta[shape] > math.log(SHAPE_LIMIT) else ()

    return limits


def beta_limit(a: int, b: int, names: tuple[str, ...]) -> Limits:
    """The ``limits`` of a beta mixing whose parameters are the
    log-parameters ``a`` and ``b``: where the coefficient of variation of
    its probability, ``sqrt(b / (a (a + b + 1)))``, falls below 1 % (as a
    gamma's past :data:`SHAPE_LIMIT`), both are at ∞: the spread vanishes,
    only the mean ``a / (a + b)`` is determined, and the likelihood is as
    flat along the two growing together."""

    def limits(theta: np.ndarray) -> tuple[tuple[str, str], ...]:
        cv2 = math.exp(theta[b] - theta[a] - np.logaddexp(np.logaddexp(theta[a], theta[b]), 0.0))
        return ((names[a], "∞"), (names[b], "∞")) if cv2 < 1.0 / SHAPE_LIMIT else ()

    return limits


def _newton(fun: Objective, theta: np.ndarray, limits: Limits = _no_limits,
            guess: np.ndarray | None = None) -> tuple[np.ndarray, float, np.ndarray, np.ndarray | None]:
    """Newton's method from ``theta`` until the gradient is below the
    tolerance: the Hessian's eigenvalues are made positive (so every step
    goes downhill) and each step is halved until the value decreases.
    A Hessian is kept for the next step while its full steps shrink the
    gradient at least :data:`_CONTRACTION`-fold (``guess``, when given, is
    the first one: the sample's at its maximum, for the polish on every
    row); a kept one that finds no decrease, or leads to the edge or a limit
    of the model, is replaced by a fresh one before anything is decided.
    Returns the point, its value, gradient and the Hessian computed there
    (None at the edge or a limit)."""
    value, grad = fun(theta)
    step_h, fresh = guess, False
    for _ in range(_NEWTON_STEPS):
        if np.max(np.abs(grad)) < GRADIENT_TOLERANCE:
            break
        if step_h is None:
            step_h, fresh = hessian(fun, theta), True
        found = _descend(fun, theta, value, grad, step_h)
        ends = found is not None and (_at_edge(found[0]).any() or bool(limits(found[0])))
        if not fresh and (found is None or ends):
            step_h = None
            continue
        if found is None:  # no decrease left at the precision of the value: as good as it gets
            return theta, value, grad, step_h  # fresh, so this point's own Hessian
        trial, trial_value, trial_grad, step = found
        if step < 1.0 or np.max(np.abs(trial_grad)) > np.max(np.abs(grad)) / _CONTRACTION:
            step_h = None  # a poor model of the likelihood here: a fresh Hessian for the next step
        theta, value, grad, fresh = trial, trial_value, trial_grad, False
        if ends:
            return theta, value, grad, None
    return theta, value, grad, hessian(fun, theta)


def _descend(fun: Objective, theta: np.ndarray, value: float, grad: np.ndarray,
             h: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, float] | None:
    """The Newton step from ``theta`` on the Hessian ``h`` (its eigenvalues
    made positive, at most :data:`_MAX_STEP` long), halved until the value
    decreases: the point, its value and gradient and the step's fraction;
    None when no fraction decreases it."""
    eigval, eigvec = np.linalg.eigh(h)
    floor = max(float(np.max(np.abs(eigval))), 1e-300) * 1e-10
    direction = -eigvec @ ((eigvec.T @ grad) / np.maximum(np.abs(eigval), floor))
    length = float(np.max(np.abs(direction)))
    if length > _MAX_STEP:  # a trust region: far trials only cost evaluations in extreme corners
        direction *= _MAX_STEP / length
    slope = float(grad @ direction)
    step = 1.0
    while step > 1e-12:
        trial = np.clip(theta + step * direction, -_LOG_BOUND, _LOG_BOUND)
        trial_value, trial_grad = fun(trial)
        if np.isfinite(trial_value) and (trial_value <= value + 1e-4 * step * slope or (
                # near the maximum the value changes below its rounding: the gradient tells
                trial_value <= value + _ROUNDING * abs(value)
                and np.max(np.abs(trial_grad)) < np.max(np.abs(grad)) / 2.0)):
            return trial, trial_value, trial_grad, step
        step *= 0.5
    return None


#: Past twice this many distinct rows, the search from several starts runs
#: on a sample of this many (each standing for its neighbours' weight) and
#: only its best maximum is polished on every row: on 160,000 distinct rows
#: the fit took 184 full evaluations, now 14 (``_newton`` starts from the
#: sample's Hessian).
SAMPLE_ROWS = 20_000


def sample_rows(columns: tuple[np.ndarray, ...], weights: np.ndarray,
                size: int | None = None) -> tuple[tuple[np.ndarray, ...], np.ndarray] | None:
    """A systematic sample of the distinct rows ``columns`` (as
    :func:`_aggregate` returns them, in lexicographic order): every k-th
    row, weighted by the total weight of the ``k`` rows from it on, so the
    sample's normalised likelihood follows the whole one; None when there
    are too few rows to be worth sampling. ``size``: the sample's rows
    (default :data:`SAMPLE_ROWS`)."""
    size = size or SAMPLE_ROWS
    n = len(weights)
    if n <= 2 * size:
        return None
    starts = np.arange(0, n, -(-n // size))
    return tuple(c[starts] for c in columns), np.add.reduceat(weights, starts)


def on_sample(objective: Callable[..., Objective], columns: tuple[np.ndarray, ...], weights: np.ndarray,
              size: int | None = None) -> Objective | None:
    """``objective(*columns, weights)`` built on :func:`sample_rows` of the
    distinct rows, for :func:`maximise`'s ``sample``; None when there are
    too few rows to sample."""
    sampled = sample_rows(columns, weights, size)
    return None if sampled is None else objective(*sampled[0], sampled[1])


def maximise(fun: Objective, starts: Sequence[Sequence[float]], names: tuple[str, ...],
             search_evaluations: int = 400, limits: Limits = _no_limits,
             sample: Objective | None = None) -> Optimum | None:
    """Minimise ``fun`` (the normalised negative log-likelihood with its
    gradient, over log-parameters named ``names``) from each of ``starts``
    and return the best optimum, or None when every start fails.

    The search runs from every start in turn and stops early only when two
    starts have converged to the same interior maximum (values within 1e-10)
    or two have run to the edge of the box (a limit of the model, which more
    starts only find again).  ``search_evaluations`` caps TNC's evaluations
    before Newton's method takes over (small for a gradient by differences,
    where each evaluation costs ``2k + 1`` likelihoods).  ``limits`` names,
    as ``edges``, the limits of the model a point counts as having reached
    though inside the box (where the likelihood turns flat sooner).

    With ``sample`` (the same objective on :func:`sample_rows`), the search
    from every start runs on the sample and Newton's method polishes its
    best maximum on ``fun``; when either does not converge inside the box
    (a limit of the model), the search runs on ``fun`` from the same starts
    as without a sample: the same result, later."""
    if sample is not None:
        rough = _search(sample, starts, names, search_evaluations, limits)
        if rough is not None and rough.converged:
            theta, value, grad, h = _newton(fun, rough.theta, limits, guess=rough.hessian)
            polished = _optimum(theta, value, grad, h, names, limits(theta))
            if polished.converged:
                return polished
    return _search(fun, starts, names, search_evaluations, limits)


def _search(fun: Objective, starts: Sequence[Sequence[float]], names: tuple[str, ...],
            search_evaluations: int, limits: Limits) -> Optimum | None:
    """:func:`maximise` on one objective: TNC then Newton from each start."""
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(names)
    found: list[Optimum] = []
    for x0 in starts:
        with np.errstate(all="ignore"):
            try:
                res = optimize.minimize(fun, np.asarray(x0, dtype=float), jac=True, method="TNC",
                                        bounds=bounds, options={"maxfun": search_evaluations, "ftol": 1e-14,
                                                                  "gtol": 1e-10})
            except (ValueError, FloatingPointError, ArithmeticError):  # pragma: no cover - defensive
                continue
            if not np.isfinite(res.fun):
                continue
            theta, value, grad = np.asarray(res.x, dtype=float), float(res.fun), np.asarray(res.jac, dtype=float)
            h = None
            if not _at_edge(theta).any() and not limits(theta):
                theta, value, grad, h = _newton(fun, theta, limits)
        found.append(_optimum(theta, value, grad, h, names, limits(theta)))
        converged = [o for o in found if o.converged]
        if any(_same_value(o.value, p.value) for i, o in enumerate(converged) for p in converged[:i]):
            break
        if sum(1 for o in found if o.edges) >= 2:
            break
    if not found:
        return None
    best = min(found, key=lambda o: o.value)
    # Values within rounding of the best are ties: a converged one wins.
    ties = [o for o in found if _same_value(o.value, best.value)]
    return min(ties, key=lambda o: (not o.converged, float(np.max(np.abs(o.gradient)))))


def _same_value(u: float, v: float) -> bool:
    """Two normalised values equal within what rounding leaves of them."""
    return abs(u - v) <= 1e-10 * max(1.0, abs(u), abs(v))


def _optimum(theta, value, grad, h, names, limits=()) -> Optimum:
    edge = _at_edge(theta)
    edges = tuple((name, "0" if x < 0 else "∞") for name, x, e in zip(names, theta, edge) if e)
    edges += tuple(e for e in limits if e[0] not in dict(edges))
    positive = h is not None and bool(np.all(np.linalg.eigvalsh(h) > 0))
    converged = not edges and positive and bool(np.max(np.abs(grad)) < GRADIENT_TOLERANCE)
    return Optimum(theta=theta, value=value, gradient=grad, hessian=None if edges else h,
                   converged=converged, edges=edges)


def observed_information(opt: Optimum, natural: np.ndarray, total_weight: float, names: tuple[str, ...],
                         fun: Objective | None = None) -> tuple[dict[str, float], np.ndarray | None]:
    """The standard errors of the natural parameters ``natural`` (``exp(theta)``
    in the data's own units) and the covariance of the log-parameters, both
    from the observed information at ``opt``.

    The Hessian of the total negative log-likelihood with respect to the
    log-parameters is ``total_weight`` times the normalised one (rescaling
    time only shifts a log-parameter, so it is the Hessian in the data's
    units too); its inverse is the log-parameters' covariance, and at a
    maximum the delta method gives ``cov(phi) = diag(phi) H^-1 diag(phi)``.
    A parameter at the edge gets NaN; the others come from the Hessian of
    the remaining parameters (the fit given the limit), computed with
    ``fun`` when ``opt`` has none. The covariance is None unless every
    parameter is free; NaN everywhere and None when that Hessian is not
    positive definite."""
    out = {name: math.nan for name in names}
    limited = dict(opt.edges)
    free = ~_at_edge(opt.theta) & np.array([name not in limited for name in names])
    if not free.any():
        return out, None
    h = opt.hessian
    if h is None:
        if fun is None:
            return out, None
        with np.errstate(all="ignore"):
            h = hessian(fun, opt.theta)
    sub = h[np.ix_(free, free)] * total_weight
    if not np.all(np.isfinite(sub)):
        return out, None
    eigval = np.linalg.eigvalsh(sub)
    if not np.all(eigval > 0):
        return out, None
    cov = np.linalg.inv(sub)
    for k, i in enumerate(np.flatnonzero(free)):
        out[names[i]] = float(natural[i] * math.sqrt(cov[k, k]))
    return out, (cov if free.all() else None)


def _warn_fit(name: str, opt: Optimum) -> None:
    """A ``RuntimeWarning`` for a fit at the edge or one that did not
    converge (the pipeline turns these into W406 values)."""
    if opt.edges:
        warnings.warn(
            f"{name}: a parameter ran to the edge of the search space: the likelihood is "
            "maximised by a limiting case of the model (no repeat purchases, no heterogeneity "
            "between customers, or too few customers); the returned values are that limit",
            RuntimeWarning, stacklevel=3,
        )
    elif not opt.converged:
        warnings.warn(f"{name}: the optimiser did not reach a maximum (largest gradient component "
                      f"{float(np.max(np.abs(opt.gradient))):.3g})", RuntimeWarning, stacklevel=3)
