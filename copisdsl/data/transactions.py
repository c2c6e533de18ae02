"""A transactions file (one row per order) and the transaction functions
of section 7, vectorised over integer customer codes and day numbers.

Rows without a customer, a date or an amount are left out of every
transaction figure. A row whose amount is zero or negative (a refund, an
adjustment, a free order) is not an order (section 14): it counts in no
order count, purchase day or CLV spend, only in the net revenue.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from copisdsl.data.measures import EPOCH, CustomerMeasures
from copisdsl.data.problems import require_mapping
from copisdsl.data.table import Table
from copisdsl.data.ids import BLANK
from copisdsl.units import NS_PER_DAY
from copisdsl.semantic.model import Data



def customer_text(customer: pd.Series) -> pd.Series:
    """Customer IDs as text (section 14): the reader keeps the file's text
    for the customer column; here the spaces around it are trimmed
    (``BLANK``, as the engines' TRIM) and an empty ID is missing. Non-text values (a reader that could not keep the text) become
    their decimal text, integers without a fraction."""
    if not (pd.api.types.is_object_dtype(customer.dtype) or pd.api.types.is_string_dtype(customer.dtype)):
        if pd.api.types.is_integer_dtype(customer.dtype) or pd.api.types.is_bool_dtype(customer.dtype):
            customer = customer.astype("Int64") if pd.api.types.is_bool_dtype(customer.dtype) else customer
        customer = customer.astype(object).where(customer.notna(), None)
    if isinstance(customer.dtype, pd.StringDtype):
        text = customer.str.strip(BLANK)  # Arrow's own trim: no Python call per row (the common case)
        return text.where(text != "", None)
    if pd.api.types.infer_dtype(customer, skipna=True) in ("string", "empty"):
        text = customer  # text already: no per-row Python call to convert
    else:
        text = customer.map(lambda v: v if v is None or isinstance(v, str) else
                            str(int(v)) if isinstance(v, float) and v.is_integer() else str(v),
                            na_action="ignore")
    text = text.astype(object).str.strip(BLANK)
    return text.where(text != "", None)


class Transactions(CustomerMeasures):
    """Orders as aligned arrays: customer code, day number (days since
    1970-01-01), timestamp (ns) and amount; ``end_day`` is the end of the
    observation period (``until``, else the last order's day)."""

    def __init__(self, data: Data, table: Table) -> None:
        span = data.node.head
        spans = data.option_spans
        require_mapping(data, table.require)
        customer = table.require(data.customer, spans.get("customer", span))
        ns = table.dates(data.date, spans.get("date", span)).view("int64")
        amount = table.numeric(data.amount, spans.get("amount", span), "amounts (numbers)")
        customer = customer_text(customer)
        valid = customer.notna().to_numpy() & (ns != np.iinfo(np.int64).min) & ~np.isnan(amount)
        if not valid.all():
            customer, ns, amount = customer[valid], ns[valid], amount[valid]
        order = amount > 0
        codes, uniques = pd.factorize(customer[order] if not order.all() else customer)
        self.data = data
        self.codes = np.asarray(codes, dtype=np.int64)
        self.ids = np.asarray(uniques)
        self.ns = ns[order] if not order.all() else ns
        self.day = self.ns // NS_PER_DAY
        self.amount = amount[order] if not order.all() else amount
        self.dropped = int((~valid).sum())
        #: rows with a customer, a date and an amount <= 0 (W405)
        self.set_aside = int((~order).sum())
        self.net = float(amount.sum())
        # The set-aside amounts of customers who have orders, per customer
        # (those of customers without any order count only in ``net``).
        self.adjustments = np.zeros(len(self.ids))
        self.without_orders = (np.array([], dtype=object), np.zeros(0))
        if self.set_aside:
            other = pd.Index(self.ids).get_indexer(customer[~order])
            known = other >= 0
            self.adjustments = np.bincount(other[known], weights=amount[~order][known], minlength=len(self.ids))
            if not known.all():
                codes, names = pd.factorize(customer[~order][~known])
                self.without_orders = (np.asarray(names, dtype=object),
                                       np.bincount(codes, weights=amount[~order][~known], minlength=len(names)))
        if data.until is not None:
            self.end_day = (dt.date.fromisoformat(data.until) - EPOCH).days
        else:
            self.end_day = int(self.day.max()) if len(self.day) else 0
        self._per_customer: dict[str, np.ndarray] = {}

    def only(self, keep: np.ndarray) -> Transactions:
        """The orders of the customers where ``keep`` (aligned with ``ids``)
        holds, with the same end of observation (a segment, §12.1)."""
        sub = object.__new__(Transactions)
        rows = keep[self.codes]
        sub.data = self.data
        sub.codes = (np.cumsum(keep) - 1)[self.codes[rows]]
        sub.ids = self.ids[keep]
        sub.ns, sub.day, sub.amount = self.ns[rows], self.day[rows], self.amount[rows]
        sub.dropped = sub.set_aside = 0
        sub.adjustments = self.adjustments[keep]
        sub.net = float(sub.amount.sum() + sub.adjustments.sum())
        sub.end_day = self.end_day
        sub._per_customer = {}
        return sub

    @property
    def orders(self) -> int:
        return len(self.codes)

    @property
    def customers(self) -> int:
        return len(self.ids)

    def rfm(self, unit: str = "day"):
        """The per-customer RFM summary (``copisdsl.data.clv.RFM``) to the
        end of observation, aligned with ``ids``. A database source's
        summary (``copisdsl.data.engines.summary``) offers the same."""
        from copisdsl.data import clv as clvmath

        return clvmath.rfm_summary(self.codes, self.ns.view("datetime64[ns]"), self.amount,
                                   observation_end=np.datetime64(self.end_date(), "D"), unit=unit)

    def holdout_split(self, cutoff_day: int, unit: str):
        """The RFM summary of the orders on or before ``cutoff_day`` (observed
        to that day) and the distinct purchase days after it of the customers
        in that summary, as (their position in it, days after the cut-off).
        None when no order falls on or before the cut-off."""
        from copisdsl.data import clv as clvmath

        before = self.day <= cutoff_day
        if not before.any():
            return None
        end = np.datetime64(EPOCH, "D") + np.timedelta64(int(cutoff_day), "D")
        rfm = clvmath.rfm_summary(self.codes[before], self.ns[before].view("datetime64[ns]"),
                                  self.amount[before], observation_end=end, unit=unit)
        after = ~before
        codes, days = self.codes[after], self.day[after]
        position = np.searchsorted(rfm.customer, codes)
        known = (position < len(rfm)) & (rfm.customer[np.minimum(position, len(rfm) - 1)] == codes)
        pairs = np.unique(np.column_stack((position[known], days[known] - cutoff_day)), axis=0)
        return rfm, pairs[:, 0], pairs[:, 1]

    def order_counts(self) -> np.ndarray:
        if "orders" not in self._per_customer:
            self._per_customer["orders"] = np.bincount(self.codes, minlength=self.customers)
        return self._per_customer["orders"]

    def last_days(self) -> np.ndarray:
        if "last" not in self._per_customer:
            last = np.full(self.customers, np.iinfo(np.int64).min, dtype=np.int64)
            np.maximum.at(last, self.codes, self.day)
            self._per_customer["last"] = last
        return self._per_customer["last"]

    def first_order_day(self) -> int:
        return int(self.day.min())

    def order_amount(self) -> float:
        return float(self.amount.sum())

    # ------------------------------------------------------------ section 7
    def net_revenues(self) -> np.ndarray:
        """Each customer's net revenue (orders and set-aside amounts), aligned with ``ids``."""
        return np.bincount(self.codes, weights=self.amount, minlength=self.customers) + self.adjustments

    def reorder_interval(self) -> float | None:
        """Median gap in days between consecutive purchase days of the same
        customer, pooled over all customers (orders on one day count once)."""
        if not self.orders:
            return None
        dmin = int(self.day.min())
        width = int(self.day.max()) - dmin + 1
        keys = np.sort(self.codes * width + (self.day - dmin))
        # np.unique is many times slower than a sort and a mask here (numpy 2.x).
        keep = np.empty(len(keys), dtype=bool)
        keep[0] = True
        np.not_equal(keys[1:], keys[:-1], out=keep[1:])
        keys = keys[keep]
        cust = keys // width
        day = keys - cust * width
        same = cust[1:] == cust[:-1]
        gaps = np.diff(day)[same]
        return float(np.median(gaps)) if len(gaps) else None
