"""One ``data`` declaration read by an engine (a glob, a folder, a
database URL): its schema, and the aggregates the KPIs ask for, each
computed by the engine. Only aggregate rows come back.

Diagnostics are those of a file: E401 with the closest names of the
schema (naming the file of a glob that lacks a column), E402 from the
engine's column types, W403 for a filter that selects nothing.
"""

from __future__ import annotations

import math

from sqlglot import exp

from copisdsl.data.engines import queries as q
from copisdsl.data.engines.base import Engine, EngineError, kind_of
from copisdsl.data.engines.conditions import condition
from copisdsl.data.engines.summary import Summary
from copisdsl.data.kpis import NoValue
from copisdsl.data.problems import (BINARY_HINT, HELD, SCALE_USE, Problem, empty_column, outside_scale,
                                    require_mapping, segment_customer, unknown_column)
from copisdsl.diagnostics import Diagnostic, error, warning
from copisdsl.hints import did_you_mean
from copisdsl.semantic.model import Data
from copisdsl.source import Span
from copisdsl.syntax import nodes as n
from copisdsl.units import NS_DAYS

#: the table DuckDB keeps the orders in, one row per customer (``EngineTable._purchase_days``)
DAYS = "copis_days"
#: the memory DuckDB needs per order for ``queries.customer_days``, whose
#: lists do not spill: 30 bytes measured (10,000,000 orders on 1,000,000
#: customers completed under a 300 MB cap, 6,000,000 on 50,000 under 200 MB,
#: not 96 MB), twice that for a margin. With less, the per-day rows, which spill.
LIST_BYTES_PER_ORDER = 64


def _kept() -> exp.Table:
    """The table ``DAYS``."""
    return exp.Table(this=exp.to_identifier(DAYS, quoted=True))


