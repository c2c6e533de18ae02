"""The data side of ``enrich``: every linked file, loaded once, with the
column aggregates and transaction functions the KPI evaluator asks for.

Loading is planned first: the columns each file needs are collected from
every KPI expression (columns and ``where`` filters), the transaction
mapping of ``kind transactions`` files and the ``until`` date column, so
that each file is read once and only those columns are loaded.

A source is read by an engine (globs, folders, database URLs, event logs,
a Parquet file DuckDB reads as pandas does, and the rows pyarrow read from
one CSV, TSV or JSON Lines file of ``DUCKDB_MIN_ROWS`` rows or more, when
DuckDB sees them as pandas does) or by pandas (any other single file). The pandas path's modules (``loading``, ``table``, ``filters``,
``transactions``) are imported by its own methods: a journey whose data
the engines read never imports pandas.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from copisdsl.syntax import nodes as n
from copisdsl.language import FUNCTIONS
from copisdsl.syntax.nodes import conditions, walk
from copisdsl.data.kpis import NoValue
from copisdsl.data.problems import Problem, empty_column, no_orders, outside_scale, segment_customer
from copisdsl.data.engines.base import EngineError
from copisdsl.locations import Unset, file_format, locate, mask, one_file, options_problem, scheme_unknown
from copisdsl.diagnostics import Diagnostic, error, warning
from copisdsl.data.figures import ClvFigures
from copisdsl.semantic.model import Data, Model
from copisdsl.source import Span

if TYPE_CHECKING:
    from copisdsl.data.engines.table import EngineTable
    from copisdsl.data.table import Table
    from copisdsl.data.transactions import Transactions
    from copisdsl.data.portfolio import CustomerValues
    from copisdsl.data.segments import Customers, Members, Segmentation

_AGGREGATES = {
    "sum": np.sum, "mean": np.mean, "median": np.median, "min": np.min, "max": np.max,
}
#: the column aggregates that read their column as numbers (count reads any value)
_NUMERIC = frozenset(_AGGREGATES) | {"nps", "csat"}
#: The rows from which DuckDB, not pandas, computes the figures of one CSV,
#: TSV or JSON Lines file (``_rows_by_duckdb``). Below them pandas is done
#: sooner than DuckDB starts (its import and SQLGlot's, a connection, a
#: query per figure): `copis check` of examples/petfood (three files, 5,500
#: rows) took 0.60-0.74 s through DuckDB, 0.55-0.66 s through pandas; at
#: 100,000 rows DuckDB is ahead (0.60-0.65 s against 0.63-0.69 s), at
#: 1,000,000 by a fifth of the time and of the memory.
DUCKDB_MIN_ROWS = 50_000
#: DuckDB's integer types: as text, their decimal digits (customer IDs, reference §14)
_INTEGERS = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                       "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"})


class TableSource:
    """Loads a journey's data files and answers the evaluator's questions."""

    def __init__(self, model: Model, base_dir: Path, root: Path) -> None:
        self.model = model
        self.base_dir = Path(base_dir)
        self.root = Path(root)
        self.diagnostics: list[Diagnostic] = []
        self.tables: dict[str, Table | None] = {}
        self._inputs: list[str] = []
        self._tx: dict[str, Transactions | None] = {}
        self._values: dict[str, CustomerValues | None] = {}
        self._notes: dict[str, str] = {}
        self.engines: dict[str, EngineTable] = {}  # sources an engine reads (reference §13)
        self._customers: Customers | None | bool = False  # False: not computed yet
        self._segmentation: Segmentation | None | bool = False
        self._segment_rows: dict[tuple[str, int], np.ndarray] = {}  # (data id, segment position) -> rows
        self._customer_texts: dict[str, np.ndarray] = {}  # data id -> its customer IDs as text
        wanted = self._plan()
        for data in model.data.values():
            self.tables[data.id] = self._load(data, wanted[data.id])

    # ------------------------------------------------------------ planning
    def _plan(self) -> dict[str, set[str]]:
        wanted: dict[str, set[str]] = {d: set() for d in self.model.data}
        #: files whose rows a KPI by segment restricts to a segment's customers (§12.1)
        self.segmented: set[str] = set()
        #: whether a KPI asks for a reorder interval (which reads the orders per day again)
        self.reorders = any(isinstance(node, n.Call) and node.func.name == "reorder_interval"
                            for kpi in self.model.kpis for node in walk(kpi.expr))
        for data in self.model.data.values():
            if data.is_transactions:
                wanted[data.id] |= {data.customer, data.date, data.amount}
            if data.is_events:
                wanted[data.id] |= {data.customer, data.touchpoint, data.date}
            if data.until is not None:
                wanted[data.id].add(data.date)
        for kpi in self.model.kpis:
            for node in walk(kpi.expr):
                if isinstance(node, n.Column) and node.data.name in wanted:
                    wanted[node.data.name] |= _named_columns(node).keys()
        if any(kpi.by_segment for kpi in self.model.kpis):
            # Any column reference may be reached from a KPI by segment (through
            # the KPIs it names): each file keeps its customer column, as text.
            for kpi in self.model.kpis:
                for node in walk(kpi.expr):
                    if isinstance(node, n.Column) and node.data.name in wanted:
                        self.segmented.add(node.data.name)
                        wanted[node.data.name].add(self.model.data[node.data.name].customer)
        return wanted

    def inputs(self) -> list[str]:
        """Absolute paths of the linked files inside the root, in declaration
        order (missing ones too, so that a watcher notices when they appear)."""
        return list(dict.fromkeys(self._inputs))

    # ------------------------------------------------------------ loading
    def _e400(self, data: Data, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(error("E400", message, data.node.path.span, hint))

    def _load(self, data: Data, wanted: set[str]) -> Table | None:
        if data.unusable:  # E204 says why
            return None
        try:
            where = locate(data.path)
        except Unset as unset:
            self._e400(data, f"data path '{mask(data.path)}' uses the environment variable {unset.name}, "
                       "which is not set", f"set {unset.name} before running copis, or write the path out")
            return None
        # A path its variables make a URL, or not, is told apart only now (the resolve could not).
        problem = options_problem(where.url or where.path or "", data.path, "table" in data.option_spans,
                                  "query" in data.option_spans) if scheme_unknown(data.path) else None
        if problem is not None:
            where_, message, hint = problem
            self.diagnostics.append(error("E204", message, data.problem_span(where_), hint))
            return None
        full = one_file(where, self.base_dir)
        if full is None:
            self._connect(data, where, wanted)
            return None
        try:
            resolved = full.resolve()
            root = self.root.resolve()
        except (OSError, RuntimeError) as exc:
            self._e400(data, f"data file '{data.path}' cannot be resolved: {exc}")
            return None
        if not resolved.is_relative_to(root):
            self._e400(data, f"data file '{data.path}' is outside the journey's folder",
                       "data files must be inside the journey's folder (or the folder given with --root)")
            return None
        self._inputs.append(str(resolved))
        try:
            found = resolved.stat()
        except FileNotFoundError:
            self._e400(data, f"data file '{data.path}' not found", _missing_hint(data.path, resolved))
            return None
        except OSError as exc:
            self._e400(data, f"data file '{data.path}' cannot be read: {exc.strerror or exc}")
            return None
        if stat.S_ISDIR(found.st_mode):
            self._e400(data, f"data path '{data.path}' is a folder, not a file")
            return None
        if not stat.S_ISREG(found.st_mode):  # a pipe or a device would block or never end
            self._e400(data, f"data path '{data.path}' is not a regular file")
            return None
        if data.is_events:
            # An event log stays in DuckDB, however large (reference §12.2).
            if file_format(resolved)[0] == "excel":
                self._e400(data, f"data file '{data.path}': an event log is read as CSV, TSV, Parquet "
                           "or JSON Lines", "save the sheet as CSV")
                return None
            self._inputs.pop()  # connect lists it again
            self._connect(data, where, wanted)
            return None
        if file_format(resolved)[0] == "parquet" and self._parquet_by_duckdb(data, where, wanted):
            return None
        return self._read_file(data, where, resolved, wanted)

    def _read_file(self, data: Data, where, resolved: Path, wanted: set[str]) -> Table | None:
        """One local file, read by pyarrow or pandas (``loading``); the rows
        pyarrow read are DuckDB's when it sees them as pandas would
        (``_rows_by_duckdb``), else pandas' (None then)."""
        from copisdsl.data import loading

        try:
            keep_text = keep_customer_text(data, self.segmented)
            loaded = loading.read(resolved, wanted, delimiter=data.delimiter, sheet=data.sheet,
                                  text=frozenset({data.customer}) if keep_text else frozenset())
            if loaded.arrow is not None and self._rows_by_duckdb(data, where, loaded, wanted):
                return None
            frame = loaded.frame
        except loading.LoadError as exc:
            self._e400(data, f"data file '{data.path}': {exc.message}", exc.hint)
            return None
        from copisdsl.data.table import Table  # pandas: imported only for rows DuckDB does not take

        table = Table(data, frame, loaded.columns, loaded.hint, loaded.undecodable, loaded.uncached)
        if data.until is not None and not self._until(data, table):
            return None
        if table.rows == 0:
            what = "has no rows" if table.rows_read == 0 else f"has no rows on or before {data.until}"
            self.diagnostics.append(warning(
                "W403", f"data file '{data.path}' {what}; the KPIs that use it have no value",
                data.node.path.span, "a data file needs a header line and at least one row"
                if table.rows_read == 0 else "check the `until` date"))
        return table

    def _connect(self, data: Data, where, wanted: set[str]) -> None:
        """A glob, folder or database URL (or an event log): read by an engine."""
        from copisdsl.data.engines.connect import connect

        opened = connect(data, where, self.base_dir, self.root, wanted)
        self.diagnostics += opened.diagnostics
        self._inputs += opened.inputs
        if opened.table is not None:
            self._adopt(data, where, opened.table)

    def _parquet_by_duckdb(self, data: Data, where, wanted: set[str]) -> bool:
        """Whether DuckDB reads one local Parquet file (it streams it, whatever
        its size): when it reads the used columns as pandas does
        (``_duckdb_reads_as_pandas``). Not then, nor when it cannot read the
        file at all: pandas reads it, with its lenient conversions and its
        own messages."""
        from copisdsl.data.engines.connect import connect

        table = connect(data, where, self.base_dir, self.root, wanted).table  # its input is listed already
        return table is not None and self._adopt_if_native(data, where, table, wanted)

    def _rows_by_duckdb(self, data: Data, where, loaded, wanted: set[str]) -> bool:
        """Whether DuckDB computes the figures of the rows pyarrow read from
        one CSV, TSV or JSON Lines file, scanning the Arrow table as it is
        (pandas is then not imported for it): when the file has
        ``DUCKDB_MIN_ROWS`` rows or more and every column used (pandas says
        what is wrong otherwise, as ever), and DuckDB sees the used columns
        as pandas would (``_duckdb_reads_as_pandas``)."""
        rows = loaded.arrow
        if rows.num_rows < max(DUCKDB_MIN_ROWS, 1) or not wanted <= set(loaded.columns):
            return False  # before DuckDB's and SQLGlot's imports, 0.2 s of a small check
        import pyarrow as pa

        if _pandas_reads_otherwise(rows):
            return False

        from copisdsl.data.engines import queries as q
        from copisdsl.data.engines.duck import ROW_NUMBER, VIEW, DuckEngine
        from copisdsl.data.engines.table import EngineTable

        numbered = ROW_NUMBER not in rows.column_names  # (else its E402s count rows, as a glob's do)
        if numbered:
            # From the buffer: pa.array of a numpy array imports pandas.
            numbers = pa.py_buffer(np.arange(1, rows.num_rows + 1, dtype=np.int64))
            rows = rows.append_column(ROW_NUMBER, pa.Array.from_buffers(pa.int64(), rows.num_rows, [None, numbers]))
        try:
            engine = DuckEngine()
        except EngineError:
            return False  # (a memory limit DuckDB refuses, say): pandas reads the file
        try:
            engine.register_rows(VIEW, rows)
            table = EngineTable(data, engine, q.relation(None, None, VIEW, engine.dialect),
                                row_number=ROW_NUMBER if numbered else None)
        except EngineError:
            engine.close()
            return False
        table.in_files = True
        return self._adopt_if_native(data, where, table, wanted)

    def _adopt_if_native(self, data: Data, where, table: EngineTable, wanted: set[str]) -> bool:
        """Adopt the engine's ``table`` of one local file when DuckDB reads its
        used columns as pandas does (``_duckdb_reads_as_pandas``); else close it."""
        try:
            native = _duckdb_reads_as_pandas(table, data, wanted, self.model, data.id in self.segmented)
        except EngineError:
            native = False
        if not native:
            table.engine.close()
            return False
        self._adopt(data, where, table, one_file=True)
        return True

    def _adopt(self, data: Data, where, table: EngineTable, one_file: bool = False) -> None:
        """Keep the engine's table of ``data``: its ``until`` checked, W403
        for no rows (worded as pandas words it for ``one_file``, a single
        local file), E400 when the engine fails."""
        self.engines[data.id] = table
        table.days_reread = self.reorders
        try:
            if not table.check_until():
                self.diagnostics += table.diagnostics
                table.diagnostics.clear()
                return
            if table.rows == 0:
                what = "has no rows" if data.until is None else f"has no rows on or before {data.until}"
                source = f"data file '{data.path}'" if one_file else f"data '{data.id}' ({where.shown()})"
                self.diagnostics.append(warning(
                    "W403", f"{source} {what}; the KPIs that use it have no value",
                    data.node.path.span, "check the `until` date" if data.until else None))
        except EngineError as exc:
            self._e400(data, f"data '{data.id}' ({where.shown()}): {table.engine.name}: {exc.reason}")
            del self.engines[data.id]
            table.engine.close()

    def event_figures(self) -> tuple[dict | None, list | None]:
        """Reach and flow volumes from the journey's event log (§12.2);
        (None, None) without one, or when it cannot be read."""
        log = self.model.events
        if log is None or log.id not in self.engines:
            return None, None
        from copisdsl.data.events import event_figures

        customers = self.customers()
        try:
            found = self._engine_call(log.id, lambda t: event_figures(self.model, t, customers))
        except NoValue:
            return None, None
        self.diagnostics += found.diagnostics
        return found.reach, found.flow_volumes

    def close(self) -> None:
        """Release the engines' connections."""
        for table in self.engines.values():
            table.engine.close()

    def _engine_call(self, data_id: str, call):
        """Run ``call(table)`` on an engine's table; its problems become
        diagnostics, its failure an E400, either way no value."""
        table = self.engines[data_id]
        try:
            return call(table)
        except Problem as p:
            self.diagnostics.append(p.diag)
            raise NoValue(p.diag.message) from None
        except EngineError as exc:
            data = self.model.data[data_id]
            self._e400(data, f"data '{data_id}' ({mask(data.path)}): {table.engine.name} rejected a query: "
                       f"{exc.reason}")
            raise NoValue(exc.reason) from None
        finally:
            self.diagnostics += table.diagnostics
            table.diagnostics.clear()

    def _until(self, data: Data, table: Table) -> bool:
        """Drop the rows after ``until`` (by calendar day); False when the
        date column is missing or not dates."""
        span = data.option_spans.get("date", data.option_spans.get("until", data.node.head))
        try:
            days = table.days(data.date, span)
        except Problem as p:
            self.diagnostics.append(p.diag)
            return False
        limit = (np.datetime64(data.until, "D") - np.datetime64(0, "D")).astype(np.int64)
        table.keep((days != np.iinfo(np.int64).min) & (days <= limit))
        return True

    def table(self, data_id: str) -> Table:
        table = self.tables.get(data_id)
        if table is None:
            if data_id not in self.model.data:
                raise NoValue(f"unknown data source '{data_id}'")
            raise NoValue(f"data '{data_id}' could not be read")
        return table

    # ------------------------------------------------------------ aggregates
    def aggregate(self, func: str, column: n.Column, call: n.Call, within: Members | None = None) -> float:
        """A column aggregate; ``within`` a segment, of the rows of its
        customers only (a segment without such rows has no value, and no W403)."""
        self._lacking(column)
        if column.data.name in self.engines:
            if within is not None:
                return self._engine_call(column.data.name,
                                         lambda t: t.segment_aggregate(func, column, within))
            return self._engine_call(column.data.name, lambda t: t.aggregate(func, column))
        return self._file_aggregate(func, column, within)

    def _lacking(self, column: n.Column) -> None:
        """One E401 for each column a reference names (its own, then its
        filter's, each once) that its source lacks, and then no value:
        evaluating it would stop at the first."""
        table = self.engines.get(column.data.name)
        if table is None:
            table = self.tables.get(column.data.name)
        if table is None:
            return
        problems = [p for p in (table.lacks(name, span) for name, span in _named_columns(column).items())
                    if p is not None]
        if problems:
            self.diagnostics += [p.diag for p in problems]
            raise NoValue(problems[0].diag.message)

    def _file_aggregate(self, func: str, column: n.Column, within: Members | None) -> float:
        """``aggregate`` over a file pandas read."""
        from copisdsl.data import filters

        table = self.table(column.data.name)
        name = column.column.name
        try:
            selected = filters.mask(table, column.where) if column.where is not None else None
            if within is not None:
                mine = self._rows_of(table, column, within)
                selected = mine if selected is None else selected & mine
            rows = table.rows if selected is None else int(selected.sum())
            if rows == 0:
                if table.rows == 0:
                    raise NoValue(f"data '{table.data.id}' has no rows")
                if within is not None:
                    raise NoValue(f"no selected rows of data '{table.data.id}' belong to segment '{within.id}'")
                self.diagnostics.append(warning(
                    "W403", f"the filter selects none of the {table.rows} rows of data '{table.data.id}'; "
                    "the KPI has no value", column.where.span, filters.empty_hint(table, column.where)))
                raise NoValue("the filter selects no rows")
            if func == "count":
                series = table.require(name, column.column.span)
                present = series.notna().to_numpy()
                return float(present.sum() if selected is None else (present & selected).sum())
            use = {"nps": "scores from 0 to 10", "csat": "answers from 1 to 5"}.get(func, "numbers")
            values = table.numeric(name, column.column.span, use)
            if selected is not None:
                values = values[selected]
            values = values[~np.isnan(values)]
            if not len(values):
                self.diagnostics.append(empty_column(table.data.id, name, rows, table.rows, column.column.span))
                raise NoValue(f"column '{name}' has no values in the selected rows")
            if func in ("nps", "csat"):
                return self._scores(func, table, name, column, values, selected)
            return float(_AGGREGATES[func](values))
        except Problem as p:
            self.diagnostics.append(p.diag)
            raise NoValue(p.diag.message) from None

    def _rows_of(self, table: Table, column: n.Column, within: Members) -> np.ndarray:
        """The rows of ``table`` whose customer is in the segment; E401 at
        the column reference when the file has no customer column."""
        from copisdsl.data.transactions import customer_text

        customers = segment_customer(table.data, table.require, column)
        key = (table.data.id, within.position)
        if key not in self._segment_rows:
            if table.data.id not in self._customer_texts:
                self._customer_texts[table.data.id] = customer_text(customers).to_numpy(dtype=object)
            self._segment_rows[key] = np.asarray(within.holds(self._customer_texts[table.data.id]), dtype=bool)
        return self._segment_rows[key]

    def customers(self) -> Customers | None:
        """The journey's customers with their CLV and segment, from its
        first transactions file, computed once (None when it has none or
        they cannot be read)."""
        from copisdsl.data.portfolio import assign_segments
        from copisdsl.data.segments import Customers

        if self._customers is False:
            first = self.model.transactions
            tx = self.transactions_of(first.id) if first is not None and self._readable(first.id) else None
            values = self.customer_values(first.id) if tx is not None else None
            self._customers = None if values is None else Customers(
                ids=tx.ids, clv=values.clv, segments=assign_segments(self.model, values),
                has_clv=not np.all(np.isnan(values.clv)))
        return self._customers

    def segmentation(self) -> Segmentation | None:
        """Each customer's segment (None without customers)."""
        from copisdsl.data.segments import Segmentation

        if self._segmentation is False:
            customers = self.customers()
            self._segmentation = None if customers is None else Segmentation(self.model, customers)
        return self._segmentation

    def _readable(self, data_id: str) -> bool:
        return data_id in self.engines or self.tables.get(data_id) is not None

    def _scores(self, func, table: Table, name: str, column: n.Column, values, selected) -> float:
        low, high = (0, 10) if func == "nps" else (1, 5)
        outside = (values < low) | (values > high)
        if outside.any():
            all_values = table.numeric(name, column.column.span)
            rows = np.flatnonzero(selected) if selected is not None else np.arange(table.rows)
            rows = rows[~np.isnan(all_values[rows])]
            pos = int(rows[np.argmax(outside)])
            raise outside_scale(func, table.data.id, name, all_values[pos], column.column.span,
                                row=table.row_number(pos))
        if func == "nps":
            return float(100.0 * (np.mean(values >= 9) - np.mean(values <= 6)))
        return float(np.mean(values >= 4))

    # ------------------------------------------------------------ transactions
    def transactions_of(self, data_id: str) -> Transactions | None:
        """The transactions of a ``kind transactions`` file (None when it
        could not be read; its diagnostic is already reported)."""
        if data_id not in self._tx:
            data = self.model.data.get(data_id)
            table = self.tables.get(data_id)
            tx = None
            if data is not None and data.is_transactions and data_id in self.engines:
                try:
                    tx = self._engine_call(data_id, lambda t: t.summary())
                except NoValue:
                    tx = None
            elif data is not None and data.is_transactions and table is not None:
                from copisdsl.data.transactions import Transactions

                try:
                    tx = Transactions(data, table)
                except Problem as p:
                    self.diagnostics.append(p.diag)
            if tx is not None and tx.set_aside:
                self.diagnostics.append(_w405(data, tx))
            if tx is not None and tx.orders == 0 and not tx.set_aside:
                rows = self.engines[data_id].rows if data_id in self.engines else table.rows
                if rows:
                    self.diagnostics.append(no_orders(data_id, rows, data.node.head))
            self._tx[data_id] = tx
        return self._tx[data_id]

    def transactions(self, func: str, data_id: str, window: n.Literal | None, call: n.Call,
                     within: Members | None = None) -> float:
        """A transaction function; ``within`` a segment, over its customers
        only (the end of observation stays the file's)."""
        data = self.model.data.get(data_id)
        if data is None:
            raise NoValue(f"unknown data source '{data_id}'")
        if not data.is_transactions:
            raise NoValue(f"data '{data_id}' is not `kind transactions`")  # E404, reported statically
        if data_id not in self.engines:
            self.table(data_id)
        tx = self.transactions_of(data_id)
        if tx is None:
            raise NoValue(f"the transactions of data '{data_id}' could not be read")
        keep = None
        if within is not None:
            keep = np.asarray(within.holds(tx.ids), dtype=bool)
            if data_id in self.engines:
                table = self.engines[data_id]
                tx = tx.only(keep, lambda: table.segment_reorder_interval(within))
            else:
                tx = tx.only(keep)
            if tx.orders == 0:
                raise NoValue(f"segment '{within.id}' has no orders in data '{data_id}'")
        # Rows that are all refunds (W405) are 0 orders of 0 customers and a net revenue.
        if tx.orders == 0 and not (tx.set_aside and func in ("revenue", "orders", "customers")):
            raise NoValue(f"data '{data_id}' has no orders")
        if func == "clv":
            values = self.customer_values(data_id)
            if values is None or np.all(np.isnan(values.clv)):
                raise NoValue(values.note if values is not None and values.note
                              else self._notes.get(data_id, "no CLV"))
            # A segment's customers keep the CLV of the model fitted on the whole file.
            clv = values.clv if keep is None else values.clv[keep]
            if np.all(np.isnan(clv)):
                raise NoValue("no CLV")
            return float(np.nanmean(clv))
        if func in ("churn_rate", "retention_rate"):
            amount, unit = window.value if window is not None else (180, "d")
            churn = tx.churn_rate(amount, unit)
            result = churn if func == "churn_rate" or churn is None else 1.0 - churn
        elif func == "reorder_interval" and data_id in self.engines:
            result = self._engine_call(data_id, lambda t: tx.reorder_interval())
        else:
            result = {
                "revenue": tx.revenue, "customers": lambda: float(tx.customers),
                "orders": lambda: float(tx.orders), "aov": tx.aov, "repeat_rate": tx.repeat_rate,
                "purchase_frequency": tx.purchase_frequency, "reorder_interval": tx.reorder_interval,
            }[func]()
        if result is None:
            raise NoValue({"purchase_frequency": "the orders span no time (division by zero)",
                           "reorder_interval": "no customer ordered on two different days"}.get(func, "no value"))
        return float(result)

    # ------------------------------------------------------------ CLV
    def customer_values(self, data_id: str) -> CustomerValues | None:
        # Imported here: the CLV models need scipy, which journeys without
        # transactions never load.
        from copisdsl.data.portfolio import customer_values

        if data_id not in self._values:
            tx = self.transactions_of(data_id)
            values = None
            if tx is not None and tx.orders:
                try:
                    values = customer_values(tx, self.model.clv)
                except (ValueError, RuntimeError, ArithmeticError) as exc:  # never a traceback
                    self._notes[data_id] = f"the CLV cannot be computed: {exc}"
            if values is not None:
                span = _clv_span(self.model)
                self.diagnostics += [warning("W406", message, span, hint) for message, hint in values.fit_notes]
            self._values[data_id] = values
        return self._values[data_id]

    def clv_figures(self) -> ClvFigures | None:
        """CLV and segments of the journey's first transactions file."""
        from copisdsl.data.portfolio import clv_figures

        first = self.model.transactions
        if first is None:
            return None
        customers = self.customers()
        values = self.customer_values(first.id)
        tx = self.transactions_of(first.id) if values is None and self._readable(first.id) else None
        # Without a single order the table is the rows that are none; when
        # the CLV failed (a note says why) there is no table.
        return clv_figures(self.model, values, customers.segments if customers is not None else None,
                           tx.without_orders if tx is not None and not tx.orders else None)


