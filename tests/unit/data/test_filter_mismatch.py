"""A filter that compares a column with a value of another type is one
E402, worded alike whichever reader computes the figures: pandas (a small
CSV), DuckDB (one Parquet file, a glob of CSV files). Real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from copisdsl.api import check
from copisdsl.data import enrich

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

COLUMNS = {"amount": [5.0, 12.5, 7.0], "day": [dt.date(2024, 5, d) for d in (1, 2, 3)],
           "member": [True, False, True], "channel": ["web", "store", "web"]}


def write(folder: Path, reader: str) -> str:
    """The three rows for ``reader``; the path a journey names them by."""
    if reader == "parquet":
        pq.write_table(pa.table(COLUMNS), folder / "s.parquet")
        return "s.parquet"
    lines = [",".join(COLUMNS)] + [",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in row)
                                   for row in zip(*COLUMNS.values())]
    (folder / "parts").mkdir(exist_ok=True)
    target = folder / ("parts/s-1.csv" if reader == "glob" else "s.csv")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "parts/*.csv" if reader == "glob" else "s.csv"


def e402(folder: Path, reader: str, condition: str) -> list[tuple]:
    path = write(folder, reader)
    text = f'journey j "J" {{\n  data s "{path}"\n  kpi k = count(s.amount where {condition})\n}}\n'
    result = check(text, "j.copis")
    assert result.ok, result.diagnostics
    _, diagnostics = enrich(result.model, folder)
    return [(d.code, d.message, d.hint, d.span.line, d.span.column) for d in diagnostics]


@pytest.mark.parametrize("condition, message, hint", [
    ('amount == "abc"', "column 'amount' of data 's' holds numbers, but is compared with the text \"abc\"",
     "compare with a number (no quotes)"),
    ('day >= "soon"', "column 'day' of data 's' holds dates, but is compared with the text \"soon\"",
     "write a date as YYYY-MM-DD, without quotes"),
    ('member == "yes"', "column 'member' of data 's' holds true/false values, but is compared with the text \"yes\"",
     'compare with "true" or "false"'),
])
@pytest.mark.parametrize("reader", ["csv", "parquet", "glob"])
def test_a_value_of_another_type_is_one_e402_on_every_reader(tmp_path, reader, condition, message, hint):
    at = 3, len("  kpi k = count(s.amount where ") + len(condition) - len(condition.split(" ", 2)[2]) + 1
    assert e402(tmp_path, reader, condition) == [("E402", message, hint, *at)]


def test_text_compared_with_a_number(tmp_path):
    # pandas, and one Parquet file (the columns a filter compares with a
    # number go to DuckDB only as numbers), name the first row that is not
    # a number; an engine, which cannot name a row, names the column's type.
    row = ("E402", "column 'channel' of data 's' must hold numbers: row 1 has 'web', not a number", None, 3,
           len("  kpi k = count(s.amount where ") + 1)
    for reader in ("csv", "parquet"):
        assert e402(tmp_path, reader, "channel > 5") == [row], reader
    assert e402(tmp_path, "glob", "channel > 5") == [
        ("E402", "column 'channel' of data 's' holds text, but is compared with the number 5",
         'compare with text in double quotes, like "store"', 3, len("  kpi k = count(s.amount where channel > ") + 1)]
