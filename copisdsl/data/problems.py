"""Data problems as diagnostics, shared by every reader (pandas and the
engines), with no heavy import."""

from __future__ import annotations

from dataclasses import replace

from copisdsl.diagnostics import Diagnostic, error, warning
from copisdsl.hints import did_you_mean
from copisdsl.source import Span


#: What a column of each kind holds, in words (E402 messages)
HELD = {"number": "numbers", "text": "text", "date": "dates", "bool": "true/false values",
        "binary": "bytes"}
#: The hint at an E402 for a column of bytes (a BLOB, bytea or binary column)
BINARY_HINT = ("decode it to text in a `query` (in DuckDB: decode(col), for UTF-8 bytes), "
               "or store the column as text")
#: A filter's value in words, by the kind of its literal (E402 messages)
_LITERAL = {"string": "the text", "number": "the number", "percent": "the percentage",
            "duration": "the duration", "date": "the date"}
#: What to compare a column of each kind with (E402 hints)
_COMPARE_WITH = {"number": "compare with a number (no quotes)",
                 "date": "write a date as YYYY-MM-DD, without quotes",
                 "text": 'compare with text in double quotes, like "store"',
                 "bool": 'compare with "true" or "false"',
                 "binary": BINARY_HINT}


class Problem(Exception):
    """A data problem found while evaluating; carries its diagnostic."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


def unknown_column(data_id: str, name: str, columns: list[str], span: Span, extra: str | None = None,
                   where: str | None = None) -> Problem:
    """E401 for a column the table lacks, hinting the closest name (or one
    that contains it), else the columns there are; ``where`` names the
    file of a glob that lacks it."""
    hint = did_you_mean(name, columns) or _containing(name, columns)
    if hint is None:
        shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
        hint = f"the columns are {shown}" if columns else "the file has no columns"
    if extra:
        hint = f"{hint}; {extra}"
    what = f"file '{where}' of data '{data_id}'" if where else f"data '{data_id}'"
    return Problem(error("E401", f"{what} has no column '{name}'", span, hint))


def compared_with(data_id: str, name: str, kind: str, literal_kind: str, literal_text: str,
                  span: Span) -> Problem:
    """E402 for a filter that compares a column of ``kind`` (number, text,
    date, bool, binary) with a value no row of that kind can equal: one
    wording for every reader (pandas' and the engines')."""
    return Problem(error(
        "E402", f"column '{name}' of data '{data_id}' holds {HELD.get(kind, 'values')}, but is compared "
        f"with {_LITERAL.get(literal_kind, 'the value')} {literal_text}", span, _COMPARE_WITH.get(kind)))


def empty_column(data_id: str, name: str, selected: int, total: int, span: Span) -> Diagnostic:
    """W403 for a column with no value in any of the ``selected`` rows (of
    ``total``) that an aggregate reads: the KPI has no value, and says why."""
    rows = (f"any of the {total} rows" if selected == total
            else f"any of the {selected} selected rows (of {total})")
    return warning("W403", f"column '{name}' of data '{data_id}' has no value in {rows}; the KPI has no value",
                   span, "fill the column, or point at the column that holds the values")


def no_orders(data_id: str, total: int, span: Span) -> Diagnostic:
    """W403 for a ``kind transactions`` source none of whose ``total`` rows
    is an order: every row lacks its customer, date or amount."""
    return warning("W403", f"none of the {total} rows of data '{data_id}' has a customer, a date and an "
                           "amount; the KPIs that use its orders have no value", span,
                   "check that the `customer`, `date` and `amount` columns (by default customer_id, date "
                   "and amount) are filled")


def _containing(name: str, columns: list[str]) -> str | None:
    """``did you mean`` for a column whose name contains ``name`` (date ->
    order_date), or is contained in it, when there is exactly one."""
    low = name.lower()
    hits = [c for c in columns if low in c.lower() or (len(c) > 2 and c.lower() in low)]
    return f"did you mean '{hits[0]}'?" if len(hits) == 1 else None


def require_mapping(data, require, options: tuple[str, ...] = ("customer", "date", "amount")) -> None:
    """E401 for a transactions file without its customer, date or amount
    column (an event log: the ``options`` customer, touchpoint, date);
    ``require(column, span)`` raises the plain E401. For a default mapping
    (customer_id, date, amount) the hint says how to name the column."""
    span = data.node.head
    spans = data.option_spans
    for option in options:
        column = getattr(data, option)
        try:
            require(column, spans.get(option, span))
        except Problem as p:
            if option in spans or p.diag.code != "E401":  # the column is there, but unusable (E402)
                raise
            hint, best = _suggestion(p.diag)
            raise Problem(replace(p.diag, hint=(f"{hint} " if hint else "") +
                                  f"name the column with `{option} {best}`")) from None


def segment_customer(data, require, column) -> object:
    """The customer column of ``data`` for the column reference ``column``
    (a ``nodes.Column``) of a KPI ``by segment`` (§12.1); E401 at the
    reference (`survey.score`) when the file lacks it. ``require(name, span)``
    returns the column or raises the plain E401."""
    span = column.data.span._replace(end_line=column.column.span.end_line,
                                     end_column=column.column.span.end_column)
    try:
        return require(data.customer, span)
    except Problem as p:
        hint, best = _suggestion(p.diag)
        named = "customer" in data.option_spans
        advice = None if named else f"name the column with `customer {best}` in data '{data.id}'"
        if advice is not None and p.diag.hint:
            advice = f"{hint} {advice}" if hint else f"{p.diag.hint}; {advice}"
        raise Problem(replace(
            p.diag, message=f"{p.diag.message}, which `by segment` needs to keep each segment's customers' rows",
            hint=advice or p.diag.hint)) from None


def _suggestion(diag) -> tuple[str | None, str]:
    """An E401's "did you mean 'NAME'?" hint (None without one) and the
    column it suggests ("COLUMN" without one)."""
    hint = diag.hint if diag.hint and diag.hint.startswith("did you mean") else None
    return hint, hint[len("did you mean '"):-2] if hint else "COLUMN"


#: what nps() and csat() read: the scale in words, and the hint at an E402 outside it
SCALE_USE = {"nps": "scores from 0 to 10", "csat": "answers from 1 to 5"}
SCALE_HINT = {"nps": "nps() reads a 0-10 'how likely are you to recommend' score",
              "csat": "csat() reads a 1-5 satisfaction answer"}


def number_text(value: float) -> str:
    """A value as a message shows it: ``11``, ``0.5``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def outside_scale(func: str, data_id: str, name: str, value: float, span, *, row: int | None = None,
                  rows: int = 1) -> Problem:
    """E402 for nps() or csat() over values outside the scale: the first
    such ``row`` of the file (1-based, the header not counted) when it is
    known, else how many of the selected ``rows`` are outside (an engine's
    rows have no order), with one such ``value``."""
    where = (f"row {row} of data '{data_id}' has" if row is not None
             else f"{rows} of the selected rows of data '{data_id}' have values outside, such as")
    return Problem(error("E402", f"{func}() needs {SCALE_USE[func]}: {where} {number_text(value)} in '{name}'",
                         span, SCALE_HINT[func]))