def keep_customer_text(data: Data, segmented: set[str]) -> bool:
    """Whether the customer column of ``data`` is read as text (transactions, or a file a KPI by segment reads)."""
    return data.is_transactions or data.id in segmented


def _pandas_reads_otherwise(rows) -> bool:
    """What pyarrow read that pandas, holding it as Python objects, treats
    unlike DuckDB: a true/false column with blank cells (pandas compares it
    as text with a filter's string)."""
    import pyarrow as pa

    return any(pa.types.is_boolean(rows.schema.field(i).type) and rows.column(i).null_count
               for i in range(rows.num_columns))


def _duckdb_reads_as_pandas(table: EngineTable, data: Data, wanted: set[str], model: Model,
                            segmented: bool) -> bool:
    """Whether DuckDB reads the used columns of ``table`` (one local file:
    Parquet, or the Arrow table pyarrow read from a CSV, TSV or JSON Lines
    file) as pandas does, for the same figures and diagnostics. It does when

    * each is a number, text, a date or true/false: pandas reads UTF-8
      bytes as text, and names the row of bytes, lists or structs it
      cannot use (E402);
    * the columns used as numbers are numbers, and those used as dates
      DATE or TIMESTAMP without a time zone (``_typed_columns``): pandas
      parses text numbers and dates, and takes a zoned time in its own zone;
    * a customer ID (of transactions, or of a file a KPI by segment reads)
      is text or an integer: as text an integer is its digits to both, a
      float or a true/false value is not;
    * no float column holds NaN (a value to SQL, a missing one to pandas),
      and no date falls outside the years pandas holds (E402 there);
    * transactions need no CLV holdout: it takes the orders themselves,
      which only pandas keeps (DuckDB gives one row per customer).
    """
    types, kinds = table.types, table.kinds
    used = wanted & kinds.keys()
    numbers, dates = (columns & kinds.keys() for columns in _typed_columns(model, data))
    customer = data.customer if (data.is_transactions or segmented) and data.customer in kinds else None
    if any(kinds[name] not in ("number", "text", "date", "bool") for name in used):
        return False
    if any(kinds[name] != "number" for name in numbers):
        return False
    if any(kinds[name] != "date" or "TIME ZONE" in types[name].upper() for name in dates):
        return False
    if customer is not None and kinds[customer] != "text" and types[customer].upper() not in _INTEGERS:
        return False
    if data.is_transactions and model.clv.model != "historic" and model.clv.holdout is not None:
        return False
    floats = sorted(name for name in used if types[name].upper() in ("FLOAT", "DOUBLE"))
    far = sorted(name for name in used if kinds[name] == "date" and types[name].upper() != "TIMESTAMP_NS")
    return not table.nan_or_far_date(floats, far)


