"""Data paths of §13: classification, ${NAME}, secrets masked everywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from copisdsl.locations import Unset, expand, locate, mask, mask_line, secret


def test_kinds_of_path():
    assert locate("orders.csv").engine == "pandas"
    assert (locate("parts/**/*.parquet").kind, locate("parts/**/*.parquet").engine) == ("glob", "duckdb")
    assert locate("duckdb:///shop.duckdb").path == "shop.duckdb"
    assert locate("duckdb:////srv/shop.duckdb").path == "/srv/shop.duckdb"
    assert locate("postgres://db/shop").engine == "postgres"
    assert locate("sc://spark:15002").engine == "spark"
    assert locate("s3://bucket/x").engine == "s3"  # refused by the caller


def test_environment_variables():
    assert expand("postgresql://${H}:${P}/shop", {"H": "db", "P": "5432"}) == "postgresql://db:5432/shop"
    with pytest.raises(Unset) as unset:
        expand("${A}/${B}", {"A": "x"})
    assert unset.value.name == "B"


def test_secrets_are_found_and_masked():
    assert secret("postgresql://ann:pw@db/shop") and secret("postgresql://db/shop?password=pw")
    assert not secret("postgresql://ann@db/shop") and not secret("orders.csv")
    assert mask("postgresql://ann:pw@db/shop") == "postgresql://ann:***@db/shop"
    assert mask("postgresql://db/shop?sslmode=require&password=pw") == \
        "postgresql://db/shop?sslmode=require&password=***"
    line = '  data o "postgresql://ann:secret@db/shop" { table "t" }'
    assert mask_line(line) == line.replace("secret", "******")


@given(st.text(alphabet=st.characters(blacklist_characters='@/:"?#&\n', blacklist_categories=("Cs", "Zs", "Cc")),
               min_size=3, max_size=20))
def test_no_password_survives_masking(password):
    url = f"postgresql://ann:{password}@db.example.com/shop"
    assert secret(url)
    assert mask(url) == "postgresql://ann:***@db.example.com/shop"
    assert mask_line(f'data o "{url}"') == f'data o "postgresql://ann:{"*" * len(password)}@db.example.com/shop"'


def test_the_secret_appears_in_no_output(tmp_path):
    journey = tmp_path / "j.copis"
    journey.write_text('journey j "J" {\n  data o "postgresql://ann:Zq7secret@127.0.0.1:9/shop" '
                       '{ table "orders" }\n  kpi t = sum(o.amount)\n}\n')
    for args in (["check", str(journey)], ["check", "--format", "json", str(journey)],
                 ["export", str(journey), "-o", str(tmp_path / "out.json")]):
        run = subprocess.run([str(Path(sys.executable).parent / "copis"), *args], capture_output=True, text=True)
        assert "E204" in run.stdout + run.stderr
        assert "Zq7secret" not in run.stdout + run.stderr
    for produced in tmp_path.iterdir():
        if produced != journey:
            assert "Zq7secret" not in produced.read_text(errors="replace")


@pytest.mark.parametrize("block, expected", [
    ('{ table "orders" }', []),
    ("", [("E204", 2, 3, "the database source '${SHOP_URL}' names no `table` or `query`")]),
    ('{ table "orders"; query "SELECT * FROM orders" }',
     [("E204", 2, 3, "a database source names exactly one of `table` and `query`, not both")]),
])
def test_a_url_held_whole_in_the_environment_is_a_url(tmp_path, block, expected):
    """Reference §13: ``${NAME}`` anywhere in a path or URL is the variable;
    ``"${SHOP_URL}"`` is a database URL once expanded, with its ``table``
    or ``query`` rules (never a traceback, nor "table is for URLs"); the
    variable's value is never shown."""
    import duckdb

    con = duckdb.connect(str(tmp_path / "shop.duckdb"))
    con.execute("CREATE TABLE orders AS SELECT 5.0 AS amount UNION ALL SELECT 7.0")
    con.close()
    journey = tmp_path / "j.copis"
    journey.write_text(f'journey j "J" {{\n  data o "${{SHOP_URL}}" {block}\n  kpi t = sum(o.amount)\n}}\n')
    env = {**os.environ, "SHOP_URL": "duckdb:///shop.duckdb"}
    run = subprocess.run([str(Path(sys.executable).parent / "copis"), "export", str(journey), "-o", "-"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "Traceback" not in run.stderr and "shop.duckdb" not in run.stdout + run.stderr
    out = json.loads(run.stdout) if run.returncode == 0 else None
    if not expected:
        assert out["kpis"][0]["value"] == 12.0 and out["diagnostics"] == []
        return
    assert run.returncode == 1
    check = subprocess.run([str(Path(sys.executable).parent / "copis"), "check", "--format", "json", str(journey)],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    found = json.loads(check.stdout)["diagnostics"]
    assert [(d["code"], d["line"], d["column"], d["message"]) for d in found] == expected


@pytest.mark.parametrize("path, deferred", [("data/${X}.csv", False), ("${X}", True), ("${ENGINE}://h/db", True)])
def test_only_a_variable_that_could_hold_the_scheme_waits_for_the_data(path, deferred):
    """``table`` on a path no expansion can make a URL (its scheme would
    start it) is E204 without reading the data (--no-data, the editor)."""
    from copisdsl.api import check

    found = check(f'journey j "J" {{\n  data d "{path}" {{ table "t" }}\n}}\n').diagnostics
    assert [d.code for d in found if d.code == "E204"] == ([] if deferred else ["E204"])
