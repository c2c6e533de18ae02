"""Spark through Spark Connect (``sc://HOST:PORT``): the queries run on
the cluster, and only their aggregate rows come back."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from copisdsl.data.engines.base import Engine, EngineError, customer_values, one_line

#: the CLV layer's customers, for an event log's value at stake (a session view)
CUSTOMERS = "copis_customers"


class SparkEngine(Engine):
    name = "Spark"
    dialect = "spark"

    def __init__(self, url: str, timeout: int) -> None:
        parts = urlsplit(url)
        host, port = parts.hostname or "localhost", parts.port or 15002
        # Spark Connect's client retries for minutes: see first that the
        # server answers at all, within the timeout.
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except OSError as exc:
            raise EngineError(f"cannot connect to {host}:{port}: {exc.strerror or exc}") from None
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise EngineError("reading Spark needs pyspark, which is not installed; "
                              "install the extra: pip install 'copisdsl[spark]'") from None
        try:
            self.spark = SparkSession.builder.remote(url).getOrCreate()
        except Exception as exc:  # noqa: BLE001 - the client's own error is the reason shown
            raise EngineError(one_line(exc)) from None

    def _frame(self, sql: str):
        try:
            return self.spark.sql(sql)
        except Exception as exc:  # noqa: BLE001
            raise EngineError(one_line(exc)) from None

    def columns(self, sql: str) -> list[tuple[str, str]]:
        try:
            schema = self._frame(sql).schema
        except EngineError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise EngineError(one_line(exc)) from None
        return [(f.name, f.dataType.typeName()) for f in schema.fields]

    def fetch(self, sql: str) -> tuple[list[str], list[tuple]]:
        frame = self._frame(sql)
        try:
            rows = frame.collect()
        except Exception as exc:  # noqa: BLE001
            raise EngineError(one_line(exc)) from None
        return list(frame.columns), [tuple(r) for r in rows]

    def customers(self, customers):
        import pandas as pd
        from sqlglot import exp

        frame = pd.DataFrame({"c": pd.Series(customers.ids, dtype=object), "v": customer_values(customers),
                              "s": customers.segments})
        try:
            # A temporary view of this session: nothing is written on the cluster.
            self.spark.createDataFrame(frame, schema="c string, v double, s bigint") \
                .createOrReplaceTempView(CUSTOMERS)
        except Exception as exc:  # noqa: BLE001
            raise EngineError(one_line(exc)) from None
        return exp.Table(this=exp.to_identifier(CUSTOMERS)).as_("k")

    def close(self) -> None:
        try:
            self.spark.stop()  # releases this client's session, not the server
        except Exception:  # noqa: BLE001 - a server already gone
            pass
