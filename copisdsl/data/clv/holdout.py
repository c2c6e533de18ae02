"""Holdout validation: a purchase model fitted on the orders up to a cut-off
day, its predicted repeat purchases after it compared with the actual ones.

Model-agnostic: the model comes in as a function giving each calibration
customer's conditional expected purchases in ``(T, T + t]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Holdout:
    """The comparison over a holdout of ``days`` days.

    ``customers`` are those who ordered on or before the cut-off day (the
    ones the model was fitted on); ``predicted`` and ``actual`` are their
    summed repeat purchases (purchase days) in the holdout; ``mae`` is the
    mean absolute difference per customer. ``tracking`` holds, per week of
    the holdout, ``(day, predicted, actual)`` cumulated to that day (the last
    point at the holdout's last day)."""

    days: int
    customers: int
    predicted: float
    actual: int
    mae: float
    tracking: tuple[tuple[int, float, int], ...]


def compare_holdout(expected: Callable[[float], np.ndarray], customer: np.ndarray, offset: np.ndarray,
                    customers: int, days: int, unit_days: float) -> Holdout:
    """Compare ``expected`` with the holdout's purchases.

    ``expected(t)`` gives each of the ``customers`` calibration customers'
    expected purchases in the first ``t`` time units (of ``unit_days`` days)
    after the cut-off; ``customer`` and ``offset`` list the holdout's distinct
    purchase days, as the calibration customer's position and the day's
    number after the cut-off day (1 .. ``days``)."""
    customer = np.asarray(customer, dtype=np.int64)
    offset = np.asarray(offset, dtype=np.int64)
    actual = np.bincount(customer, minlength=customers)
    predicted = np.asarray(expected(days / unit_days), dtype=float)
    ends = [min(7 * k, days) for k in range(1, math.ceil(days / 7) + 1)]
    tracking = []
    for end in ends:
        cumulative = predicted if end == days else np.asarray(expected(end / unit_days), dtype=float)
        tracking.append((end, float(cumulative.sum()), int((offset <= end).sum())))
    return Holdout(days=days, customers=customers, predicted=float(predicted.sum()), actual=int(actual.sum()),
                   mae=float(np.mean(np.abs(predicted - actual))) if customers else 0.0,
                   tracking=tuple(tracking))
