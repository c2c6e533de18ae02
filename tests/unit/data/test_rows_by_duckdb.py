"""One local CSV, TSV or JSON Lines file (issue 14): pyarrow reads it as
before, and DuckDB scans the Arrow table it made when it sees the used
columns as pandas does, with pandas' figures and diagnostics (row-numbered
E402s, W403's wording); otherwise pandas reads it, with its lenient
conversions. Real files, real pyarrow and DuckDB, and pandas forced for
the comparison by refusing every file at the gate."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from copisdsl.data import sources
from test_parquet_engine import ROOT, figures, pandas_reads_everything, read_by, same


@pytest.fixture(autouse=True)
def duckdb_from_one_row(monkeypatch):
    """DuckDB for the small files here (by default from DUCKDB_MIN_ROWS rows)."""
    monkeypatch.setattr(sources, "DUCKDB_MIN_ROWS", 1)

SURVEY_ROWS = [("purchase", 9, "a", "2024-01-03"), ("purchase", 3, "b", "2024-01-05"),
               ("use", 10, "a", "2024-02-01"), ("use", 7, "c", "2024-02-10"),
               ("purchase", 10, "d", "2024-03-01"), ("use", 6, "b", "2024-03-02")]
ORDERS = [("a", "2024-01-01", 20.5), ("a", "2024-02-01", 30.25), ("b", "2024-01-05", 10.0),
          ("c", "2024-01-07", 12.0), ("c", "2024-03-01", -12.0), ("d", "2024-02-02", 99.0)]
JOURNEY = """journey j "J" {{
  data orders "{orders}" {{ kind transactions }}
  data survey "{survey}"{until}
  segment repeat "Repeat" when orders >= 2
  segment rest "Rest"
  kpi n = nps(survey.score)
  kpi bought = nps(survey.score where stage == "purchase")
  kpi top = count(survey.score where score >= 9)
  kpi mean_by = mean(survey.score) by segment
  kpi rev = revenue(orders)
  kpi buyers = customers(orders)
  kpi repeat = repeat_rate(orders)
}}
"""


def write(folder: Path, name: str, header: tuple[str, ...], rows: list[tuple], fmt: str) -> str:
    path = folder / f"{name}.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(dict(zip(header, row))) + "\n" for row in rows), encoding="utf-8")
    else:
        sep = "\t" if fmt == "tsv" else ","
        path.write_text("\n".join(sep.join(str(v) for v in line) for line in [header, *rows]) + "\n",
                        encoding="utf-8")
    return path.name


def journey(folder: Path, fmt: str, survey_rows=SURVEY_ROWS, until: str = "") -> str:
    orders = write(folder, "orders", ("customer_id", "date", "amount"), ORDERS, fmt)
    survey = write(folder, "survey", ("stage", "score", "customer_id", "date"), survey_rows, fmt)
    return JOURNEY.format(orders=orders, survey=survey, until=until)


def values(folder: Path, text: str) -> tuple[list, list[str]]:
    model, found, diagnostics = figures(folder, text)
    kpis = [found.kpis[k.index] for k in model.kpis]
    return ([k.value for k in kpis] + [k.by_segment for k in kpis],
            [f"{d.code} {d.span.line}:{d.span.column} {d.message}" for d in diagnostics])


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_duckdb_scans_what_pyarrow_read_with_the_figures_pandas_gives(tmp_path, fmt, monkeypatch):
    text = journey(tmp_path, fmt)
    assert read_by(tmp_path, text, "survey") == read_by(tmp_path, text, "orders") == "duckdb"
    by_duckdb = values(tmp_path, text)
    pandas_reads_everything(monkeypatch)
    assert read_by(tmp_path, text, "survey") == read_by(tmp_path, text, "orders") == "pandas"
    by_pandas = values(tmp_path, text)
    assert by_pandas[0][:3] == [pytest.approx(100 * (3 - 2) / 6), pytest.approx(100 / 3), 3]  # the file's own figures
    assert [line.split()[0] for line in by_pandas[1]] == ["W405"]  # the refund
    same(by_duckdb[0], by_pandas[0])
    assert by_duckdb[1] == by_pandas[1]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("until,want", [("", ["n: row 2", "bought: row 2"]),
                                        (" { until 2024-02-05 }", ["n: row 3"])], ids=["all rows", "until"])
def test_a_score_outside_the_scale_names_its_row_in_the_file_as_pandas_does(tmp_path, fmt, until, want,
                                                                            monkeypatch):
    rows = list(SURVEY_ROWS)
    rows[1] = ("purchase", 12, "b", "2024-03-05")  # row 2: after `until`
    rows[2] = ("use", 11, "a", "2024-02-01")  # row 3: before it
    text = journey(tmp_path, fmt, rows, until)
    assert read_by(tmp_path, text, "survey") == "duckdb"
    _, by_duckdb = values(tmp_path, text)
    pandas_reads_everything(monkeypatch)
    _, by_pandas = values(tmp_path, text)
    assert by_duckdb == by_pandas
    e402 = [line for line in by_duckdb if line.startswith("E402")]
    at = {"n": "6:22", "bought": "7:27"}
    assert e402 == [f"E402 {at[kpi]} nps() needs scores from 0 to 10: {row} of data "
                    f"'survey' has {12 if row == 'row 2' else 11} in 'score'"
                    for kpi, row in (w.split(": ") for w in want)]


def test_a_file_with_its_own_row_number_column_keeps_it_and_counts_rows(tmp_path):
    (tmp_path / "s.csv").write_text("copis_row,score\n5,9\n6,11\n", encoding="utf-8")
    text = 'journey j "J" {\n  data s "s.csv"\n  kpi total = sum(s.copis_row)\n  kpi n = nps(s.score)\n}\n'
    assert read_by(tmp_path, text, "s") == "duckdb"
    found, diagnostics = values(tmp_path, text)
    assert found[0] == 11
    assert diagnostics == ["E402 4:17 nps() needs scores from 0 to 10: 1 of the selected rows of data 's' "
                           "have values outside, such as 11 in 'score'"]


def test_an_until_that_leaves_no_rows_is_worded_as_pandas_words_it(tmp_path, monkeypatch):
    text = journey(tmp_path, "csv", until=" { until 2023-01-01 }")
    assert read_by(tmp_path, text, "survey") == "duckdb"
    _, by_duckdb = values(tmp_path, text)
    pandas_reads_everything(monkeypatch)
    _, by_pandas = values(tmp_path, text)
    assert by_duckdb == by_pandas
    assert any("W403" in line and "data file 'survey.csv' has no rows on or before 2023-01-01" in line
               for line in by_duckdb)


PANDAS = {
    "decimal commas": ("stage;score\npurchase;9,5\nuse;3\n", ' { delimiter ";" }'),
    "a byte that is not UTF-8": ("stage,score\npurch\u00e9se,9\nuse,\udcff3\n", ""),
    "text in a number column": ("stage,score\npurchase,9\nuse,n/a!\n", ""),
    "only a header": ("stage,score\n", ""),
    "a column the KPI names is missing": ("stage,scor\npurchase,9\n", ""),
    "zoned times": ("stage,score,date\npurchase,9,2024-01-01T10:00:00+02:00\n", ""),
}


@pytest.mark.parametrize("case", sorted(PANDAS))
def test_what_duckdb_would_read_otherwise_stays_pandas(tmp_path, case):
    content, options = PANDAS[case]
    (tmp_path / "s.csv").write_bytes(content.encode("utf-8", "surrogateescape"))
    kpi = "count(s.stage where date >= 2024-01-01)" if case == "zoned times" else "nps(s.score)"
    text = f'journey j "J" {{\n  data s "s.csv"{options}\n  kpi n = {kpi}\n}}\n'
    assert read_by(tmp_path, text, "s") == "pandas"


def test_an_unknown_column_keeps_the_hint_from_the_whole_header(tmp_path):
    (tmp_path / "s.csv").write_text("stage,scor,other\npurchase,9,1\n", encoding="utf-8")
    text = 'journey j "J" {\n  data s "s.csv"\n  kpi n = nps(s.score)\n}\n'
    assert read_by(tmp_path, text, "s") == "pandas"
    model, _, diagnostics = figures(tmp_path, text)
    assert [d.code for d in diagnostics] == ["E401"] and diagnostics[0].hint == "did you mean 'scor'?"


def test_windows_1252_text_is_decoded_as_pandas_decodes_it(tmp_path, monkeypatch):
    (tmp_path / "s.csv").write_bytes("stage,score\ncaf\u00e9,9\ncaf\u00e9,2\nth\u00e9,10\n".encode("cp1252"))
    text = 'journey j "J" {\n  data s "s.csv"\n  kpi n = nps(s.score where stage == "caf\u00e9")\n}\n'
    assert read_by(tmp_path, text, "s") == "duckdb"
    by_duckdb = values(tmp_path, text)
    pandas_reads_everything(monkeypatch)
    assert values(tmp_path, text) == by_duckdb == ([0.0, None], [])


def test_integer_json_customer_ids_keep_their_digits(tmp_path):
    big = 12345678901234567890 // 10  # fits int64; a float64 would merge it with its neighbour
    (tmp_path / "o.jsonl").write_text("".join(json.dumps({"customer_id": c, "date": "2024-01-0%d" % d,
                                                          "amount": 5.0}) + "\n"
                                              for c, d in ((big, 1), (big + 1, 2), (7, 3), (7, 4))),
                                      encoding="utf-8")
    text = 'journey j "J" {\n  data o "o.jsonl" { kind transactions }\n  kpi n = customers(o)\n}\n'
    assert read_by(tmp_path, text, "o") == "duckdb"
    assert values(tmp_path, text)[0][0] == 3


def test_pandas_computes_the_figures_of_a_file_below_the_rows_duckdb_starts_at(tmp_path, monkeypatch):
    text = journey(tmp_path, "csv")  # six survey rows, six orders
    monkeypatch.setattr(sources, "DUCKDB_MIN_ROWS", 7)
    assert read_by(tmp_path, text, "survey") == "pandas"
    monkeypatch.setattr(sources, "DUCKDB_MIN_ROWS", 6)
    assert read_by(tmp_path, text, "survey") == "duckdb"
    monkeypatch.setattr(sources, "DUCKDB_MIN_ROWS", 0)  # still no file without rows
    (tmp_path / "survey.csv").write_text("stage,score,customer_id,date\n", encoding="utf-8")
    assert read_by(tmp_path, text, "survey") == "pandas"


def test_a_check_of_small_files_never_starts_duckdb(tmp_path):
    """Below DUCKDB_MIN_ROWS a check imports neither DuckDB nor SQLGlot
    (0.2 s of its start-up), in a process of its own."""
    (tmp_path / "j.copis").write_text(journey(tmp_path, "csv"), encoding="utf-8")
    driver = ("import sys\nfrom copisdsl.api import check_file\nresult = check_file(sys.argv[1])\n"
              "print(result.figures.kpis[0].value is not None, 'duckdb' in sys.modules, 'sqlglot' in sys.modules)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COPIS_NO_FIGURES_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", driver, str(tmp_path / "j.copis")], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "False", "False"]


def test_a_true_false_column_with_blank_cells_stays_pandas(tmp_path):
    """pandas holds it as Python objects and compares it with a filter's
    string as text; DuckDB as true/false: the figures would differ."""
    (tmp_path / "s.csv").write_text("flag,score\ntrue,9\nfalse,10\n,9\ntrue,3\n", encoding="utf-8")
    text = 'journey j "J" {\n  data s "s.csv"\n  kpi n = count(s.score where flag != "false")\n}\n'
    assert read_by(tmp_path, text, "s") == "pandas"
    (tmp_path / "s.csv").write_text("flag,score\ntrue,9\nfalse,10\nfalse,9\ntrue,3\n", encoding="utf-8")
    assert read_by(tmp_path, text, "s") == "duckdb"  # no blanks: both compare true/false alike


def orders_of(tmp_path: Path, reader: str, ids: list[str]) -> str:
    """One order a day of each of ``ids`` (from 2024-01-01), in a file
    ``reader`` reads (for ``pandas``, ``duckdb`` and ``glob``, a CSV in a
    folder of its own); the path a journey names it by."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    days = [(dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(len(ids))]
    if reader == "parquet":
        pq.write_table(pa.table({"customer_id": ids, "date": days, "amount": [5.0] * len(ids)}).cast(pa.schema([
            ("customer_id", pa.string()), ("date", pa.date32()), ("amount", pa.float64())])), tmp_path / "o.parquet")
        return "o.parquet"
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "o.csv").write_text("customer_id,date,amount\n" + "".join(
        f"{c},{d},5\n" for c, d in zip(ids, days)), encoding="utf-8")
    return "parts/*.csv" if reader == "glob" else "parts/o.csv"


