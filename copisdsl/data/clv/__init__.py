"""Customer-lifetime-value mathematics (pure numerics, no knowledge of the DSL).

This module turns a transaction log into per-customer RFM summaries and
computes two kinds of customer lifetime value (CLV):

* a *historic* CLV that extrapolates each customer's observed revenue rate;
* a *model-based* CLV from the BG/NBD purchase model (Fader, Hardie & Lee
  2005, "Counting your customers the easy way") combined with the
  Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using
  iso-value curves for customer base analysis").

Conventions
-----------
* Time is measured in calendar days (``unit="day"``) or weeks of 7 days
  (``unit="week"``).  A year is 365.25 days and a month is 365.25 / 12 days.
* ``frequency`` (x) is the number of *repeat* purchase days, ``recency``
  (t_x) the time from the first to the last purchase day and ``T`` the time
  from the first purchase day to the end of observation, exactly as in the
  ``lifetimes`` library.
* Parameters of the BG/NBD model are ``r, alpha`` (gamma mixing of the
  purchase rate, ``alpha`` in the time unit of the data) and ``a, b`` (beta
  mixing of the drop-out probability).  The Gamma-Gamma parameters are
  ``p, q, v`` (``v`` is the paper's gamma, in money units).

All functions that take model parameters accept either the parameter
dataclass or a plain tuple ``(r, alpha, a, b)`` / ``(p, q, v)``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

__all__ = [
    "RFM",
    "BGNBDParams",
    "GammaGammaParams",
    "rfm_summary",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "bgnbd_log_likelihood",
    "bgnbd_expected_purchases",
    "bgnbd_probability_alive",
    "bgnbd_unconditional_expected",
    "gamma_gamma_expected_spend",
    "historic_clv",
    "bgnbd_clv",
    "DAYS_PER_YEAR",
    "DAYS_PER_MONTH",
    "HISTORIC_MIN_SPAN_DAYS",
]

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
#: Floor of the observed span used by :func:`historic_clv` to annualise a
#: customer's revenue (see its docstring for the rationale).
HISTORIC_MIN_SPAN_DAYS = DAYS_PER_YEAR

_NS_PER_DAY = 86_400 * 1_000_000_000
_UNIT_DAYS = {"day": 1.0, "week": 7.0}
# Optimisation is done on log-parameters inside these bounds, after the time
# (BG/NBD) or money (Gamma-Gamma) axis has been rescaled to order 1..10.
_LOG_BOUND = 16.0


# --------------------------------------------------------------------------
# data classes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RFM:
    """Per-customer recency/frequency/monetary summary.

    All fields are numpy arrays of the same length, aligned by customer, in
    ascending order of customer id.

    * ``customer``: the customer ids, in the dtype they came in (strings come
      back as an object array), sorted ascending.
    * ``frequency``: number of distinct purchase days minus one (float).
    * ``recency``: time from the first to the last purchase day, in ``unit``.
    * ``T``: time from the first purchase day to the observation end day, in
      ``unit``.
    * ``monetary_value``: mean day-total over the repeat purchase days (all
      purchase days except the first); 0 when ``frequency == 0``.  The
      day-total is the sum of the amounts of that day's orders.
    * ``orders``: number of order rows per customer (int64).
    * ``revenue``: total amount per customer (float).
    * ``first`` / ``last``: ``datetime64[ns]`` of the first / last order row.
    """

    customer: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary_value: np.ndarray
    orders: np.ndarray
    revenue: np.ndarray
    first: np.ndarray
    last: np.ndarray

    def __len__(self) -> int:
        return int(self.frequency.shape[0])


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

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Return ``(r, alpha, a, b)``."""
        return (self.r, self.alpha, self.a, self.b)


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma spend-model parameters (``v`` is the paper's gamma)
    and the maximised total log-likelihood (a log-density in the money unit of
    the data)."""

    p: float
    q: float
    v: float
    log_likelihood: float

    def as_tuple(self) -> tuple[float, float, float]:
        """Return ``(p, q, v)``."""
        return (self.p, self.q, self.v)


# --------------------------------------------------------------------------
# input helpers
# --------------------------------------------------------------------------


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
    if isinstance(params, BGNBDParams):
        vals = params.as_tuple()
    else:
        try:
            vals = tuple(float(v) for v in params)
        except TypeError:
            raise ValueError("BG/NBD params must be BGNBDParams or (r, alpha, a, b)") from None
        if len(vals) != 4:
            raise ValueError("BG/NBD params must be BGNBDParams or (r, alpha, a, b)")
    if not all(math.isfinite(v) and v > 0 for v in vals):
        raise ValueError(f"BG/NBD parameters must be positive and finite, got {vals}")
    return vals  # type: ignore[return-value]


def _gg_params(params) -> tuple[float, float, float]:
    if isinstance(params, GammaGammaParams):
        vals = params.as_tuple()
    else:
        try:
            vals = tuple(float(v) for v in params)
        except TypeError:
            raise ValueError("Gamma-Gamma params must be GammaGammaParams or (p, q, v)") from None
        if len(vals) != 3:
            raise ValueError("Gamma-Gamma params must be GammaGammaParams or (p, q, v)")
    if not all(math.isfinite(v) and v > 0 for v in vals):
        raise ValueError(f"Gamma-Gamma parameters must be positive and finite, got {vals}")
    return vals  # type: ignore[return-value]


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


# --------------------------------------------------------------------------
# RFM summary
# --------------------------------------------------------------------------


def _datetime_ns(values, pd) -> np.ndarray:
    """Return int64 nanoseconds since the epoch (NaT as iNaT), local wall time
    for time-zone-aware input."""
    if isinstance(values, (pd.Series, pd.Index)) and isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None) if isinstance(values, pd.Series) else values.tz_localize(None)
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.dtype.kind != "M":
        if arr.dtype.kind != "O" and arr.size:
            raise ValueError(f"date must be datetime64, got dtype {arr.dtype}")
        try:  # an object array of datetime objects / Timestamps
            idx = pd.DatetimeIndex(pd.to_datetime(arr))
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"date must hold datetimes: {exc}") from None
        if idx.tz is not None:
            idx = idx.tz_localize(None)
        arr = idx.to_numpy()
    return arr.astype("datetime64[ns]").view("int64")


def rfm_summary(customer, date, amount, *, observation_end=None, unit="day") -> RFM:
    """Summarise a transaction log into one RFM row per customer.

    Parameters
    ----------
    customer, date, amount:
        Aligned 1-D array-likes (numpy arrays or pandas Series), one entry per
        order row.  ``date`` must be datetime64 (time-zone-aware values are
        taken in their local wall time).  Rows whose customer id is missing or
        whose date is NaT are ignored; a NaN or infinite amount is an error.
    observation_end:
        End of the observation window (anything ``pandas.Timestamp`` accepts).
        Rows on a calendar day after the day of ``observation_end`` are
        dropped before anything else.  Default: the last date in the data
        (over all rows with a date, including rows without a customer id).
    unit:
        ``"day"`` or ``"week"`` (recency and T divided by 7).

    Semantics follow ``lifetimes.utils.summary_data_from_transaction_data``
    with ``freq="D"``: all orders of a customer on one calendar day form one
    purchase whose spend is the sum of their amounts; ``frequency`` is the
    number of purchase days minus one; ``recency`` and ``T`` run from the first
    purchase day to the last purchase day and to the observation end day;
    ``monetary_value`` is the mean spend over the repeat purchase days (0 when
    there are none).

    Vectorised (a single sort of the rows); raises ``ValueError`` for empty or
    mismatched input, or when no row falls on or before ``observation_end``.
    """
    import pandas as pd

    scale = _unit_days(unit)
    ns = _datetime_ns(date, pd)
    try:
        amt = np.asarray(amount, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"amount must be numeric: {exc}") from None
    if amt.ndim == 0:
        amt = amt.reshape(1)
    cust_in = customer if isinstance(customer, (pd.Series, pd.Index)) else np.asarray(customer)
    if getattr(cust_in, "ndim", 1) != 1 or ns.ndim != 1 or amt.ndim != 1:
        raise ValueError("customer, date and amount must be one-dimensional")
    n = len(cust_in)
    if not (n == len(ns) == len(amt)):
        raise ValueError(
            f"customer, date and amount must have the same length ({n}, {len(ns)}, {len(amt)})"
        )
    if n == 0:
        raise ValueError("rfm_summary: no transactions (empty input)")
    if not np.all(np.isfinite(amt)):
        raise ValueError("amount contains NaN or infinite values")

    # hash-factorize, then sort only the distinct ids (much cheaper than
    # factorize(sort=True) on a million rows)
    codes, uniques = pd.factorize(cust_in, sort=False)
    codes = np.asarray(codes, dtype=np.int64)
    try:
        order = np.asarray(pd.Index(uniques).argsort(), dtype=np.int64)
    except TypeError as exc:
        raise ValueError(f"customer ids cannot be sorted (mixed types?): {exc}") from None
    uniques = np.asarray(uniques)[order]
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # missing ids keep the code -1
    codes = rank[codes]

    nat = np.iinfo(np.int64).min
    day = ns // _NS_PER_DAY  # floor division: correct for dates before 1970
    valid = (codes >= 0) & (ns != nat)
    if not valid.any():
        raise ValueError("rfm_summary: no transactions with a customer id and a date")
    if observation_end is None:
        obs_day = int(day[ns != nat].max())  # last date of any row, like lifetimes
    else:
        try:
            ts = pd.Timestamp(observation_end)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"observation_end is not a date: {exc}") from None
        if ts is pd.NaT:
            raise ValueError("observation_end is NaT")
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        obs_day = int(ts.value // _NS_PER_DAY)
        valid &= day <= obs_day
        if not valid.any():
            raise ValueError("rfm_summary: no transactions on or before observation_end")

    if not valid.all():
        codes, day, ns, amt = codes[valid], day[valid], ns[valid], amt[valid]
        present = np.bincount(codes, minlength=len(uniques)) > 0
        if not present.all():
            remap = np.cumsum(present) - 1
            codes = remap[codes]
            uniques = uniques[present]
    ncust = len(uniques)

    # sort rows by (customer, day)
    dmin = int(day.min())
    span = int(day.max()) - dmin + 1
    rel = day - dmin
    if ncust * span < 2**62:
        key = codes * span + rel
        order = np.argsort(key)
        key = key[order]
    else:  # pragma: no cover - absurd date ranges
        order = np.lexsort((rel, codes))
        key = None
    codes_s = codes[order]
    rel_s = rel[order]
    amt_s = amt[order]
    ns_s = ns[order]

    n_rows = len(codes_s)
    if key is not None:
        new_day = np.empty(n_rows, dtype=bool)
        new_day[0] = True
        np.not_equal(key[1:], key[:-1], out=new_day[1:])
    else:  # pragma: no cover
        new_day = np.empty(n_rows, dtype=bool)
        new_day[0] = True
        new_day[1:] = (codes_s[1:] != codes_s[:-1]) | (rel_s[1:] != rel_s[:-1])
    day_start = np.flatnonzero(new_day)
    new_cust = np.empty(n_rows, dtype=bool)
    new_cust[0] = True
    np.not_equal(codes_s[1:], codes_s[:-1], out=new_cust[1:])
    cust_start = np.flatnonzero(new_cust)
    cust_end = np.append(cust_start[1:], n_rows) - 1

    day_amount = np.add.reduceat(amt_s, day_start)
    day_cust = codes_s[day_start]
    is_first_day = new_cust[day_start]
    n_days = np.bincount(day_cust, minlength=ncust)
    repeat_spend = np.bincount(day_cust, weights=np.where(is_first_day, 0.0, day_amount), minlength=ncust)

    first_day = rel_s[cust_start] + dmin
    last_day = rel_s[cust_end] + dmin
    frequency = (n_days - 1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_spend / np.maximum(frequency, 1.0), 0.0)

    orders = np.bincount(codes_s, minlength=ncust).astype(np.int64)
    revenue = np.add.reduceat(amt_s, cust_start)
    first_ns = np.minimum.reduceat(ns_s, cust_start)
    last_ns = np.maximum.reduceat(ns_s, cust_start)

    return RFM(
        customer=uniques,
        frequency=frequency,
        recency=(last_day - first_day).astype(float) / scale,
        T=(obs_day - first_day).astype(float) / scale,
        monetary_value=monetary.astype(float),
        orders=orders,
        revenue=revenue.astype(float),
        first=first_ns.view("datetime64[ns]"),
        last=last_ns.view("datetime64[ns]"),
    )


# --------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------


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


class _BGNBDData:
    """Pre-processed (aggregated) data for fast BG/NBD likelihood evaluation."""

    def __init__(self, x, tx, T, w):
        self.w = w
        self.W = float(w.sum())
        self.xu, xi = np.unique(x, return_inverse=True)
        self.wx = np.bincount(xi.ravel(), weights=w, minlength=len(self.xu))  # weight per distinct x
        self.x = x
        self.T = T
        rep = x > 0
        self.rep = rep
        self.xr = x[rep]
        self.txr = tx[rep]
        self.Tr = T[rep]
        self.wr = w[rep]

    def neg_ll_grad(self, theta: np.ndarray):
        """Negative LL and its gradient w.r.t. log-parameters."""
        r, alpha, a, b = np.exp(theta)
        xu, wx, w = self.xu, self.wx, self.w
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

        # -(r + x) log(alpha + T) for every row
        log_aT = np.log(alpha + self.T)
        rx = r + self.x
        ll -= _vdot(w, rx * log_aT)
        d_r -= _vdot(w, log_aT)
        d_alpha -= _vdot(w, rx / (alpha + self.T))

        # log(1 + exp(D)) for repeat customers, D = A4 - A3
        if self.xr.size:
            xr, wr = self.xr, self.wr
            rxr = r + xr
            log_atx = np.log(alpha + self.txr)
            log_aTr = log_aT[self.rep]
            bx1 = b + xr - 1.0
            D = math.log(a) - np.log(bx1) - rxr * (log_atx - log_aTr)
            ll += _vdot(wr, np.logaddexp(0.0, D))
            pi = wr * special.expit(D)
            d_r -= _vdot(pi, log_atx - log_aTr)
            d_alpha -= _vdot(pi, rxr * (1.0 / (alpha + self.txr) - 1.0 / (alpha + self.Tr)))
            spi = float(pi.sum())
            d_a += spi / a
            d_b -= _vdot(pi, 1.0 / bx1)

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


def fit_bgnbd(frequency, recency, T, *, weights=None) -> BGNBDParams:
    """Fit the BG/NBD model by maximum likelihood.

    ``frequency``, ``recency`` and ``T`` are per-customer arrays (as in
    :class:`RFM`); ``weights`` optionally gives a non-negative count for each
    row (rows with identical (x, t_x, T) are merged and their weights summed
    anyway).  The likelihood is maximised with a bounded truncated-Newton
    method (scipy TNC) on the logarithms of the parameters using analytic
    gradients, after rescaling time so the longest ``T`` is 10 (the rescaling
    only shifts the LL by a constant).
    Returns the parameters in the time unit of the input and the total
    (weighted) log-likelihood.  A ``RuntimeWarning`` is issued when a
    parameter runs to the edge of the search space (e.g. no repeat buyers).
    Raises ``ValueError`` for empty/invalid input or when every ``T`` is 0.
    """
    x, tx, TT = _rft(frequency, recency, T)
    if weights is None:
        w = np.ones_like(x)
    else:
        w = _float_array(weights, "weights")
        _same_length({"frequency": x, "weights": w})
        if np.any(w < 0):
            raise ValueError("weights must be >= 0")
        keep = w > 0
        if not keep.any():
            raise ValueError("weights are all zero")
        x, tx, TT, w = x[keep], tx[keep], TT[keep], w[keep]
    Tmax = float(TT.max())
    if Tmax <= 0:
        raise ValueError("every T is 0: the observation window has no length, nothing to fit")
    s = 10.0 / Tmax
    (xa, txa, Ta), wa, _ = _aggregate((x, tx * s, TT * s), w)
    data = _BGNBDData(xa, txa, Ta, wa)

    # starting values: r = 1 and alpha matched to the mean repeat rate
    exposure = _vdot(wa, Ta)
    mean_rate = max(_vdot(wa, xa) / exposure, 1e-6) if exposure > 0 else 1.0
    starts = [
        [0.0, math.log(1.0 / mean_rate), 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [math.log(0.3), math.log(0.3 / mean_rate), math.log(0.5), math.log(3.0)],
        [math.log(3.0), math.log(3.0 / mean_rate), math.log(2.0), math.log(10.0)],
    ]
    res = _minimize_log_params(data.neg_ll_grad, starts, 4)
    if res is None:  # pragma: no cover - defensive
        raise RuntimeError("fit_bgnbd: optimisation failed from every starting point")
    _warn_fit("fit_bgnbd", res)
    r, alpha_s, a, b = (float(v) for v in np.exp(res.x))
    alpha = alpha_s / s
    ll = _vdot(w, _bgnbd_ll_terms(r, alpha, a, b, x, tx, TT))
    return BGNBDParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=ll)


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


# --------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------


class _GGData:
    """Pre-processed repeat-customer data for fast Gamma-Gamma likelihood
    evaluation: every term that depends on x only is summed per distinct x,
    the terms that do not depend on the parameters are precomputed, so an
    evaluation costs one log and one reciprocal per customer."""

    def __init__(self, x, m):
        self.n = len(x)
        self.x = x
        self.mx = m * x
        self.xu, inverse = np.unique(x, return_inverse=True)
        self.nu = np.bincount(inverse.ravel(), minlength=len(self.xu)).astype(float)
        logm = np.log(m)
        self.S_const = _vdot(x, logm) + _vdot(x, np.log(x))  # coefficient of p
        self.S_logm = float(np.sum(logm))

    def neg_ll_grad(self, theta):
        p, q, v = np.exp(theta)
        gl, dg = special.gammaln, special.digamma
        n, xu, nu = self.n, self.xu, self.nu
        pxu = p * xu
        vmx = v + self.mx
        L = np.log(vmx)
        inv = 1.0 / vmx
        S_xL, S_L = _vdot(self.x, L), float(np.sum(L))
        dg_pq = dg(pxu + q)
        ll = (_vdot(nu, gl(pxu + q) - gl(pxu)) + p * self.S_const - self.S_logm
              - p * S_xL - q * S_L + n * (q * math.log(v) - gl(q)))
        d_p = _vdot(nu * xu, dg_pq - dg(pxu)) + self.S_const - S_xL
        d_q = _vdot(nu, dg_pq) - S_L + n * (math.log(v) - dg(q))
        d_v = n * q / v - p * _vdot(self.x, inv) - q * float(np.sum(inv))
        grad = np.array([d_p * p, d_q * q, d_v * v])
        return -ll / n, -grad / n


def _gg_ll_terms(p, q, v, x, m):
    gl = special.gammaln
    px = p * x
    return (gl(px + q) - gl(px) - gl(q) + q * np.log(v) + (px - 1.0) * np.log(m)
            + px * np.log(x) - (px + q) * np.log(v + m * x))


def fit_gamma_gamma(frequency, monetary_value) -> GammaGammaParams:
    """Fit the Gamma-Gamma spend model by maximum likelihood.

    Only customers with ``frequency > 0`` and ``monetary_value > 0`` are used.
    For such a customer the mean spend m over x repeat purchases has density
    ``Gamma(px+q)/(Gamma(px)Gamma(q)) v^q m^(px-1) x^(px) / (v + m x)^(px+q)``.
    The LL is maximised with scipy TNC on log-parameters with analytic
    gradients after rescaling money so the mean spend is 1 (``v`` is scaled
    back).  ``log_likelihood`` is the total log-density in the original money
    unit.  Raises ``ValueError`` when there is no repeat customer.
    """
    x = _float_array(frequency, "frequency")
    m = _float_array(monetary_value, "monetary_value")
    _same_length({"frequency": x, "monetary_value": m})
    if np.any(x < 0):
        raise ValueError("frequency must be >= 0")
    keep = (x > 0) & (m > 0)
    if not keep.any():
        raise ValueError("fit_gamma_gamma: no repeat customers (frequency > 0 and monetary_value > 0) to fit on")
    x, m = x[keep], m[keep]
    s = 1.0 / float(np.mean(m))
    data = _GGData(x, m * s)
    starts = [[0.0, 0.0, 0.0], [math.log(5.0), math.log(3.0), math.log(2.0 * 3.0 / 5.0)],
              [math.log(0.5), math.log(0.5), math.log(0.5)]]
    res = _minimize_log_params(data.neg_ll_grad, starts, 3)
    if res is None:  # pragma: no cover - defensive
        raise RuntimeError("fit_gamma_gamma: optimisation failed from every starting point")
    _warn_fit("fit_gamma_gamma", res)
    p, q, v_s = (float(val) for val in np.exp(res.x))
    v = v_s / s
    ll = float(np.sum(_gg_ll_terms(p, q, v, x, m)))
    return GammaGammaParams(p=p, q=q, v=v, log_likelihood=ll)


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


# --------------------------------------------------------------------------
# CLV
# --------------------------------------------------------------------------


def historic_clv(rfm: RFM, *, margin, discount, horizon_years, unit="day") -> np.ndarray:
    """Historic (model-free) CLV per customer.

    ``unit`` must be the unit ``rfm`` was built with.  For each customer:

    * ``aov = revenue / orders`` (average order value);
    * ``span = max(T_days, HISTORIC_MIN_SPAN_DAYS) / 365.25`` years, where
      ``T_days`` is the time from the first purchase day to the observation
      end; the floor is one year, so the revenue of a customer observed for
      less than a year is taken as that customer's revenue for the year (no
      upward extrapolation of a few days of history: a one-order customer
      seen one day before the end would otherwise be annualised to ~365
      orders a year);
    * ``orders_per_year = orders / span``;
    * ``yearly_value = aov * orders_per_year * margin`` (= revenue / span * margin);
    * ``CLV = yearly_value * sum_{k=1}^{ceil(H)} f_k / (1 + discount)^k``
      with ``H = horizon_years`` and ``f_k = min(1, H - (k - 1))`` (the last
      year may be fractional and is discounted as a whole year k).

    ``discount`` is the annual rate (> -1); ``horizon_years`` >= 0.
    """
    scale = _unit_days(unit)
    margin = _check_rate(margin, "margin")
    discount = _check_rate(discount, "discount", lower=-1.0)
    H = _check_rate(horizon_years, "horizon_years")
    if H < 0:
        raise ValueError("horizon_years must be >= 0")
    orders = np.asarray(rfm.orders, dtype=float)
    revenue = np.asarray(rfm.revenue, dtype=float)
    T_days = np.asarray(rfm.T, dtype=float) * scale
    span_years = np.maximum(T_days, HISTORIC_MIN_SPAN_DAYS) / DAYS_PER_YEAR
    with np.errstate(invalid="ignore", divide="ignore"):
        aov = np.where(orders > 0, revenue / np.where(orders > 0, orders, 1.0), 0.0)
    yearly_value = aov * (orders / span_years) * margin
    k = np.arange(1, math.ceil(H) + 1, dtype=float)
    fractions = np.minimum(1.0, H - (k - 1.0))
    factor = float(np.sum(fractions / (1.0 + discount) ** k)) if k.size else 0.0
    return yearly_value * factor


def bgnbd_clv(rfm: RFM, bg: BGNBDParams, gg: GammaGammaParams, *, margin, discount,
              horizon_months, unit="day") -> np.ndarray:
    """Model-based CLV per customer from BG/NBD purchases and Gamma-Gamma spend.

    ``unit`` must be the unit ``rfm`` was built with and ``bg`` fitted in.
    With ``M = ceil(horizon_months)`` month ends ``t_k = min(k, horizon_months)
    * (365.25/12 days)`` (converted to ``unit``), and ``E(t)`` the conditional
    expected cumulative purchases in ``(T, T+t]``
    (:func:`bgnbd_expected_purchases`)::

        CLV = margin * spend * sum_{k=1}^{M} (E(t_k) - E(t_{k-1})) / (1 + d_m)^k

    where ``d_m = (1 + discount)^(1/12) - 1`` is the monthly rate for the
    annual ``discount`` and ``spend`` is :func:`gamma_gamma_expected_spend`.
    Customers with ``frequency == 0`` get the population mean spend
    ``p v / (q - 1)``.  When ``q <= 1`` that mean is infinite; customers whose
    expected spend is then undefined (``p x + q - 1 <= 0``, which includes
    every ``frequency == 0`` customer) get the mean ``monetary_value`` of the
    repeat customers instead (NaN if there are none).
    """
    scale = _unit_days(unit)
    margin = _check_rate(margin, "margin")
    discount = _check_rate(discount, "discount", lower=-1.0)
    Hm = _check_rate(horizon_months, "horizon_months")
    if Hm < 0:
        raise ValueError("horizon_months must be >= 0")
    r, alpha, a, b = _bg_params(bg)
    p, q, v = _gg_params(gg)
    x, tx, TT = _rft(rfm.frequency, rfm.recency, rfm.T)
    m = _float_array(rfm.monetary_value, "monetary_value")
    n = len(x)
    M = math.ceil(Hm)
    if M == 0:
        return np.zeros(n)

    spend = gamma_gamma_expected_spend((p, q, v), x, m)
    undefined = np.isnan(spend)  # only possible when q <= 1
    if undefined.any():
        rep = (x > 0) & (m > 0)
        fallback = float(np.mean(m[rep])) if rep.any() else np.nan
        spend = np.where(undefined, fallback, spend)

    # evaluate the expectations once per distinct (x, t_x, T)
    (xu, txu, Tu), _, idx = _aggregate((x, tx, TT), np.ones(n))

    month = DAYS_PER_MONTH / scale
    d_m = (1.0 + discount) ** (1.0 / 12.0) - 1.0
    alive = bgnbd_probability_alive((r, alpha, a, b), xu, txu, Tu)
    discounted_purchases = np.zeros(len(xu))
    previous = np.zeros(len(xu))
    for k in range(1, M + 1):  # one vectorised evaluation per month (bounded memory)
        cum = alive * _uncond_core(r + xu, alpha + Tu, a, b + xu, min(k, Hm) * month)
        discounted_purchases += (cum - previous) / (1.0 + d_m) ** k
        previous = cum
    return margin * spend * discounted_purchases[idx]