def _named_columns(column: n.Column) -> dict[str, Span]:
    """The columns a reference names, each where it is first named: its
    own, then its filter's, in order."""
    named = {column.column.name: column.column.span}
    for comp in conditions(column.where) if column.where is not None else ():
        named.setdefault(comp.column.name, comp.column.span)
    return named


def _typed_columns(model: Model, data: Data) -> tuple[set[str], set[str]]:
    """The columns of ``data`` the journey reads as numbers and as dates:
    a transactions source's amount and date, the date of ``until``, the
    columns a KPI aggregates as numbers, and those a filter compares with
    a number (percent, duration) or a date."""
    numbers: set[str] = {data.amount} if data.is_transactions else set()
    dates: set[str] = {data.date} if data.is_transactions or data.until is not None else set()
    for kpi in model.kpis:
        for node in walk(kpi.expr):
            if isinstance(node, n.Call) and node.func.name in _NUMERIC and node.args \
                    and isinstance(node.args[0], n.Column) and node.args[0].data.name == data.id:
                numbers.add(node.args[0].column.name)
            if isinstance(node, n.Column) and node.data.name == data.id and node.where is not None:
                for comp in conditions(node.where):
                    if comp.value.kind in ("number", "percent", "duration"):
                        numbers.add(comp.column.name)
                    elif comp.value.kind == "date":
                        dates.add(comp.column.name)
    return numbers, dates