@pytest.mark.parametrize("interval", [False, True], ids=["summary", "kept"])
@pytest.mark.parametrize("reader", ["pandas", "duckdb", "parquet", "glob"])
def test_only_spaces_are_trimmed_around_a_customer_id_on_every_reader(tmp_path, reader, interval, monkeypatch):
    """Reference §14 "after trimming blanks": the spaces SQL's TRIM trims,
    on pandas' path as on the engines'. A tab or a no-break space is part
    of the ID: ``a\\t`` and ``a\\u00a0`` are customers of their own, ``a `` and
    `` a`` are ``a``, `` `` is none. With a reorder interval DuckDB keeps
    the orders per customer, grouped by the IDs as written, then again by
    the trimmed IDs as one is padded."""
    ids = ["a", " a", "a ", "a\t", "\u00a0a", "b", " ", " b "]
    if reader == "pandas":
        pandas_reads_everything(monkeypatch)
    path = orders_of(tmp_path, reader, ids)
    text = (f'journey j "J" {{\n  data o "{path}" {{ kind transactions }}\n  kpi n = customers(o)\n'
            '  kpi r = repeat_rate(o)\n' + ('  kpi i = reorder_interval(o)\n' if interval else '') + '}\n')
    if reader != "glob":
        assert read_by(tmp_path, text, "o") == ("pandas" if reader == "pandas" else "duckdb")
    # a: days 1, 2, 3; b: days 6, 8 (" " on day 7 is no one's): gaps 1, 1, 2
    assert values(tmp_path, text) == ([4.0, 0.5, *([1.0] if interval else []), None, None,
                                       *([None] if interval else [])], [])


