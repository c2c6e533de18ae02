"""The per-customer table of ``copis export --customers`` (reference §14)
as CSV or Parquet bytes, deterministic: the same journey and data give the
same bytes.

CSV: a header line, then one line per customer; numbers as in the JSON
export (12 significant digits, whole counts as integers), an empty field for
a value that does not exist (the model columns of the historic CLV, a NaN).
Parquet: the same columns, typed (text, int64 orders, double figures, nulls
for the empty fields), without pandas metadata.
"""

from __future__ import annotations

import csv
import io
import math

from copisdsl.data.figures import CustomerTable
from copisdsl.workflow.export.json_export import measure, number

#: the file suffixes --customers writes
FORMATS = (".csv", ".parquet")


def _columns(table: CustomerTable) -> list[list]:
    count = len(table.customer)
    return [getattr(table, name).tolist() if getattr(table, name) is not None else [None] * count
            for name in CustomerTable.COLUMNS]


def _field(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int)):
        return str(value)
    rounded = measure(value)
    return "" if rounded is None else repr(rounded)


def customers_csv(table: CustomerTable) -> bytes:
    """The table as UTF-8 CSV (comma-separated, ``\\n`` line ends, fields
    quoted only where CSV needs it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CustomerTable.COLUMNS)
    writer.writerows(zip(*(list(map(_field, column)) for column in _columns(table))))
    return out.getvalue().encode("utf-8")


def customers_parquet(table: CustomerTable) -> bytes:
    """The table as a Parquet file (one row group)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def figures(values):
        return [None if v is None or not math.isfinite(v) else float(number(v)) for v in values]

    arrays, fields = [], []
    for name, column in zip(CustomerTable.COLUMNS, _columns(table)):
        if name in ("customer", "segment"):
            kind, data = pa.string(), column
        elif name == "orders":
            kind, data = pa.int64(), column
        else:
            kind, data = pa.float64(), figures(column)
        arrays.append(pa.array(data, type=kind))
        fields.append(pa.field(name, kind, nullable=name != "customer"))
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)), buffer, compression="zstd")
    return buffer.getvalue()


def customer_file(table: CustomerTable, suffix: str) -> bytes:
    """The table in the format its file name's ``suffix`` names (``.csv`` or ``.parquet``)."""
    if suffix.lower() == ".parquet":
        return customers_parquet(table)
    return customers_csv(table)
