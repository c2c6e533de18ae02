"""The historic (model-free) CLV."""

from __future__ import annotations

import math

import numpy as np

from copisdsl.data.clv.params import DAYS_PER_YEAR, HISTORIC_MIN_SPAN_DAYS, _unit_days, _value_settings
from copisdsl.data.clv.rfm import RFM


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
    margin, discount, H = _value_settings(margin, discount, horizon_years, "horizon_years")
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