@pytest.mark.parametrize("ids, customers, interval, groupings", [
    (["a", "a", "b"], 2, 1.0, 1), (["a", " a", "b"], 2, 1.0, 2), (["a", "", "b"], 2, None, 1),
    (["a", " ", "b"], 2, None, 2), (["a", "a\t", "b"], 3, None, 1)])
def test_the_kept_orders_are_grouped_again_only_when_an_id_is_padded(tmp_path, monkeypatch, ids, customers,
                                                                     interval, groupings):
    """The customers' orders kept for a reorder interval are grouped by
    the IDs as written (``queries.untrimmed_ids``): once when no ID would
    trim differently, twice when one does (an empty CSV cell is no ID)."""
    from copisdsl.data.engines.duck import DuckEngine
    from copisdsl.data.engines.table import DAYS

    kept = []
    real = DuckEngine.keep
    monkeypatch.setattr(DuckEngine, "keep", lambda self, select, name: kept.append(name) or real(self, select, name))
    path = orders_of(tmp_path, "glob", ids)
    text = (f'journey j "J" {{\n  data o "{path}" {{ kind transactions }}\n  kpi n = customers(o)\n'
            '  kpi i = reorder_interval(o)\n}\n')
    assert values(tmp_path, text) == ([float(customers), interval, None, None], [])
    assert kept == [DAYS] * groupings


