"""Figures as text, by kind: rates as percents, NPS in points, money with
two decimals, counts as whole numbers, days with their unit."""

from __future__ import annotations

import math

NO_DATA = "no data"


def _trim(number: str) -> str:
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return "0" if number in ("-0", "") else number


def _plain(value: float, decimals: int = 2) -> str:
    if value != 0 and abs(value) < 0.01:
        return f"{value:.2g}"
    return _trim(f"{value:,.{decimals}f}")


def format_value(value: float | None, kind: str) -> str:
    """A KPI value for people: ``0.043`` as a rate is ``4.3%``, ``31`` in
    points is ``31 pts``, ``1234.5`` as money is ``1,234.50``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NO_DATA
    if kind == "rate":
        return _plain(value * 100, 1) + "%"
    if kind == "points":
        return _plain(value, 1) + " pts"
    if kind == "money":
        return f"{value:,.2f}".replace("-0.00", "0.00")
    if kind == "count":
        return _plain(value, 0 if float(value).is_integer() else 1)
    if kind == "days":
        shown = _plain(value, 1)
        return f"{shown} day" if shown == "1" else f"{shown} days"
    return _plain(value)


def format_change(change: float | None, kind: str) -> str:
    """A difference from a baseline, signed: rates in percentage points."""
    if change is None or not math.isfinite(change):
        return ""
    if kind == "rate":
        body = _plain(abs(change) * 100, 1) + " pp"
    elif kind == "points":
        body = _plain(abs(change), 1) + " pts"
    else:
        body = format_value(abs(change), kind)
    if not any(ch in "123456789" for ch in body):
        return "±" + body  # rounds to zero: no direction to show
    return ("-" if change < 0 else "+") + body


def format_target(target: float | None, target_text: str | None, kind: str | None) -> str:
    """An objective's target, in its measuring KPI's kind when known."""
    if target is None:
        return ""
    if kind is not None and kind != "number":
        return format_value(target, kind)
    if target_text is not None and target_text.endswith("%"):
        return format_value(target, "rate")
    return _plain(target)
