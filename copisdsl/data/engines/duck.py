"""DuckDB, embedded: globs and folders of local files (registered as one
view), and ``duckdb:///`` database files, opened read-only."""

from __future__ import annotations

import os
import tempfile
import threading

from copisdsl.data.engines.base import Engine, EngineError, customer_values, one_line

#: the view a glob's or folder's files are read through
VIEW = "copis_files"
#: the column added to the rows pyarrow read from one file: each row's
#: place in the file (1-based, the header not counted), for E402s that name a row
ROW_NUMBER = "copis_row"
#: an event log's rows, in file order (their ``rowid``)
ORDERED = "copis_events"
#: the CLV layer's customers, for an event log's value at stake
CUSTOMERS = "copis_customers"
#: the environment variable that caps DuckDB's memory (its own syntax: 2GB, 512MiB, 75%)
MEMORY_LIMIT = "COPIS_MEMORY_LIMIT"
# This process's spill folder and the engines open on it: one folder for
# all (DuckDB opens a database file twice only with the same settings),
# removed when the last of them closes.
_SPILL: list[str] = []
#: the units of DuckDB's ``current_setting('memory_limit')`` ("61.0 MiB")
_BYTES = {"bytes": 1, "KiB": 2 ** 10, "MiB": 2 ** 20, "GiB": 2 ** 30, "TiB": 2 ** 40, "PiB": 2 ** 50}
_OPEN: set[int] = set()
_SPILL_LOCK = threading.Lock()


