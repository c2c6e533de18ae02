"""A database source's ``query`` (reference §13): one read-only query, or
E400 with the reason in one line, the same code as a query the engine
rejects; never a traceback, whatever the text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from copisdsl.data.engines.queries import QueryRefused, user_select


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("SELECT FROM WHERE'\"();,*=-/ abc123\n")), max_size=40))
def test_any_text_is_a_query_or_refused(text):
    try:
        user_select(text, "duckdb")
    except QueryRefused as exc:
        assert "\n" not in str(exc) and "sqlglot" not in str(exc) and "<class" not in str(exc)


@pytest.mark.parametrize("query", ["VALUES (1, 2)",
                                   "WITH a AS (SELECT 1 AS x) SELECT * FROM a", "FROM orders",
                                   "SELECT 1 UNION ALL SELECT 2"])
def test_read_only_queries_are_taken(query):
    assert user_select(query, "duckdb") is not None


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
@pytest.mark.parametrize("query", [
    "DELETE FROM orders", "COPY (SELECT 1) TO 'x.csv'", "CREATE TABLE t AS SELECT 1", "SELECT 1; SELECT 2",
    "ATTACH 'x.duckdb'", "INSTALL httpfs", "SET memory_limit = '1GB'", "PRAGMA version",
    # nested under a read: refused by what they hold, not by where they stand
    "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d",
    "SELECT * INTO copy_of_orders FROM orders", "VALUES ((SELECT 1)) UNION ALL SELECT * FROM (COPY t TO 'x')",
    "SELECT " + "(" * 3000 + "1" + ")" * 3000])
def test_writes_and_commands_are_refused_however_nested(query, dialect):
    with pytest.raises(QueryRefused):
        user_select(query, dialect)


def test_duckdb_s_pivot_statement_is_a_read_on_duckdb_only():
    assert user_select("PIVOT orders ON customer_id USING sum(amount)", "duckdb") is not None
    for dialect in ("postgres", "spark"):  # their SQL has no such statement: it would reach them mangled
        with pytest.raises(QueryRefused):
            user_select("PIVOT orders ON customer_id USING sum(amount)", dialect)


@pytest.mark.parametrize("query", ["SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY c) FROM t",
                                   "SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END AS k FROM t WHERE b IN (1, 2)",
                                   "SELECT * FROM t JOIN u USING (id) WHERE t.d >= DATE '2024-01-01'",
                                   "SELECT a FROM t GROUP BY a HAVING COUNT(*) > 1 ORDER BY a LIMIT 5"])
@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_ordinary_reads_are_taken_on_every_engine(query, dialect):
    assert user_select(query, dialect) is not None


@pytest.mark.parametrize("query, reason", [
    ("SELECT * FROM orders WHERE", "the query is not valid SQL: line 1, column 26, near 'WHERE'"),
    ("SELECT 'abc", "the query is not valid SQL: a quote or comment is not closed"),
    ("DELETE FROM orders", "the query must be one SELECT (copis only reads)"),
    ("SELECT * FROM order_lines", "DuckDB: Catalog Error: Table with name order_lines does not exist!"),
])
def test_a_refused_query_is_e400_at_the_path_like_one_the_engine_rejects(tmp_path, query, reason):
    import duckdb

    con = duckdb.connect(str(tmp_path / "shop.duckdb"))
    con.execute("CREATE TABLE orders AS SELECT 5.0 AS amount")
    con.close()
    (tmp_path / "j.copis").write_text(
        f'journey j "J" {{\n  data d "duckdb:///shop.duckdb" {{ query "{query}" }}\n  kpi k = sum(d.amount)\n}}\n')
    run = subprocess.run([str(Path(sys.executable).parent / "copis"), "check", "--format", "json", "j.copis"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    (found,) = json.loads(run.stdout)["diagnostics"]
    assert (found["code"], found["line"], found["column"]) == ("E400", 2, 10)
    assert found["message"] == f"data 'd' (duckdb:///shop.duckdb): {reason}"
