"""Maximum-likelihood machinery shared by the models: row aggregation and the optimiser."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import optimize

from copisdsl.data.clv.params import _LOG_BOUND


def _vdot(u: np.ndarray, v: np.ndarray) -> float:
    """Dot product of two vectors without BLAS (``np.dot`` goes through a
    multi-threaded BLAS whose thread hand-off dominates, and degrades badly
    on a busy machine, at the vector sizes used here)."""
    return float(np.einsum("i,i->", u, v))


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
        uniq, inv = np.unique(col, return_inverse=True)
        values.append(uniq)
        radix *= len(uniq)
        if radix >= 2**62:  # pragma: no cover - absurd cardinalities
            stacked = np.column_stack(columns)
            u, inverse = np.unique(stacked, axis=0, return_inverse=True)
            inverse = inverse.ravel()
            w = np.bincount(inverse, weights=weights, minlength=len(u))
            return tuple(u[:, i].copy() for i in range(u.shape[1])), w, inverse
        key = key * len(uniq) + inv.ravel()
    ukey, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.ravel()
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


def _minimize_log_params(fun, starts, n_params):
    """Minimise ``fun`` (returning value and gradient) from several starts
    on bounded log-parameters; return the best result.

    The optimiser is scipy's truncated Newton (TNC) with the analytic
    gradient.  L-BFGS-B needs about half the function evaluations, but each of
    its iterations goes through the multi-threaded BLAS, which costs
    milliseconds per iteration on a busy 2-core machine (more than a whole
    likelihood evaluation on 100,000 customers); TNC does not.

    Stops at the first start that converges inside the box, or after two
    starts that both run to its edge (a limiting case of the model, where
    more starts only find the same limit)."""
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * n_params
    best = None
    at_edge = 0
    for x0 in starts:
        with np.errstate(all="ignore"):
            try:
                res = optimize.minimize(fun, np.asarray(x0, dtype=float), jac=True, method="TNC",
                                        bounds=bounds, options={"maxfun": 1000, "ftol": 1e-13, "gtol": 1e-9})
            except (ValueError, FloatingPointError):  # pragma: no cover - defensive
                continue
        if not np.isfinite(res.fun):
            continue
        if best is None or res.fun < best.fun - 1e-12:
            best = res
        if np.all(np.abs(res.x) < _LOG_BOUND - 2.0):
            if res.success and best is res:
                break
        else:
            at_edge += 1
            if at_edge >= 2:
                break
    return best


def fit_state(names: tuple[str, ...], res) -> tuple[bool, tuple[tuple[str, str], ...]]:
    """Whether the optimiser result ``res`` converged, and the parameters
    (of ``names``, in order) whose log-estimate ran to the edge of the
    search box, each as ``(name, "0")`` or ``(name, "∞")``."""
    at_bound = np.abs(res.x) >= _LOG_BOUND - 2.0
    edges = tuple((name, "0" if x < 0 else "∞") for name, x, edge in zip(names, res.x, at_bound) if edge)
    converged = bool(res.success) or bool(np.max(np.abs(res.jac)) < 1e-6)
    return converged, edges


def _warn_fit(name: str, res) -> None:
    if res is None:
        return
    at_bound = np.abs(res.x) >= _LOG_BOUND - 2.0
    if at_bound.any():
        warnings.warn(
            f"{name}: a parameter ran to the edge of the search space: the likelihood is "
            "maximised by a limiting case of the model (no repeat purchases, no heterogeneity "
            "between customers, or too few customers); the returned values are that limit",
            RuntimeWarning, stacklevel=3,
        )
    elif not res.success and not np.max(np.abs(res.jac)) < 1e-6:
        warnings.warn(f"{name}: optimiser did not report convergence ({res.message})",
                      RuntimeWarning, stacklevel=3)
