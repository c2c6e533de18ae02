"""``where`` filters: a condition over a table's columns -> a row mask.

A row whose compared value is missing never matches, whatever the operator
(as in SQL): ``channel != "store"`` does not select rows without a channel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from copisdsl.syntax import nodes as n
from copisdsl.data.kpis import NoValue
from copisdsl.data.problems import compared_with
from copisdsl.data.table import Table
from copisdsl.semantic.values import OPS, duration_days, parse_date


def mask(table: Table, cond) -> np.ndarray:
    """The rows of ``table`` where ``cond`` holds (a boolean array)."""
    if isinstance(cond, n.Paren):
        return mask(table, cond.inner)
    if isinstance(cond, n.BoolOp):
        out = mask(table, cond.operands[0])
        for operand in cond.operands[1:]:
            out = (out & mask(table, operand)) if cond.op == "and" else (out | mask(table, operand))
        return out
    return compare(table, cond)


def compare(table: Table, comp: n.Compare) -> np.ndarray:
    name, lit, op = comp.column.name, comp.value, OPS[comp.op]
    series = table.require(name, comp.column.span)
    if lit.kind == "date":
        day = parse_date(lit.value)
        if day is None:  # E204 already says so
            raise NoValue(f"invalid date {lit.text}")
        days = table.days(name, comp.column.span)
        present = days != np.iinfo(np.int64).min
        target = (np.datetime64(day, "D") - np.datetime64(0, "D")).astype(np.int64)
        return present & op(days, target)
    if lit.kind in ("number", "percent", "duration"):
        value = duration_days(lit) if lit.kind == "duration" else float(lit.value)
        values = table.numeric(name, comp.column.span)
        with np.errstate(invalid="ignore"):
            return ~np.isnan(values) & op(values, value)
    text = str(lit.value)
    if table.is_text(name):
        present = series.notna().to_numpy()
        matched = op(series.astype("object").where(series.notna(), ""), text)
        return present & np.asarray(matched, dtype=bool)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) and text.lower() in ("true", "false"):
        values = table.numeric(name, comp.column.span)
        return ~np.isnan(values) & op(values, 1.0 if text.lower() == "true" else 0.0)
    if pd.api.types.is_datetime64_any_dtype(dtype) and parse_date(text) is not None:
        return compare(table, n.Compare(comp.column, comp.op, n.Literal("date", text, text, span=lit.span),
                                        span=comp.span))
    try:
        number = float(text)
    except ValueError:
        kind = ("date" if pd.api.types.is_datetime64_any_dtype(dtype)
                else "bool" if pd.api.types.is_bool_dtype(dtype) else "number")
        raise compared_with(table.data.id, name, kind, lit.kind, lit.text, lit.span) from None
    values = table.numeric(name, comp.column.span)
    with np.errstate(invalid="ignore"):
        return ~np.isnan(values) & op(values, number)


def empty_hint(table: Table, cond) -> str | None:
    """For a filter that selects nothing: the closest value of a text column
    compared with ``==``, or some of the values it has."""
    from copisdsl.hints import did_you_mean

    node = n.unparen(cond)
    if not (isinstance(node, n.Compare) and node.op == "==" and node.value.kind == "string"):
        return None
    name = node.column.name
    if name not in table.frame.columns or not table.is_text(name):
        return None
    seen = sorted({str(v) for v in table.frame[name].dropna().unique()[:1000]})
    if not seen:
        return f"column '{name}' has no values"
    hint = did_you_mean(str(node.value.value), seen)
    if hint:
        return hint
    shown = ", ".join(f'"{v}"' for v in seen[:8]) + (", ..." if len(seen) > 8 else "")
    return f"column '{name}' has {shown}"
