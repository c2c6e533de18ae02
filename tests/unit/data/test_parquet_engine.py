"""One local Parquet file (issue 14): DuckDB reads it when it reads its
columns as pandas does, with the figures pandas gives for the same rows as
CSV; otherwise pandas reads it as before, with its lenient conversions and
its row-numbered messages. Real files, real DuckDB."""

from __future__ import annotations

import pytest

from copisdsl.data.engines.base import kind_of


# ------------------------------------------------------------ types

@pytest.mark.parametrize("type_name,kind", [
    ("BIGINT[]", "other"), ("STRUCT(a BIGINT)", "other"), ("MAP(VARCHAR, BIGINT)", "other"),
    ("INTERVAL", "other"), ("integer[]", "other"), ("array", "other"), ("struct", "other"),
    ("BIGINT", "number"), ("DECIMAL(10,2)", "number"), ("VARCHAR", "text"), ("BLOB", "binary"),
    ("TIMESTAMP WITH TIME ZONE", "date"), ("DATE", "date"), ("BOOLEAN", "bool"),
])
def test_kind_of_tells_lists_structs_and_intervals_from_numbers(type_name, kind):
    assert kind_of(type_name) == kind