class DuckEngine(Engine):
    name = "DuckDB"
    dialect = "duckdb"

    def __init__(self, database: str | None = None) -> None:
        import duckdb

        self._duckdb = duckdb
        # What does not fit in memory spills to a folder of our own, never
        # DuckDB's default `.tmp` in the working directory.
        self._spill = _open_spill(self)
        config = {"temp_directory": self._spill}
        limit = os.environ.get(MEMORY_LIMIT, "").strip()
        if limit:
            config["memory_limit"] = limit
        try:
            # A database file is opened read-only: no query can write to it.
            self.con = duckdb.connect(database or ":memory:", read_only=bool(database), config=config)
        except duckdb.Error as exc:
            _close_spill(self)
            reason = one_line(exc)
            raise EngineError(f"{MEMORY_LIMIT}={limit!r}: {reason}" if limit and "memory" in reason.lower()
                              else reason) from None

    def register_files(self, files: list[str], fmt: str, delimiter: str | None,
                       text: frozenset[str] = frozenset()) -> None:
        """Make ``VIEW`` the union of ``files`` (one format; ``key=value``
        folders become columns); CSV columns named in ``text`` are read as
        the text the files hold (customer IDs, reference §14: ``007`` is not ``7``)."""
        try:
            if fmt == "parquet":
                rel = self.con.read_parquet(files, hive_partitioning=True, union_by_name=True)
            elif fmt == "jsonl":
                rel = self.con.read_json(files, format="newline_delimited")
            else:
                sep = delimiter or ("\t" if fmt == "tsv" else ",")
                have = set().union(*(self.file_columns(f, fmt, delimiter) for f in files)) if text else set()
                types = {c: "VARCHAR" for c in sorted(text & have)}
                rel = self.con.read_csv(files, sep=sep, header=True, union_by_name=True,
                                        **({"dtype": types} if types else {}))
            rel.create_view(VIEW)
        except self._duckdb.Error as exc:
            raise EngineError(one_line(exc), _not_text(exc)) from None

    def register_rows(self, name: str, rows) -> None:
        """Make ``name`` a view of ``rows``, an Arrow table DuckDB scans where
        it is (no copy; the connection holds it until closed)."""
        try:
            self.con.register(name, rows)
        except self._duckdb.Error as exc:
            raise EngineError(one_line(exc)) from None

    def memory_limit(self) -> float:
        """The bytes DuckDB may hold in memory (its ``memory_limit``: by
        default 80 % of the machine's, or ``COPIS_MEMORY_LIMIT``)."""
        (shown,) = self.con.execute("SELECT current_setting('memory_limit')").fetchone()
        number, _, unit = str(shown).partition(" ")
        try:
            return float(number) * _BYTES[unit]
        except (ValueError, KeyError):  # a form this version does not know: assume little
            return 0.0

    def keep(self, select, name: str):
        """Copy the rows of the SQLGlot ``select`` into the temporary table
        ``name``, in this connection's memory, never a file; returns it as
        a FROM item. DuckDB keeps the order of insertion: copied from
        ``VIEW`` by a projection and a filter, a row's ``rowid`` is its
        place in the files, by which an event log's equal dates keep file
        order (§12.2)."""
        from sqlglot import exp

        try:
            self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {select.sql("duckdb")}')
        except self._duckdb.Error as exc:
            raise EngineError(one_line(exc)) from None
        return exp.Table(this=exp.to_identifier(name, quoted=True)).as_("copis_src", quoted=True)

    def drop_rows(self, name: str, cond) -> None:
        """Delete the rows of the temporary table ``name`` where the SQLGlot
        condition ``cond`` holds (the others keep their ``rowid``)."""
        from sqlglot import exp

        delete = exp.Delete(this=exp.Table(this=exp.to_identifier(name, quoted=True)), where=exp.Where(this=cond))
        try:
            self.con.execute(delete.sql("duckdb"))
        except self._duckdb.Error as exc:
            raise EngineError(one_line(exc)) from None

    def customers(self, customers):
        import numpy as np
        from sqlglot import exp

        # numpy arrays, which DuckDB scans as they are (pyarrow would import pandas
        # to build a table); object IDs, which DuckDB reads as VARCHAR (fixed-width
        # text would be an ENUM).
        table = {"c": np.asarray(customers.ids, dtype=object),
                 "v": np.asarray(customer_values(customers), dtype=np.float64),
                 "s": np.asarray(customers.segments, dtype=np.int64)}
        try:
            self.con.register(CUSTOMERS, table)
        except self._duckdb.Error as exc:
            raise EngineError(one_line(exc)) from None
        return exp.Table(this=exp.to_identifier(CUSTOMERS, quoted=True)).as_("k")

    def file_columns(self, file: str, fmt: str, delimiter: str | None) -> list[str]:
        """The column names of one file (partition columns not included)."""
        try:
            if fmt == "parquet":
                rel = self.con.read_parquet(file, hive_partitioning=False)
            elif fmt == "jsonl":
                rel = self.con.read_json(file, format="newline_delimited")
            else:
                rel = self.con.read_csv(file, sep=delimiter or ("\t" if fmt == "tsv" else ","), header=True)
            return list(rel.columns)
        except self._duckdb.Error as exc:
            raise EngineError(f"{file}: {one_line(exc)}", _not_text(exc)) from None

    def columns(self, sql: str) -> list[tuple[str, str]]:
        try:
            rel = self.con.sql(sql)
            return [(name, str(t)) for name, t in zip(rel.columns, rel.types)]
        except self._duckdb.Error as exc:
            raise EngineError(one_line(exc)) from None

    def fetch(self, sql: str) -> tuple[list[str], list[tuple]]:
        try:
            cur = self.con.execute(sql)
            return [d[0] for d in cur.description], cur.fetchall()
        except self._duckdb.Error as exc:
            raise EngineError(one_line(exc)) from None

    def arrays(self, sql: str) -> dict:
        try:
            return dict(self.con.execute(sql).fetchnumpy())
        except self._duckdb.Error as exc:
            raise EngineError(one_line(exc)) from None

    def close(self) -> None:
        """Close the connection (DuckDB deletes its spilled files); the
        last engine open removes the spill folder."""
        self.con.close()
        _close_spill(self)


def _open_spill(engine: DuckEngine) -> str:
    """Where DuckDB writes what does not fit in memory: this process's
    folder in the temporary folder, made by ``mkdtemp`` (a name no one can
    guess, that only this user can enter: another user cannot plant it
    beforehand and read the customer data spilled there)."""
    with _SPILL_LOCK:
        if not _SPILL:
            _SPILL.append(tempfile.mkdtemp(prefix="copis-duckdb-"))
        _OPEN.add(id(engine))
        return _SPILL[0]


def _close_spill(engine: DuckEngine) -> None:
    with _SPILL_LOCK:
        _OPEN.discard(id(engine))
        if _OPEN or not _SPILL:
            return
        try:
            os.rmdir(_SPILL.pop())
        except OSError:
            pass  # already gone


def _not_text(exc: Exception) -> bool:
    """DuckDB's CSV reader met bytes that are not UTF-8."""
    return "Invalid unicode" in str(exc)
