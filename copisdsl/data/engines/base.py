"""What every engine offers: the columns of a relation, and the rows of a
query (always aggregate rows)."""

from __future__ import annotations

from copisdsl.locations import mask_line

#: the dialect SQLGlot writes for each engine
DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark"}


class EngineError(Exception):
    """A connection that failed or timed out, or a query the engine
    rejected; ``reason`` is the engine's own message in one line, any
    secret masked."""

    def __init__(self, reason: str, not_text: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.not_text = not_text  # the engine found bytes that are not UTF-8 text (E402, not E400)


def one_line(exc: BaseException) -> str:
    """An engine's error as one line: its first non-empty line, masked."""
    for line in str(exc).splitlines():
        line = line.strip()
        if line:
            return mask_line(line)[:300]
    return type(exc).__name__


def kind_of(type_name: str) -> str:
    """An engine's column type -> number, text, date, bool, binary or other."""
    t = type_name.lower()
    # Lists, structs, maps and intervals first: their names hold those of
    # other types ("BIGINT[]", "STRUCT(a VARCHAR)", "interval" has "int").
    if t.endswith("]") or t.startswith(("struct", "map", "union", "array", "list", "row", "interval")):
        return "other"
    if any(w in t for w in ("blob", "bytea", "binary")):  # before "byte", a number type of Spark
        return "binary"
    if any(w in t for w in ("char", "text", "string", "uuid", "enum", "name")):
        return "text"
    if "timestamp" in t or t.startswith("date") or t == "datetime":
        return "date"
    if "bool" in t:
        return "bool"
    if any(w in t for w in ("int", "double", "float", "real", "decimal", "numeric", "number", "long",
                            "short", "byte")):
        return "number"
    return "other"


def customer_values(customers):
    """The CLV column of the customers relation: 0 where a customer has none."""
    import numpy as np

    return np.nan_to_num(customers.clv, nan=0.0)


class Engine:
    """A connection to one engine; subclasses implement ``columns`` and
    ``fetch`` (and ``arrays`` where the driver hands out columns)."""

    name = "engine"
    dialect = "duckdb"

    def columns(self, sql: str) -> list[tuple[str, str]]:
        """(name, type) of every column of the query ``sql``, in order, the
        type as the engine names it (``kind_of`` classifies it)."""
        raise NotImplementedError

    def fetch(self, sql: str) -> tuple[list[str], list[tuple]]:
        """The column names and rows of the query ``sql``."""
        raise NotImplementedError

    def arrays(self, sql: str) -> dict:
        """The result of ``sql`` as one numpy array per column."""
        import numpy as np

        names, rows = self.fetch(sql)
        return {name: np.array([r[i] for r in rows], dtype=object) for i, name in enumerate(names)}

    def memory_limit(self) -> float:
        """The bytes the engine may hold in memory for a query, where it
        says (DuckDB); 0 elsewhere: the per-day rows are used, which a
        server spills or streams itself."""
        return 0.0

    def customers(self, customers):
        """A relation ``k`` (c, v, s) the engine's queries can join: the
        journey's customers (``copisdsl.data.segments.Customers``) as text
        ids, their CLV (0 where they have none, ``customer_values``) and
        segment positions (-1: none), sent to the engine without writing to
        its data (KPIs by segment, §12.1; value at stake, §12.2)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the connection."""
