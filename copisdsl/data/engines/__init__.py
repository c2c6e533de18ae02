"""Engines that hold data and aggregate it where it lives (reference §13).

``open_engine`` connects to the engine a ``Location`` names: DuckDB
(embedded) for globs, folders and ``duckdb:///`` files, PostgreSQL through
psycopg, Spark through Spark Connect. Every engine runs the queries of
``copisdsl.data.engines.queries`` (one SQLGlot tree, written in the
engine's dialect) and answers with aggregate rows only. Each engine's
driver is imported when a journey first needs it.
"""

from __future__ import annotations

from copisdsl.data.engines.base import Engine, EngineError

__all__ = ["Engine", "EngineError", "open_engine"]

#: seconds to wait for a connection (reference §13)
CONNECT_TIMEOUT = 15


def open_engine(engine: str, url: str | None, path: str | None) -> Engine:
    """A connected engine; raises ``EngineError`` with the reason in one line."""
    if engine == "duckdb":
        from copisdsl.data.engines.duck import DuckEngine

        return DuckEngine(path)
    if engine == "postgres":
        from copisdsl.data.engines.postgres import PostgresEngine

        return PostgresEngine(url, CONNECT_TIMEOUT)
    if engine == "spark":
        from copisdsl.data.engines.spark import SparkEngine

        return SparkEngine(url, CONNECT_TIMEOUT)
    raise EngineError(f"no engine reads '{engine}://' URLs")  # pragma: no cover - refused before