@pytest.mark.parametrize("absent", ["duckdb", "sqlglot"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_without_an_engine_library_the_figures_are_one_e400_that_names_the_extra(tmp_path, monkeypatch, absent, fmt):
    """duckdb and sqlglot are in the ``data`` extra as pandas is: an install
    without one gets the light install's E400 for a journey with data, not a
    traceback halfway through (one Parquet file, a large CSV) nor figures
    from some files and not others."""
    import importlib.util

    import pyarrow as pa
    import pyarrow.parquet as pq

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == absent else real(name, *a))
    text = journey(tmp_path, "csv")
    if fmt == "parquet":
        pq.write_table(pa.table({"customer_id": ["a"], "date": pa.array([20_000], pa.int32()).cast(pa.date32()),
                                 "amount": [5.0]}), tmp_path / "orders.parquet")
        text = text.replace("orders.csv", "orders.parquet")
    _, found, diagnostics = figures(tmp_path, text)
    assert [(d.code, d.span.line, d.message, d.hint) for d in diagnostics] == [
        ("E400", 2, f"cannot read the data files: {absent} is not installed",
         "the figures need numpy, pandas, pyarrow, scipy, duckdb, sqlglot; install them with: "
         "pip install 'copisdsl[data]'")]
    assert found.kpis == {}


def test_a_figure_that_fails_unexpectedly_still_releases_the_engines(tmp_path, monkeypatch):
    from copisdsl.data import kpis
    from copisdsl.data.engines import duck

    text = journey(tmp_path, "csv")
    assert read_by(tmp_path, text, "survey") == "duckdb"

    def broken(self, kpi):
        assert duck._OPEN, "the engines are open while the KPIs are evaluated"
        raise RuntimeError("a bug in a figure")

    monkeypatch.setattr(kpis.Evaluator, "evaluate", broken)
    with pytest.raises(RuntimeError, match="a bug in a figure"):
        figures(tmp_path, text)
    assert not duck._OPEN  # closed, with the Arrow tables they held


def test_the_libraries_a_journey_with_data_needs_are_the_data_extra():
    import re
    import tomllib

    from copisdsl.data import DATA_LIBRARIES

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["data"]
    assert sorted(DATA_LIBRARIES) == sorted(re.match(r"[A-Za-z0-9_]+", spec).group(0) for spec in extra)


@pytest.mark.parametrize("reader", ["pandas", "duckdb", "glob"])
def test_every_column_a_reference_lacks_is_one_e401(tmp_path, reader, monkeypatch):
    """Reference §6 E401: each missing column of a reference (its own, then
    its filter's, each once) is reported, not only the first evaluated."""
    if reader == "pandas":
        pandas_reads_everything(monkeypatch)
    path = orders_of(tmp_path, "duckdb" if reader == "pandas" else reader, ["a", "b"])
    text = (f'journey j "J" {{\n  data o "{path}"\n'
            '  kpi a = sum(o.nonexist where alsono == 1)\n'
            '  kpi b = sum(o.amont where dat == "a" and nope == "b" or dat == "c")\n'
            '  kpi c = sum(o.amount where customer_id == "a")\n}\n')
    found, messages = values(tmp_path, text)
    assert found[:3] == [None, None, 5.0]
    assert messages == [
        "E401 3:17 data 'o' has no column 'nonexist'", "E401 3:32 data 'o' has no column 'alsono'",
        "E401 4:17 data 'o' has no column 'amont'", "E401 4:29 data 'o' has no column 'dat'",
        "E401 4:44 data 'o' has no column 'nope'"]
