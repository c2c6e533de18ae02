"""The per-customer recency/frequency/monetary summary of a transaction log."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from copisdsl.data.clv.params import _unit_days
from copisdsl.units import NS_PER_DAY as _NS_PER_DAY


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
