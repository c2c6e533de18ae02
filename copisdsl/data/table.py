"""A loaded data file with typed, cached column access.

Column problems raise ``Problem`` carrying the diagnostic (E401 unknown
column, E402 wrong type) at the span of the reference that needed the
column, so that the same bad column is reported at each place it is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from copisdsl.diagnostics import Diagnostic, error
from copisdsl.data.problems import Problem, unknown_column  # noqa: F401 - Problem re-exported
from copisdsl.semantic.model import Data
from copisdsl.source import Span
from copisdsl.units import NS_DAYS, NS_PER_DAY

_DECIMAL_COMMA = r"^\s*[+-]?\d+(?:,\d+)?\s*$"


@dataclass
class _Bad:
    row: int  # 0-based position in the file's rows
    value: object
    what: str  # "a number", "a date"
    detail: str = ""


class Table:
    """The rows of one ``data`` file (after ``until``), with the columns
    that the journey uses."""

    def __init__(self, data: Data, frame: pd.DataFrame, columns: list[str], hint: str | None = None,
                 undecodable: dict[str, int] | None = None, uncached: dict[str, int] | None = None) -> None:
        self.data = data
        self.undecodable = undecodable or {}  # column -> 0-based file row of its first bytes that are not text
        self.uncached = uncached or {}  # column -> 0-based row of its first formula without a saved value
        self.frame = frame.reset_index(drop=True)
        self.columns = columns
        self.hint = hint
        self.rows_read = len(self.frame)
        self._row_numbers: np.ndarray | None = None
        self._numeric: dict[str, np.ndarray | _Bad] = {}
        self._dates: dict[str, np.ndarray | _Bad] = {}

    @property
    def rows(self) -> int:
        return len(self.frame)

    # ------------------------------------------------------------ columns
    def lacks(self, name: str, span: Span) -> Problem | None:
        """E401 when the file has no column ``name``, else None."""
        return None if name in self.columns else unknown_column(self.data.id, name, self.columns, span, self.hint)

    def require(self, name: str, span: Span) -> pd.Series:
        """The column ``name``; E401 when the file has no such column."""
        if name not in self.columns:
            raise self.lacks(name, span)
        if name not in self.frame.columns:  # pragma: no cover - planning loads every used column
            raise Problem(error("E401", f"column '{name}' of data '{self.data.id}' was not loaded", span))
        if name in self.undecodable:
            raise Problem(error(
                "E402", f"column '{name}' of data '{self.data.id}' holds bytes that are not text "
                        f"(row {self.undecodable[name] + 1})", span,
                "save the file as UTF-8 text (in Parquet: a column of strings, not of bytes)"))
        if name in self.uncached:
            raise Problem(error(
                "E402", f"column '{name}' of data '{self.data.id}' holds formulas without a saved value "
                        f"(row {self.uncached[name] + 1})", span,
                "copis reads the values a workbook saved, not its formulas: open it in Excel or "
                "LibreOffice and save it, or write the values instead of formulas"))
        return self.frame[name]

    def numeric(self, name: str, span: Span, use: str = "numbers") -> np.ndarray:
        """The column as float64 (NaN where missing); E402 naming the first
        row whose value is not a number."""
        got = self._numeric.get(name)
        if got is None:
            got = self._numeric[name] = self._to_numeric(self.require(name, span))
        if isinstance(got, _Bad):
            raise Problem(self._bad(name, got, span, use))
        return got

    def dates(self, name: str, span: Span) -> np.ndarray:
        """The column as datetime64[ns] (NaT where missing), parsed once;
        time-zone-aware values are taken in their local time."""
        got = self._dates.get(name)
        if got is None:
            got = self._dates[name] = self._to_dates(self.require(name, span))
        if isinstance(got, _Bad):
            raise Problem(self._bad(name, got, span, "dates"))
        return got

    def days(self, name: str, span: Span) -> np.ndarray:
        """The column as whole days since 1970-01-01 (int64); missing as INT64 min."""
        ns = self.dates(name, span).view("int64")
        nat = ns == np.iinfo(np.int64).min
        out = ns // NS_PER_DAY
        out[nat] = np.iinfo(np.int64).min
        return out

    def is_text(self, name: str) -> bool:
        dtype = self.frame[name].dtype
        return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
                    or pd.api.types.is_datetime64_any_dtype(dtype))

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the rows where ``mask`` holds (``until``)."""
        positions = np.flatnonzero(mask)
        self._row_numbers = positions if self._row_numbers is None else self._row_numbers[positions]
        self.frame = self.frame.iloc[positions].reset_index(drop=True)
        self._numeric = {k: (v[positions] if isinstance(v, np.ndarray) else v) for k, v in self._numeric.items()}
        self._dates = {k: (v[positions] if isinstance(v, np.ndarray) else v) for k, v in self._dates.items()}

    def row_number(self, position: int) -> int:
        """The 1-based data row (the header is not counted) in the file."""
        if self._row_numbers is not None:
            position = int(self._row_numbers[position])
        return position + 1

    # ------------------------------------------------------------ conversion
    def _to_numeric(self, series: pd.Series) -> np.ndarray | _Bad:
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            return series.to_numpy(dtype="float64", na_value=np.nan)
        if pd.api.types.is_datetime64_any_dtype(dtype):
            first = series.first_valid_index()
            return _Bad(0 if first is None else int(first), series.iloc[0] if len(series) else None,
                        "a number", "the column holds dates")
        text = series.astype("object")
        present = series.notna().to_numpy().copy()  # pandas may hand out a read-only view
        as_str = text[present].astype(str).str.strip()
        blank = as_str == ""
        if blank.any():
            present[np.flatnonzero(present)[blank.to_numpy()]] = False
            as_str = as_str[~blank]
        if self.data.delimiter == ";" and len(as_str) and as_str.str.contains(",").any() \
                and as_str.str.match(_DECIMAL_COMMA).all():
            as_str = as_str.str.replace(",", ".", regex=False)
        values = pd.to_numeric(as_str, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        failed = np.isnan(values) & ~as_str.str.lower().isin(("nan",)).to_numpy()
        if failed.any():
            pos = int(np.flatnonzero(present)[np.argmax(failed)])
            return _Bad(pos, series.iloc[pos], "a number")
        out = np.full(len(series), np.nan)
        out[present] = values
        return out

    def _to_dates(self, series: pd.Series) -> np.ndarray | _Bad:
        dtype = series.dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_localize(None)
            dtype = series.dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):  # the reader parsed them already
            values = series.to_numpy()
            bad = _out_of_range(values)
            if bad is not None:
                return _Bad(bad, _day_text(values[bad]), "a date", _RANGE)
            return values.astype("datetime64[ns]")
        if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            first = series.first_valid_index()
            pos = 0 if first is None else int(first)
            return _Bad(pos, series.iloc[pos] if len(series) else None, "a date", "the column holds numbers")
        present = series.notna().to_numpy()
        text = series[present].astype(str).str.strip()
        try:
            parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
        except (ValueError, TypeError):  # mixed UTC offsets: take each value's local time
            parsed = pd.Series([pd.Timestamp(v).tz_localize(None) if _is_date(v) else pd.NaT for v in text],
                               index=text.index, dtype="datetime64[ns]")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_localize(None)
        failed = parsed.isna().to_numpy() & (text != "").to_numpy()
        if failed.any():
            pos = int(np.flatnonzero(present)[np.argmax(failed)])
            return _Bad(pos, series.iloc[pos], "a date")
        values = parsed.to_numpy()
        bad = _out_of_range(values)
        if bad is not None:
            pos = int(np.flatnonzero(present)[bad])
            return _Bad(pos, series.iloc[pos], "a date", _RANGE)
        out = np.full(len(series), np.datetime64("NaT", "ns"))
        out[present] = values.astype("datetime64[ns]")
        return out

    def _bad(self, name: str, bad: _Bad, span: Span, use: str) -> Diagnostic:
        shown = repr(str(bad.value)) if bad.value is not None else "nothing"
        detail = f" ({bad.detail})" if bad.detail else ""
        message = (f"column '{name}' of data '{self.data.id}' must hold {use}: row {self.row_number(bad.row)} "
                   f"has {shown}, not {bad.what}{detail}")
        hint = "write dates as YYYY-MM-DD (ISO 8601)" if bad.what == "a date" else None
        if bad.detail == _RANGE:
            hint = "check the year; a placeholder such as 9999-12-31 is no date: leave the cell empty"
        if bad.what == "a number" and isinstance(bad.value, str) and "," in bad.value \
                and self.data.delimiter != ";":
            hint = "numbers use a decimal point; a file with decimal commas is read with `delimiter \";\"`"
        return error("E402", message, span, hint)


_RANGE = f"dates must be between the years {NS_DAYS[0][:4]} and {NS_DAYS[1][:4]}"
_FIRST, _LAST = (np.datetime64(day, "s") for day in NS_DAYS)


def _out_of_range(values: np.ndarray) -> int | None:
    """The position of the first date nanoseconds cannot hold (converted
    to datetime64[ns], numpy would wrap it around silently), if any."""
    if values.dtype == np.dtype("datetime64[ns]"):
        return None
    outside = ~np.isnat(values) & ((values < _FIRST) | (values > _LAST))
    return int(np.argmax(outside)) if outside.any() else None


def _day_text(value: np.datetime64) -> str:
    """A parsed date as the file most likely wrote it: the day alone at midnight."""
    day = value.astype("datetime64[D]")
    return str(day) if day == value else str(value)


def _is_date(value: str) -> bool:
    try:
        pd.Timestamp(value)
    except (ValueError, TypeError):
        return False
    return True
