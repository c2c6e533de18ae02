"""The section 7 transaction functions over a per-customer view of the
orders, whoever computed that view: ``data.transactions`` (the rows, with
pandas) or ``data.engines.summary`` (one row per customer from an engine)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from copisdsl.semantic.values import shift_back
from copisdsl.units import DAYS_PER_YEAR

EPOCH = dt.date(1970, 1, 1)


class CustomerMeasures:
    """``aov``, ``repeat_rate``, ``purchase_frequency`` and ``churn_rate``
    (reference sections 7 and 14: only orders, amount > 0, count). A
    subclass provides ``orders``, ``customers``, ``end_day`` (days since
    1970), ``net`` (every amount), ``order_counts()``, ``last_days()``,
    ``first_order_day()`` and ``order_amount()`` (the orders' total)."""

    orders: int
    customers: int
    end_day: int
    net: float
    #: the IDs that have rows but no order (every amount <= 0) and their net
    #: amounts: no customers of the figures, but rows of the customer table
    without_orders: tuple[np.ndarray, np.ndarray]

    def order_counts(self) -> np.ndarray:
        raise NotImplementedError

    def last_days(self) -> np.ndarray:
        raise NotImplementedError

    def first_order_day(self) -> int:
        raise NotImplementedError

    def order_amount(self) -> float:
        raise NotImplementedError

    def end_date(self) -> dt.date:
        return EPOCH + dt.timedelta(days=self.end_day)

    def revenue(self) -> float:
        """Net: every amount, refunds included (section 14)."""
        return self.net

    def aov(self) -> float | None:
        """Mean amount of an order (amount > 0)."""
        return self.order_amount() / self.orders if self.orders else None

    def repeat_rate(self) -> float | None:
        """Share of customers with two or more orders."""
        return float(np.mean(self.order_counts() >= 2)) if self.customers else None

    def purchase_frequency(self) -> float | None:
        """Orders per customer per year over the observation period (from
        the first order's day to ``end_day``)."""
        if not self.customers:
            return None
        days = self.end_day - self.first_order_day()
        if days <= 0:
            return None
        return self.orders / self.customers / (days / DAYS_PER_YEAR)

    def churn_rate(self, amount: int = 180, unit: str = "d") -> float | None:
        """Share of customers with no order on or after end - window."""
        if not self.customers:
            return None
        cutoff = (shift_back(self.end_date(), int(amount), unit) - EPOCH).days
        return float(np.mean(self.last_days() < cutoff))