class EngineTable:
    """The rows of one source, held by ``engine`` and read as ``source``
    (a FROM item); ``lacking`` maps a used column to the first file of a
    glob that does not have it; ``row_number`` names a column of the
    source that is not the user's but each row's place in its file
    (1-based), for E402s that name a row."""

    def __init__(self, data: Data, engine: Engine, source: exp.Expression,
                 lacking: dict[str, str] | None = None, row_number: str | None = None) -> None:
        self.data = data
        self.engine = engine
        self.source = source
        self.lacking = lacking or {}
        self.row_number = row_number
        self.in_files = False  # read from local files (a glob, a folder, one file), not a database
        self.dialect = engine.dialect
        schema = [(name, t) for name, t in engine.columns(
            q.write(exp.select(exp.Star()).from_(source.copy()).limit(0), self.dialect)) if name != row_number]
        self.columns = [name for name, _ in schema]
        self.types = dict(schema)  # as the engine names them: "TIMESTAMP WITH TIME ZONE", "DECIMAL(10,2)"
        self.kinds = {name: kind_of(t) for name, t in schema}
        self.diagnostics: list[Diagnostic] = []
        self._rows: int | None = None
        self._summary: Summary | None = None
        # KPIs by segment (§12.1): one query per aggregate gives every segment's row
        self._by_segment: dict[tuple, dict[int, dict]] = {}
        self._relation: tuple | None = None  # (segmentation, its relation for a JOIN)
        #: the orders, once: (relation, whether it is queries.customer_days)
        self._days: tuple[exp.Expression, bool] | None = None
        #: whether more than the summary reads those days (a reorder interval):
        #: only then is keeping them worth it (0.4 s of 2,000,000 orders' 0.8 s),
        #: and DuckDB's lists per customer; else its sums per customer and day
        self.days_reread = True

    def sql(self, tree: exp.Expression) -> str:
        return q.write(tree, self.dialect)

    # ------------------------------------------------------------ columns
    def lacks(self, name: str, span: Span) -> Problem | None:
        """E401 when the source, or one file of it, has no column ``name``, else None."""
        if name in self.lacking:
            return unknown_column(self.data.id, name, self.columns, span, where=self.lacking[name])
        if name not in self.kinds:
            return unknown_column(self.data.id, name, self.columns, span)
        return None

    def kind(self, name: str, span: Span) -> str:
        """The column's kind (number, text, date, bool, binary, other); E401 when
        the source, or one file of it, lacks it."""
        problem = self.lacks(name, span)
        if problem is not None:
            raise problem
        return self.kinds[name]

    def typed(self, name: str, span: Span, want: str, use: str) -> None:
        """E401 when the source lacks the column, E402 when its kind is not ``want``."""
        kind = self.kind(name, span)
        if kind != want:
            held = HELD.get(kind, "values of another type")
            hint = ("dates are DATE or TIMESTAMP columns of the engine; convert the column in a `query`"
                    if want == "date" else BINARY_HINT if kind == "binary"
                    else "convert the column in a `query`, or name another column")
            raise Problem(error("E402", f"column '{name}' of data '{self.data.id}' must hold {use}, "
                                f"but {self.engine.name} says it holds {held}", span, hint))

    def nan_or_far_date(self, floats: list[str], dates: list[str]) -> bool:
        """Whether a row holds NaN in one of the ``floats`` columns (a value
        to SQL, a missing one to pandas) or, in one of the ``dates``, a time
        outside the years pandas' nanoseconds hold (E402 on its path)."""
        if not floats and not dates:
            return False
        # Sums, not ISNAN row by row: DuckDB 2.0 folds ISNAN(column) to false
        # from a Parquet file's min/max statistics, which leave NaN out.
        _, found = self.engine.fetch(q.sums_and_outside(floats, dates, *NS_DAYS, self.source.copy(),
                                                        self.dialect))
        return any(v is True or (isinstance(v, float) and math.isnan(v)) for v in found[0])

    def until(self) -> exp.Expression | None:
        """The rows condition of ``until`` (None without it)."""
        if self.data.until is None:
            return None
        return exp.LTE(this=q.as_date(self.data.date), expression=q.day_literal(self.data.until))

    @property
    def rows(self) -> int:
        """The rows of the source (on or before ``until``), counted by the engine."""
        if self._rows is None:
            _, found = self.engine.fetch(q.count_rows(self.source.copy(), self.dialect, self.until()))
            self._rows = int(found[0][0] or 0)
        return self._rows

    def check_until(self) -> bool:
        """E401/E402 when ``until`` names no date column; False then."""
        if self.data.until is None:
            return True
        span = self.data.option_spans.get("date", self.data.option_spans.get("until", self.data.node.head))
        try:
            self.typed(self.data.date, span, "date", "dates")
        except Problem as p:
            self.diagnostics.append(p.diag)
            return False
        return True

    # ------------------------------------------------------------ aggregates
    def aggregate(self, func: str, column: n.Column) -> float:
        """An aggregate of a (filtered) column, computed by the engine."""
        name = column.column.name
        cond = self._aggregated(func, column)
        names, found = self.engine.fetch(q.aggregate(func, name, cond, self.source.copy(), self.dialect,
                                                     self.until(), row_number=self.row_number))
        return self._value(func, column, dict(zip(names, found[0])))

    def _aggregated(self, func: str, column: n.Column) -> exp.Expression | None:
        """E401/E402 for the column; the filter's condition."""
        name = column.column.name
        if func == "count":
            self.kind(name, column.column.span)
        else:
            self.typed(name, column.column.span, "number", SCALE_USE.get(func, "numbers"))
        return condition(column.where, self.kind, self.data.id) if column.where is not None else None

    def segment_aggregate(self, func: str, column: n.Column, within) -> float:
        """The aggregate over the rows of one segment's customers (``within``,
        ``copisdsl.data.segments.Members``): one query, grouped by segment, answers
        every segment; a segment without rows has no value."""
        segment_customer(self.data, self.kind, column)
        cond = self._aggregated(func, column)
        key = (func, column.span, within.segmentation)
        if key not in self._by_segment:
            rows: dict[int, dict] = {}
            relation = self._segments(within.segmentation)
            if relation is not None:
                names, found = self.engine.fetch(q.aggregate(
                    func, column.column.name, cond, self.source.copy(), self.dialect, self.until(),
                    (relation, q.col(self.data.customer)), self.row_number))
                rows = {int(r["segment"]): r for r in (dict(zip(names, f)) for f in found)}
            self._by_segment[key] = rows
        row = self._by_segment[key].get(within.position)
        if row is None:
            raise NoValue(f"no rows of data '{self.data.id}' belong to segment '{within.id}'")
        return self._value(func, column, row, within)

    def segment_reorder_interval(self, within) -> float | None:
        """The reorder interval of one segment's customers (one query, grouped by segment)."""
        key = ("reorder_interval", within.segmentation)
        if key not in self._by_segment:
            rows: dict[int, dict] = {}
            relation = self._segments(within.segmentation)
            if relation is not None:
                names, found = self.engine.fetch(q.reorder_interval(self._gaps(), self.dialect, relation))
                rows = {int(r["segment"]): r for r in (dict(zip(names, f)) for f in found)}
            self._by_segment[key] = rows
        row = self._by_segment[key].get(within.position)
        return float(row["value"]) if row is not None and row["value"] is not None else None

    def _segments(self, segmentation) -> exp.Expression | None:
        """The customer -> segment relation for a JOIN, the engine's own
        ``customers`` relation (None when no customer is in a segment)."""
        if not len(segmentation.ids):
            return None
        if self._relation is None or self._relation[0] is not segmentation:
            self._relation = (segmentation, self.engine.customers(segmentation.customers))
        return self._relation[1].copy()

    def _value(self, func: str, column: n.Column, row: dict, within=None) -> float:
        name = column.column.name
        total, selected, present = (int(row[k] or 0) for k in ("total", "selected", "present"))
        if selected == 0:
            if within is not None:
                raise NoValue(f"no selected rows of data '{self.data.id}' belong to segment '{within.id}'")
            if total == 0:
                raise NoValue(f"data '{self.data.id}' has no rows")
            self.diagnostics.append(warning(
                "W403", f"the filter selects none of the {total} rows of data '{self.data.id}'; "
                "the KPI has no value", column.where.span, self._empty_hint(column.where)))
            raise NoValue("the filter selects no rows")
        if func == "count":
            return float(present)
        if present == 0:
            self.diagnostics.append(empty_column(self.data.id, name, selected, total, column.column.span))
            raise NoValue(f"column '{name}' has no values in the selected rows")
        if func in ("nps", "csat") and int(row["outside"] or 0):
            first = row.get("first_row")
            raise outside_scale(func, self.data.id, name, float(row["example"]), column.column.span,
                                row=None if first is None else int(first), rows=int(row["outside"]))
        if row["value"] is None:
            raise NoValue("no value")
        return float(row["value"])

    def _empty_hint(self, cond) -> str | None:
        node = n.unparen(cond)
        if not (isinstance(node, n.Compare) and node.op == "==" and node.value.kind == "string"):
            return None
        name = node.column.name
        if self.kinds.get(name) != "text":
            return None
        try:
            _, found = self.engine.fetch(q.distinct_values(name, self.source.copy(), self.dialect))
        except EngineError:
            return None
        seen = sorted(str(r[0]) for r in found)
        if not seen:
            return f"column '{name}' has no values"
        hint = did_you_mean(str(node.value.value), seen)
        if hint:
            return hint
        return f"column '{name}' has " + ", ".join(f'"{v}"' for v in seen[:8]) + (", ..." if len(seen) > 8 else "")

    # ------------------------------------------------------------ transactions
    def _purchase_days(self) -> tuple[exp.Expression, bool]:
        """The orders per customer and day (``queries.purchase_days``; on
        DuckDB, per customer, ``queries.customer_days``, when more than the
        summary reads them (``days_reread``) and it has the memory for them:
        ``LIST_BYTES_PER_ORDER``): for files, kept by
        DuckDB once (in its memory, spilling under a cap) for the summary
        and every reorder interval; elsewhere, or when the summary alone
        reads them (``days_reread``), the query itself, inlined (a read-only
        database may not keep even a temporary table). With it, whether
        the relation is one row per customer."""
        if self._days is None:
            data = self.data
            per_customer = (self.dialect == "duckdb" and self.days_reread
                            and self.rows * LIST_BYTES_PER_ORDER <= self.engine.memory_limit())

            def orders(trim: bool) -> exp.Select:
                if per_customer:
                    return q.customer_days(data.customer, data.date, data.amount, data.until, self.source.copy(),
                                           trim)
                return q.purchase_days(data.customer, data.date, data.amount, data.until, self.source.copy(),
                                       self.dialect, trim)

            if self.in_files and self.days_reread:
                # Grouped by the IDs as written first; by the trimmed IDs
                # only if one of them is padded or empty (queries.untrimmed_ids).
                self.engine.keep(orders(trim=False), DAYS)
                if self.engine.fetch(q.untrimmed_ids(_kept()))[1][0][0]:
                    self.engine.keep(orders(trim=True), DAYS)
                days = _kept()
            else:
                days = orders(trim=True)
            self._days = (days, per_customer)
        days, per_customer = self._days
        return days.copy(), per_customer

    def _gaps(self) -> exp.Select:
        """The gaps between consecutive purchase days, for ``queries.reorder_interval``."""
        days, per_customer = self._purchase_days()
        return q.customer_gaps(days) if per_customer else q.day_gaps(days)

    def summary(self) -> Summary:
        """The per-customer summary of a ``kind transactions`` source."""
        if self._summary is None:
            data = self.data
            require_mapping(data, self.kind)
            spans = data.option_spans
            self.typed(data.date, spans.get("date", data.node.head), "date", "dates")
            self.typed(data.amount, spans.get("amount", data.node.head), "number", "amounts (numbers)")
            days, per_customer = self._purchase_days()
            columns = self.engine.arrays(q.customer_days_summary(days) if per_customer
                                         else q.customer_summary(days, self.dialect))

            def reorder() -> float | None:
                _, found = self.engine.fetch(q.reorder_interval(self._gaps(), self.dialect))
                return float(found[0][0]) if found and found[0][0] is not None else None

            self._summary = Summary(data, columns, reorder)
        return self._summary

