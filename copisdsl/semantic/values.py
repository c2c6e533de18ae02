"""Literal values: numbers, percents, durations and dates."""

from __future__ import annotations

import datetime as dt
import operator

from copisdsl.syntax import nodes as n
from copisdsl.diagnostics import Diagnostic, error
from copisdsl.units import DAYS_PER, DAYS_PER_MONTH, DAYS_PER_WEEK

#: the comparisons of conditions (filters, segment conditions), as functions of two values (or arrays)
OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
       ">": operator.gt, ">=": operator.ge}


def number_of(lit: n.Literal) -> float | None:
    """The numeric value of a number or percent literal (percent as a fraction)."""
    if lit.kind in ("number", "percent"):
        return float(lit.value)
    return None


def duration_months(lit: n.Literal) -> float | None:
    """A duration literal in months (``3y`` is 36, ``90d`` about 2.96)."""
    if lit.kind != "duration":
        return None
    amount, unit = lit.value
    months = {"y": amount * 12, "m": amount, "w": amount * DAYS_PER_WEEK / DAYS_PER_MONTH,
              "d": amount / DAYS_PER_MONTH}[unit]
    return int(months) if float(months).is_integer() else months


def duration_days(lit: n.Literal) -> float:
    """A duration literal in days (months and years as average lengths)."""
    amount, unit = lit.value
    return float(amount) * DAYS_PER[unit]


def parse_date(text: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date, or None when it is not a real date."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def date_problem(lit: n.Literal) -> Diagnostic | None:
    """E204 for a value that must be a date and is no real one (2025-02-30)."""
    if lit.kind == "date" and parse_date(lit.value) is not None:
        return None
    return error("E204", f"invalid date {lit.text}", lit.span, "write a real date as YYYY-MM-DD")


def shift_back(day: dt.date, amount: int, unit: str) -> dt.date:
    """``day`` minus a duration; months and years are calendar months and
    years (the day is clamped to the month's last day, as 03-31 - 1m = 02-28).
    A duration reaching back before the year 1 gives the first date there is."""
    import calendar

    try:
        if unit == "d":
            return day - dt.timedelta(days=amount)
        if unit == "w":
            return day - dt.timedelta(weeks=amount)
        months = amount * (12 if unit == "y" else 1)
        total = day.year * 12 + (day.month - 1) - months
        year, month = divmod(total, 12)
        month += 1
        if year < dt.MINYEAR:
            return dt.date.min
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(day.day, last))
    except OverflowError:
        return dt.date.min
