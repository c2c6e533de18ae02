"""``where`` filters as SQL conditions, checked against the engine's
column types (E402 where a comparison cannot hold, as for files).

A row whose compared value is missing never matches: SQL's NULL does that.
"""

from __future__ import annotations

from sqlglot import exp

from copisdsl.data.engines import queries as q
from copisdsl.data.engines.base import BINARY_HINT, HELD
from copisdsl.data.kpis import NoValue
from copisdsl.data.problems import Problem
from copisdsl.diagnostics import error
from copisdsl.semantic.values import duration_days, parse_date
from copisdsl.syntax import nodes as n

OPS = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}


def condition(cond, require) -> exp.Expression:
    """The SQL of a filter; ``require(name, span)`` gives a column's kind
    (number, text, date, bool, other) or raises the E401 ``Problem``."""
    if isinstance(cond, n.Paren):
        return exp.Paren(this=condition(cond.inner, require))
    if isinstance(cond, n.BoolOp):
        # sqlglot writes a chain of one connector without recursion.
        join = exp.and_ if cond.op == "and" else exp.or_
        return exp.Paren(this=join(*(condition(c, require) for c in cond.operands), wrap=False, copy=False))
    return compare(cond, require)


def compare(comp: n.Compare, require) -> exp.Expression:
    name, lit, op = comp.column.name, comp.value, OPS[comp.op]
    kind = require(name, comp.column.span)
    if lit.kind == "date" or (lit.kind == "string" and kind == "date" and parse_date(str(lit.value))):
        day = parse_date(str(lit.value))
        if day is None:  # E204 already says so
            raise NoValue(f"invalid date {lit.text}")
        if kind != "date":
            raise _mismatch(name, kind, lit, "a date")
        return op(this=q.as_date(name), expression=q.day_literal(day.isoformat()))
    if lit.kind in ("number", "percent", "duration"):
        value = duration_days(lit) if lit.kind == "duration" else float(lit.value)
        if kind != "number":
            raise _mismatch(name, kind, lit, "a number")
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
            raise _mismatch(name, kind, lit, "text") from None
        return op(this=q.as_double(q.col(name)), expression=q.number(number))
    raise _mismatch(name, kind, lit, "text")


def _mismatch(name: str, kind: str, lit: n.Literal, what: str) -> Problem:
    held = HELD.get(kind, "values")
    hint = {"numbers": "compare with a number (no quotes)", "dates": "write a date as YYYY-MM-DD, without quotes",
            "text": 'compare with text in double quotes, like "store"'}.get(held)
    if kind == "binary":
        hint = BINARY_HINT
    return Problem(error("E402", f"column '{name}' holds {held}, but is compared with {what} {lit.text}",
                         lit.span, hint))
