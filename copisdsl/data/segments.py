"""KPIs by segment (reference §12.1): which customers each declared segment
holds, and a KPI evaluated again with every data reference restricted to
one segment's customers.

The customers and their segments come from the journey's transactions file
(the first ``kind transactions``), as in the portfolio: a customer is
someone with an order, and falls in the first segment whose condition
holds. Customers of no segment, and rows of customers without orders,
count only in the overall value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from copisdsl.data.ids import text_order
from copisdsl.data.kpis import Evaluator
from copisdsl.semantic.model import Kpi, Model
from copisdsl.syntax import nodes as n

if TYPE_CHECKING:
    from copisdsl.data.sources import TableSource


@dataclass(frozen=True)
class Customers:
    """The CLV layer's customers, once for the whole journey: text ids,
    CLV (NaN: none), segment positions in declaration order (-1: none);
    ``has_clv`` is False when the journey has no CLV figures. The one
    customer -> segment relation: the portfolio, the KPIs by segment and an
    event log's reach and value at stake all read it."""

    ids: np.ndarray  # the transactions' own array of IDs (trimmed text)
    clv: np.ndarray
    segments: np.ndarray
    has_clv: bool


class Segmentation:
    """Every customer that falls in a segment: ``ids`` (customer IDs as
    trimmed text, sorted) and ``positions`` (the segment's position in
    declaration order), aligned; ``customers`` is what they come from."""

    def __init__(self, model: Model, customers: Customers) -> None:
        self.customers = customers
        ids, positions = np.asarray(customers.ids), np.asarray(customers.segments)
        placed = positions >= 0
        if not placed.all():  # a segment for everyone else is common: then nothing to copy
            ids, positions = ids[placed], positions[placed]
        order = text_order(ids)
        self.ids = ids[order]
        self.positions = positions[order]
        self.segments = [Members(seg.id, i, self) for i, seg in enumerate(model.segments.values())]
        self._members: dict[int, np.ndarray] = {}

    def of(self, position: int) -> np.ndarray:
        """The customer IDs of the segment at ``position``."""
        if position not in self._members:
            self._members[position] = self.ids[self.positions == position]
        return self._members[position]


@dataclass(frozen=True)
class Members:
    """One segment's customers, as a restriction of the data references."""

    id: str
    position: int
    segmentation: Segmentation

    def holds(self, customers) -> np.ndarray:
        """Which of ``customers`` (text IDs, trimmed; None for missing) are in the segment."""
        if customers is self.segmentation.customers.ids:  # the customers themselves: no lookup
            return self.segmentation.customers.segments == self.position
        import pandas as pd  # the IDs of another file: pandas' hash lookup (None never matches)

        return pd.Index(pd.Series(customers, dtype=object)).isin(self.segmentation.of(self.position))


class SegmentSource:
    """The evaluator's data source with every reference restricted to one
    segment's customers; numbers and arithmetic are unchanged."""

    def __init__(self, source: TableSource, members: Members) -> None:
        self.source = source
        self.members = members

    def aggregate(self, func: str, column: n.Column, call: n.Call) -> float:
        return self.source.aggregate(func, column, call, within=self.members)

    def transactions(self, func: str, data_id: str, window: n.Literal | None, call: n.Call) -> float:
        return self.source.transactions(func, data_id, window, call, within=self.members)


def by_segment(model: Model, source: TableSource, kpis: list[Kpi]) -> dict[int, dict[str, float | None]]:
    """For each KPI ``by segment``: its value per declared segment, in
    declaration order (None where a segment has none). Without segments the
    object is empty; without readable transactions every value is None."""
    names = list(model.segments)
    segmentation = source.segmentation()
    if segmentation is None:
        return {k.index: dict.fromkeys(names) for k in kpis}
    out: dict[int, dict[str, float | None]] = {k.index: {} for k in kpis}
    for members in segmentation.segments:
        evaluator = Evaluator(model, SegmentSource(source, members))
        for kpi in kpis:
            out[kpi.index][members.id] = evaluator.evaluate(kpi)[0]
    return out
