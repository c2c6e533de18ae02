"""An event log's figures (reference §12.2): reach, share, value at stake
and reach per segment of every touchpoint; customers, conversion and
median days of every flow edge; W407 for touchpoint values that are not
the journey's.

Every figure is computed by the log's engine (DuckDB for local files,
else the database the URL names): only one row per touchpoint and
segment, one per flow edge and one per unknown value come back. Value at
stake and reach per segment need each customer's CLV and segment, which
the CLV layer computes in Python from the transactions: they are sent to
the engine as a small relation (one row per customer with orders, see
``Engine.customers``) and joined with the log's distinct (customer,
touchpoint) pairs there, so the log itself never leaves its engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from copisdsl.data.engines import event_queries as eq
from copisdsl.data.engines.table import EngineTable
from copisdsl.data.figures import FlowVolume, Reach
from copisdsl.data.problems import require_mapping
from copisdsl.diagnostics import Diagnostic, warning
from copisdsl.hints import did_you_mean
from copisdsl.semantic.model import Data, Model

if TYPE_CHECKING:
    from copisdsl.data.segments import Customers

MAPPING = ("customer", "touchpoint", "date")


@dataclass
class EventFigures:
    reach: dict[str, Reach]
    flow_volumes: list[FlowVolume]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def event_figures(model: Model, table: EngineTable, customers: Customers | None) -> EventFigures:
    """The figures of the event log ``table`` holds. Raises the ``Problem``
    of a missing or mistyped mapped column, and ``EngineError``."""
    data = table.data
    require_mapping(data, table.kind, MAPPING)
    ids = list(model.touchpoints)
    if table.rows == 0:  # W403 says so; a reader guesses no column type from a header alone
        return EventFigures({tp: Reach(0, 0.0, None if customers is None or not customers.has_clv else 0.0,
                                       dict.fromkeys(model.segments, 0)) for tp in ids},
                            [FlowVolume(0, None, None) for _ in model.flows])
    spans = data.option_spans
    table.typed(data.date, spans.get("date", data.node.head), "date", "dates")
    log = eq.EventColumns(table.source, data.customer, data.touchpoint, data.date, None, data.until)
    fetch, dialect = table.engine.fetch, table.dialect
    out = EventFigures({}, [])
    if table.in_files:
        # Local files: their rows copied once in file order (the row number
        # keeps it); after W407 those that count for nothing are dropped from
        # the copy, so every other query reads it without a join.
        from copisdsl.data.engines.duck import ORDERED

        copy = table.engine.keep(eq.rows(log), ORDERED)
        log = eq.EventColumns(copy, data.customer, data.touchpoint, data.date, "rowid", data.until, prepared=True)
        _, found = fetch(eq.unknown_touchpoints(log, ids, dialect))
        table.engine.drop_rows(ORDERED, eq.unknown(ids))
        log = eq.EventColumns(copy, data.customer, data.touchpoint, data.date, "rowid", data.until,
                              prepared=True, known=True)
    else:
        _, found = fetch(eq.unknown_touchpoints(log, ids, dialect))
    out.diagnostics = _w407(data, found, ids)
    _, found = fetch(eq.customer_count(log, ids, dialect))
    total = int(found[0][0] or 0)
    relation = None
    if customers is not None and len(customers.ids):
        relation = table.engine.customers(customers)
    _, found = fetch(eq.reach(log, ids, relation, dialect))
    segment_ids = list(model.segments)
    counts = {tp: 0 for tp in ids}
    values = {tp: 0.0 for tp in ids}
    per_segment = {tp: dict.fromkeys(segment_ids, 0) for tp in ids}
    for tp, seg, n, v in found:
        counts[tp] += int(n)
        values[tp] += float(v or 0.0)
        if seg is not None and 0 <= int(seg) < len(segment_ids):
            per_segment[tp][segment_ids[int(seg)]] += int(n)
    has_clv = customers is not None and customers.has_clv
    out.reach = {tp: Reach(customers=counts[tp], share=counts[tp] / total if total else 0.0,
                           value_at_stake=values[tp] if has_clv else None, segments=per_segment[tp])
                 for tp in ids}
    edges = list(dict.fromkeys((f.source, f.target) for f in model.flows))
    steps: dict[tuple[str, str], tuple[int, float | None]] = {}
    if edges:
        _, found = fetch(eq.transitions(log, ids, edges, dialect))
        steps = {(a, b): (int(n), None if m is None else float(m)) for a, b, n, m in found}
    for flow in model.flows:
        n, median = steps.get((flow.source, flow.target), (0, None))
        reach = counts.get(flow.source, 0)
        out.flow_volumes.append(FlowVolume(customers=n, conversion=n / reach if reach else None,
                                           median_days=median))
    return out


def _w407(data: Data, found: list[tuple], ids: list[str]) -> list[Diagnostic]:
    """One W407 per unknown touchpoint value (the most frequent first)."""
    out = []
    column = data.touchpoint
    for value, rows in found[:eq.MAX_UNKNOWN]:
        rows = int(rows)
        counted = f"{rows} row{'s' if rows != 1 else ''} of data '{data.id}'"
        verb, rest = ("have", "they count") if rows != 1 else ("has", "it counts")
        if value is None or value == "":
            message = f"{counted} {verb} no touchpoint in column '{column}'; {rest} for nothing"
            hint = f"column '{column}' names the touchpoint of each event"
        else:
            message = (f"{counted} {verb} touchpoint '{value}', which is not a touchpoint of the journey; "
                       f"{rest} for nothing")
            hint = did_you_mean(value, ids) or f"the touchpoints are {_listed(ids)}"
        out.append(warning("W407", message, data.node.head, hint))
    if len(found) > eq.MAX_UNKNOWN:
        out.append(warning("W407", f"data '{data.id}' has more unknown touchpoint values than the "
                           f"{eq.MAX_UNKNOWN} named; they count for nothing either", data.node.head,
                           f"check that column '{column}' holds the journey's touchpoint IDs"))
    return out


def _listed(ids: list[str]) -> str:
    return ", ".join(ids[:12]) + (", ..." if len(ids) > 12 else "") if ids else "none"
