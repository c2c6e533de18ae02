"""PostgreSQL through psycopg 3. Credentials come from libpq's own
environment (PGUSER, PGPASSWORD, PGPASSFILE, PGSERVICE), never from the
journey; every transaction is read-only."""

from __future__ import annotations

from copisdsl.data.engines.base import Engine, EngineError, customer_values, one_line

#: longest a single query may run on the server (milliseconds)
STATEMENT_TIMEOUT_MS = 600_000


def _placeholder(name: str) -> str:
    return f"%({name})s"


class PostgresEngine(Engine):
    name = "PostgreSQL"
    dialect = "postgres"

    def __init__(self, url: str, timeout: int) -> None:
        try:
            import psycopg
        except ImportError:
            raise EngineError("reading PostgreSQL needs psycopg, which is not installed; "
                              "install the extra: pip install 'copisdsl[postgres]'") from None
        self._psycopg = psycopg
        try:
            self.con = psycopg.connect(
                url, connect_timeout=timeout, application_name="copisdsl",
                options=f"-c default_transaction_read_only=on -c statement_timeout={STATEMENT_TIMEOUT_MS}")
            self.con.read_only = True  # SET TRANSACTION READ ONLY on each transaction
        except psycopg.Error as exc:
            raise EngineError(one_line(exc)) from None
        self._arrays: dict[str, list] = {}

    def customers(self, customers):
        """The customers as three array parameters, unnested by the query
        itself: a read-only transaction may not create even a temporary table."""
        from sqlglot import exp

        self._arrays = {"copis_c": [str(i) for i in customers.ids],
                        "copis_v": [float(v) for v in customer_values(customers)],
                        "copis_s": [int(s) for s in customers.segments]}
        arrays = [exp.cast(exp.Placeholder(this=name), kind) for name, kind in
                  (("copis_c", "TEXT[]"), ("copis_v", "DOUBLE PRECISION[]"), ("copis_s", "BIGINT[]"))]
        return exp.Unnest(expressions=arrays, alias=exp.TableAlias(
            this=exp.to_identifier("k"), columns=[exp.to_identifier(c) for c in ("c", "v", "s")]))

    def _run(self, sql: str):
        params = None
        if self._arrays and any(_placeholder(name) in sql for name in self._arrays):
            # Parameters make psycopg read '%' as a placeholder's start: the
            # query's own (a LIKE pattern, a modulo) are doubled first.
            sql = sql.replace("%", "%%")
            for name in self._arrays:
                sql = sql.replace("%" + _placeholder(name), _placeholder(name))
            params = self._arrays
        try:
            cur = self.con.execute(sql, params)
            return cur
        except self._psycopg.Error as exc:
            try:
                self.con.rollback()
            except self._psycopg.Error:
                pass
            raise EngineError(one_line(exc)) from None

    def columns(self, sql: str) -> list[tuple[str, str]]:
        cur = self._run(f"SELECT * FROM ({sql}) AS copis_schema LIMIT 0")
        return [(c.name, c.type_display) for c in cur.description]

    def fetch(self, sql: str) -> tuple[list[str], list[tuple]]:
        cur = self._run(sql)
        rows = cur.fetchall()
        return [c.name for c in cur.description], rows

    def close(self) -> None:
        try:
            self.con.close()
        except self._psycopg.Error:  # pragma: no cover - a broken connection
            pass
