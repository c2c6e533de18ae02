"""Summary takes the engines' columns as they come: DuckDB's numpy arrays
(masked where a customer without orders has null days; HUGEINT sums as
float64) and a driver's objects (PostgreSQL's Decimal sums, None)."""

from __future__ import annotations

import warnings
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pytest

from copisdsl.data.engines.summary import Summary

DATA = SimpleNamespace(until=None)


def _objects(*values):
    return np.array(values, dtype=object)


def _masked(values, mask, dtype):
    return np.ma.masked_array(np.array(values, dtype=dtype), mask=mask)


CASES = {
    "postgres objects": {
        "customer": _objects("b", "a", "c"), "orders": _objects(Decimal(2), Decimal(0), 1),
        "revenue": _objects(5.0, 0.0, 3.0), "first_day": _objects(10, None, 12),
        "last_day": _objects(20, None, 12), "days": _objects(Decimal(2), Decimal(0), 1),
        "repeat_spend": _objects(2.0, 0.0, 0.0), "net": _objects(Decimal("4.5"), -1.0, 3.0),
        "set_aside": _objects(Decimal(1), Decimal(1), 0)},
    "duckdb lists (int64, masked days)": {
        "customer": _objects("b", "a", "c"), "orders": np.array([2, 0, 1]),
        "revenue": np.array([5.0, 0.0, 3.0]),
        # what lies under a mask is never read: not even its sign or size
        "first_day": _masked([10, -(2 ** 62), 12], [False, True, False], np.int64),
        "last_day": _masked([20, 2 ** 62, 12], [False, True, False], np.int64),
        "days": np.array([2, 0, 1]), "repeat_spend": np.array([2.0, 0.0, 0.0]),
        "net": np.array([4.5, -1.0, 3.0]), "set_aside": np.array([1, 1, 0])},
    "duckdb per day (HUGEINT sums as float64)": {
        "customer": _objects("b", "a", "c"), "orders": np.array([2.0, 0.0, 1.0]),
        "revenue": np.array([5.0, 0.0, 3.0]),
        "first_day": _masked([10, 0, 12], [False, True, False], np.int64),
        "last_day": _masked([20, 0, 12], [False, True, False], np.int64),
        "days": np.array([2.0, 0.0, 1.0]), "repeat_spend": np.array([2.0, 0.0, 0.0]),
        "net": np.array([4.5, -1.0, 3.0]), "set_aside": np.array([1.0, 1.0, 0.0])},
}


@pytest.mark.parametrize("columns", CASES.values(), ids=CASES.keys())
def test_every_engines_columns_give_the_same_summary(columns):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no cast of a NaN or a masked place
        s = Summary(DATA, columns, lambda: None)
    assert s.ids.tolist() == ["b", "c"] and s.customers == 2
    for name in ("order_counts_", "first_day", "last_day", "purchase_days"):
        assert getattr(s, name).dtype == np.int64, name
    assert s.order_counts_.tolist() == [2, 1] and s.orders == 3
    assert s.first_day.tolist() == [10, 12] and s.last_day.tolist() == [20, 12] and s.end_day == 20
    assert s.purchase_days.tolist() == [2, 1]
    assert s.revenues.dtype == s.net_revenues_.dtype == np.float64
    assert s.net_revenues_.tolist() == [4.5, 3.0] and s.net == 6.5
    assert s.set_aside == 2 and isinstance(s.set_aside, int)
    ids, net = s.without_orders
    assert ids.tolist() == ["a"] and net.tolist() == [-1.0]
    rfm = s.rfm()
    assert rfm.T.tolist() == [10.0, 8.0] and rfm.frequency.tolist() == [1.0, 0.0]


def test_sorted_rows_of_customers_with_orders_are_taken_without_a_copy():
    """DuckDB's rows come sorted by ID (``queries.customer_days_summary``):
    when every customer has an order, the summary's columns are the
    engine's arrays themselves."""
    columns = {"customer": _objects("a", "b", "c"), "orders": np.array([2, 1, 1]),
               "revenue": np.array([5.0, 3.0, 1.0]), "first_day": np.array([10, 12, 11]),
               "last_day": np.array([20, 12, 11]), "days": np.array([2, 1, 1]),
               "repeat_spend": np.array([2.0, 0.0, 0.0]), "net": np.array([5.0, 3.0, 1.0]),
               "set_aside": np.array([0, 0, 0])}
    s = Summary(DATA, columns, lambda: None)
    assert s.ids.tolist() == ["a", "b", "c"] and s.orders == 4 and s.end_day == 20
    assert np.shares_memory(s.revenues, columns["revenue"]) and np.shares_memory(s.ids, columns["customer"])
    assert s.first_day.tolist() == [10, 12, 11] and s.repeat_spend.tolist() == [2.0, 0.0, 0.0]
    ids, net = s.without_orders
    assert len(ids) == len(net) == 0
