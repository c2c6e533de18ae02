"""Data values that are not what they seem are diagnostics (issue 18):
bytes that are not text are E402, on the pandas path and on DuckDB's, and
never a traceback. Each command runs in its own process under a time limit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

TAIL = '  stage s "S" { touchpoint t "T" {} }\n}\n'


def journey(data: str, column: str = "channel") -> str:
    return (f'journey j "J" {{\n  data d {data}\n  kpi total = sum(d.amount)\n'
            f'  kpi web = count(d.id where {column} == "web")\n' + TAIL)


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([sys.executable, "-m", "copisdsl", *args], capture_output=True, text=True,
                              cwd=folder, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"copis {' '.join(args)} did not finish in 120 s")


def check(folder: Path, text: str) -> tuple[int, list[str], str]:
    (folder / "j.copis").write_text(text, encoding="utf-8")
    done = run(folder, "check", "j.copis")
    assert "Traceback" not in done.stderr + done.stdout, done.stderr[-2000:]
    heads = [line.split(": ", 1)[1] for line in done.stdout.splitlines() if line.startswith("j.copis:")]
    return done.returncode, [h for h in heads if not h.startswith("W300")], done.stdout


def binary_parquet(path: Path) -> None:
    pq.write_table(pa.table({"id": [1, 2], "amount": pa.array([b"\xff", b"12"], pa.binary()),
                             "channel": pa.array([b"web", b"\xffweb"], pa.binary())}), path)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_binary_parquet_column_is_e402_as_a_number_and_as_text(tmp_path, engine):
    binary_parquet(tmp_path / "b.parquet")
    path = '"b.parquet"' if engine == "pandas" else '"b*.parquet"'  # a glob: DuckDB reads it
    code, heads, out = check(tmp_path, journey(path))
    assert code == 1
    assert heads == [
        "E402 error: column 'amount' of data 'd' holds bytes that are not text (row 1)",
        "E402 error: column 'channel' of data 'd' holds bytes that are not text (row 2)",
    ] if engine == "pandas" else [
        "E402 error: column 'amount' of data 'd' must hold numbers, but DuckDB says it holds bytes",
        "E402 error: column 'channel' of data 'd' holds bytes, but is compared with the text \"web\"",
    ], out


def test_a_binary_column_of_utf8_bytes_is_text(tmp_path):
    pq.write_table(pa.table({"id": [1, 2], "amount": pa.array([b"5", b"12"], pa.binary()),
                             "channel": pa.array([b"web", "caf\u00e9".encode()], pa.binary())}),
                   tmp_path / "b.parquet")
    (tmp_path / "j.copis").write_text(journey('"b.parquet"'), encoding="utf-8")
    done = run(tmp_path, "export", "j.copis")
    assert done.returncode == 0, done.stderr
    import json

    assert {k["name"]: k["value"] for k in json.loads(done.stdout)["kpis"]} == {"total": 17, "web": 1}


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_utf8_csv_with_a_bad_byte_is_e402(tmp_path, engine):
    (tmp_path / "d.csv").write_bytes("id,amount,channel\n1,5,caf\u00e9\n2,7,w\xffeb\n".encode("utf-8")
                                     .replace("\u00ff".encode(), b"\xff"))
    code, heads, out = check(tmp_path, journey('"d.csv"' if engine == "pandas" else '"d*.csv"'))
    assert code == 1 and len(heads) == 1, out
    if engine == "pandas":
        assert heads == ["E402 error: column 'channel' of data 'd' holds bytes that are not text (row 2)"]
    else:
        assert heads[0].startswith("E402 error: data 'd' (d*.csv) holds bytes that are not text: DuckDB: ")


def test_windows_1252_stays_windows_1252_but_its_undefined_bytes_are_e402(tmp_path):
    (tmp_path / "d.csv").write_bytes(b"id,amount,channel\n1,5,M\xfcller\n2,7,web\n")
    (tmp_path / "j.copis").write_text(journey('"d.csv"'), encoding="utf-8")
    done = run(tmp_path, "export", "j.copis")
    assert done.returncode == 0, done.stderr  # documented: a file that is not UTF-8 is Windows-1252
    (tmp_path / "d.csv").write_bytes(b"id,amount,channel\n1,5,M\xfcller\n2,7,w\x81eb\n")  # 0x81: undefined
    code, heads, out = check(tmp_path, journey('"d.csv"'))
    assert code == 1 and heads == ["E402 error: column 'channel' of data 'd' holds bytes that are not text "
                                   "(row 2)"], out


def test_an_empty_column_is_w403_not_a_silent_null(tmp_path):
    (tmp_path / "d.csv").write_text("id,customer_id,date,amount,channel\n1,c1,2026-01-01,,web\n"
                                    "2,c2,2026-01-02,,store\n", encoding="utf-8")
    text = ('journey j "J" {\n  data d "d.csv" { kind transactions }\n  kpi total = sum(d.amount)\n'
            '  kpi web = mean(d.amount where channel == "web")\n  kpi rev = revenue(d)\n'
            '  kpi n = count(d.amount)\n' + TAIL)
    code, heads, out = check(tmp_path, text)
    assert code == 0 and heads == [
        "W403 warning: none of the 2 rows of data 'd' has a customer, a date and an amount; the KPIs that "
        "use its orders have no value",
        "W403 warning: column 'amount' of data 'd' has no value in any of the 2 rows; the KPI has no value",
        "W403 warning: column 'amount' of data 'd' has no value in any of the 1 selected rows (of 2); "
        "the KPI has no value",
    ], out
    assert run(tmp_path, "check", "--strict", "j.copis").returncode == 1


def test_an_empty_column_on_duckdb_is_w403(tmp_path):
    import duckdb

    with duckdb.connect(str(tmp_path / "d.duckdb")) as con:
        con.execute("CREATE TABLE t (id INTEGER, amount DOUBLE, channel VARCHAR)")
        con.execute("INSERT INTO t VALUES (1, NULL, 'web'), (2, NULL, 'store')")
    code, heads, out = check(tmp_path, journey('"duckdb:///d.duckdb" { table "t" }'))
    assert code == 0 and heads == [
        "W403 warning: column 'amount' of data 'd' has no value in any of the 2 rows; the KPI has no value"], out


def test_excel_formulas_without_saved_values_are_e402(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "amount", "channel"])
    sheet.append([1, 5, "web"])
    sheet.append([2, "=B2*2", "web"])  # as a script writes it: never calculated, no saved value
    book.save(tmp_path / "d.xlsx")
    code, heads, out = check(tmp_path, journey('"d.xlsx"'))
    assert code == 1 and heads == [
        "E402 error: column 'amount' of data 'd' holds formulas without a saved value (row 2)"], out
    assert "open it in Excel or LibreOffice and save it" in out
    sheet["B3"] = None  # an empty cell, not a formula: the sum is of the values there are
    book.save(tmp_path / "d.xlsx")
    done = run(tmp_path, "export", "j.copis")
    import json

    assert {k["name"]: k["value"] for k in json.loads(done.stdout)["kpis"]} == {"total": 5, "web": 2}