def _w405(data: Data, tx) -> Diagnostic:
    rows = tx.set_aside
    return warning(
        "W405", f"{rows} row{'s' if rows != 1 else ''} of data '{data.id}' with an amount of zero or less "
        f"{'are' if rows != 1 else 'is'} not {'orders' if rows != 1 else 'an order'}: left out of the order "
        "counts, aov, repeat and churn figures and the CLV models, counted in the net revenue",
        data.node.head, "refunds, adjustments and free orders are set aside this way; "
        f"`revenue({data.id})` is net of them")


def _clv_span(model: Model):
    """Where W406 points: the `clv { }` block, else the first `clv(...)` call."""
    if model.clv.node is not None:
        return model.clv.node.head
    for kpi in model.kpis:
        for node in walk(kpi.expr):
            if isinstance(node, n.Call) and node.func.name == "clv":
                return node.span
    return next(iter(model.data.values())).node.head


def _missing_hint(written: str, resolved: Path) -> str:
    """The closest file name in the folder the path points into, if any."""
    from copisdsl.hints import closest

    folder = resolved.parent
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError:  # missing or unreadable folder
        names = []
    if names:
        best = closest(resolved.name, names)
        if best is not None:
            prefix = written[: len(written) - len(Path(written).name)]
            return f"did you mean '{prefix}{best}'?"
    return "the path is relative to the journey's folder"




assert set(_AGGREGATES) | {"count", "nps", "csat"} == {k for k, v in FUNCTIONS.items() if v[0] == "column"}
