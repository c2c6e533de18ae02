"""``where`` filters as SQL conditions, checked against the engine's
column types (E402 where a comparison cannot hold, as for files).

A row whose compared value is missing never matches: SQL's NULL does that.
"""

from __future__ import annotations

from sqlglot import exp

from copisdsl.data.engines import queries as q
from copisdsl.data.kpis import NoValue
from copisdsl.data.problems import compared_with
from copisdsl.semantic.values import duration_days, parse_date
from copisdsl.syntax import nodes as n

OPS = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}


def condition(cond, require, data_id: str) -> exp.Expression:
    """The SQL of a filter on data ``data_id``; ``require(name, span)``
    gives a column's kind (number, text, date, bool, other) or raises the
    E401 ``Problem``."""
    if isinstance(cond, n.Paren):
        return exp.Paren(this=condition(cond.inner, require, data_id))
    if isinstance(cond, n.BoolOp):
        # sqlglot writes a chain of one connector without recursion.
        join = exp.and_ if cond.op == "and" else exp.or_
        return exp.Paren(this=join(*(condition(c, require, data_id) for c in cond.operands), wrap=False, copy=False))
    return compare(cond, require, data_id)


def compare(comp: n.Compare, require, data_id: str) -> exp.Expression:
    name, lit, op = comp.column.name, comp.value, OPS[comp.op]
    kind = require(name, comp.column.span)
    if lit.kind == "date" or (lit.kind == "string" and kind == "date" and parse_date(str(lit.value))):
        day = parse_date(str(lit.value))
        if day is None:  # E204 already says so
            raise NoValue(f"invalid date {lit.text}")
        if kind != "date":
            raise compared_with(data_id, name, kind, lit.kind, lit.text, lit.span)
        return op(this=q.as_date(name), expression=q.day_literal(day.isoformat()))
    if lit.kind in ("number", "percent", "duration"):
        value = duration_days(lit) if lit.kind == "duration" else float(lit.value)
        if kind != "number":
            raise compared_with(data_id, name, kind, lit.kind, lit.text, lit.span)
        return op(this=q.as_double(q.col(name)), expression=q.number(value))
    text = str(lit.value)
    if kind == "text":
        return op(this=q.col(name), expression=q.text(text))
    if kind == "bool" and text.lower() in ("true", "false"):
        return op(this=q.col(name), expression=exp.Boolean(this=text.lower() == "true"))
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise compared_with(data_id, name, kind, lit.kind, lit.text, lit.span) from None
        return op(this=q.as_double(q.col(name)), expression=q.number(number))
    raise compared_with(data_id, name, kind, lit.kind, lit.text, lit.span)

