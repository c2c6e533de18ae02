"""Reading data files: every format, encodings, delimiters, and each way a
file can be bad gives a diagnostic at the data declaration, never a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from copisdsl.api import check
from copisdsl.data import enrich, linked_files, loading
from copisdsl.data import sources
from copisdsl.data.sources import TableSource

SURVEY = "stage,score\npurchase,9\npost_purchase,10\npurchase,3\npost_purchase,8\n"


def run(tmp_path: Path, body: str, files: dict[str, str | bytes] | None = None, root: Path | None = None,
        folder: str = ""):
    base = tmp_path / folder if folder else tmp_path
    for name, content in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    base.mkdir(parents=True, exist_ok=True)
    text = f'journey j "J" {{\n{body}\n}}\n'
    result = check(text, "j.copis")
    assert result.ok, result.diagnostics
    figures, diags = enrich(result.model, base, root)
    kpis = {k.name: figures.kpis[k.index] for k in result.model.kpis}
    return kpis, diags, figures


def codes(diags) -> list[str]:
    return [d.code for d in diags]


# ------------------------------------------------------------------ formats

def survey_frame() -> pd.DataFrame:
    return pd.DataFrame({"stage": ["purchase", "post_purchase", "purchase", "post_purchase"],
                         "score": [9, 10, 3, 8]})


@pytest.mark.parametrize("name", ["s.csv", "s.tsv", "s.parquet", "s.jsonl", "s.ndjson", "s.xlsx",
                                  "s.csv.gz", "s.jsonl.gz"])
def test_every_format_gives_the_same_figures(tmp_path, name):
    frame = survey_frame()
    path = tmp_path / name
    if name.startswith("s.csv"):
        data = frame.to_csv(index=False).encode()
    elif name == "s.tsv":
        data = frame.to_csv(index=False, sep="\t").encode()
    elif name.startswith(("s.jsonl", "s.ndjson")):
        data = frame.to_json(orient="records", lines=True).encode()
    else:
        data = None
    if data is not None:
        path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    elif name.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    else:
        frame.to_excel(path, index=False, sheet_name="Answers")
    kpis, diags, figures = run(tmp_path, f'data s "{name}"\n'
                               'kpi total = sum(s.score where stage == "purchase")\n'
                               "kpi nps = nps(s.score)")
    assert diags == []
    assert kpis["total"].value == 12.0
    assert kpis["nps"].value == pytest.approx(25.0)
    assert figures.inputs == [str(path.resolve())]


def test_excel_sheet_option_and_a_missing_sheet(tmp_path):
    with pd.ExcelWriter(tmp_path / "book.xlsx") as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Intro", index=False)
        survey_frame().to_excel(writer, sheet_name="Answers", index=False)
    kpis, diags, _ = run(tmp_path, 'data s "book.xlsx" { sheet "Answers" }\nkpi n = count(s.score)')
    assert diags == [] and kpis["n"].value == 4
    kpis, diags, _ = run(tmp_path, 'data s "book.xlsx" { sheet "Answer" }\nkpi n = count(s.score)')
    assert codes(diags) == ["E400"] and "no sheet \"Answer\"" in diags[0].message
    assert diags[0].hint == "did you mean 'Answers'?"
    assert kpis["n"].value is None


def test_excel_without_openpyxl_names_the_extra(tmp_path, monkeypatch):
    survey_frame().to_excel(tmp_path / "s.xlsx", index=False)
    import builtins

    original = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "openpyxl":
            raise ImportError("No module named 'openpyxl'")
        return original(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    _, diags, _ = run(tmp_path, 'data s "s.xlsx"\nkpi n = count(s.score)')
    monkeypatch.setattr(builtins, "__import__", original)
    assert codes(diags) == ["E400"]
    assert "openpyxl" in diags[0].message and "copisdsl[excel]" in diags[0].hint


def test_only_the_used_columns_are_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "DUCKDB_MIN_ROWS", 1)  # DuckDB's table of a small file too
    (tmp_path / "wide.csv").write_text("a,b,c,d,stage\n1,2,3,4,x\n5,6,7,8,y\n")
    loaded = loading.read(tmp_path / "wide.csv", {"b", "stage", "z"})
    assert loaded.arrow.column_names == ["b", "stage"] and sorted(loaded.frame.columns) == ["b", "stage"]
    assert loaded.columns == ["a", "b", "c", "d", "stage"]  # for an unknown column's hints
    result = check('journey j "J" {\ndata w "wide.csv"\nkpi s = sum(w.b where stage == "x")\n}\n')
    source = TableSource(result.model, tmp_path, tmp_path)
    try:
        assert source.engines["w"].columns == ["b", "stage"]
    finally:
        source.close()


def test_each_file_is_read_once(tmp_path, monkeypatch):
    calls = []
    real = loading.read

    def counting(path, wanted, **kw):
        calls.append((path.name, frozenset(wanted)))
        return real(path, wanted, **kw)

    monkeypatch.setattr(loading, "read", counting)
    kpis, diags, _ = run(tmp_path, 'data s "s.csv"\nkpi a = sum(s.score)\nkpi b = nps(s.score)\n'
                         'kpi c = count(s.stage where score > 5)\nkpi d = a + b', {"s.csv": SURVEY})
    assert calls == [("s.csv", frozenset({"score", "stage"}))]
    assert kpis["d"].value == kpis["a"].value + kpis["b"].value


# ------------------------------------------------------------------ text quirks

def test_a_byte_order_mark_is_ignored(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data s "s.csv"\nkpi n = count(s.stage)',
                         {"s.csv": b"\xef\xbb\xbf" + SURVEY.encode()})
    assert diags == [] and kpis["n"].value == 4


def test_semicolon_csv_with_decimal_commas(tmp_path):
    content = "stage;amount\npurchase;12,50\npurchase;7,25\nother;1\n"
    kpis, diags, _ = run(tmp_path, 'data s "s.csv" { delimiter ";" }\n'
                         'kpi total = sum(s.amount where stage == "purchase")', {"s.csv": content})
    assert diags == [] and kpis["total"].value == pytest.approx(19.75)


def test_semicolon_csv_without_the_delimiter_option_hints_at_it(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data s "s.csv"\nkpi total = sum(s.amount)',
                         {"s.csv": "stage;amount\npurchase;12\n"})
    assert codes(diags) == ["E401"]
    assert 'delimiter ";"' in diags[0].hint


def test_windows_1252_text_is_read(tmp_path):
    content = "stage,score\ncafé,9\nthé,3\ncafé,10\n".encode("cp1252")
    kpis, diags, _ = run(tmp_path, 'data s "s.csv"\nkpi n = count(s.score where stage == "café")',
                         {"s.csv": content})
    assert diags == [] and kpis["n"].value == 2


def test_missing_values_are_skipped(tmp_path):
    content = "stage,score\npurchase,9\npurchase,\npurchase,NA\n,4\npurchase,3\n"
    kpis, diags, _ = run(tmp_path, 'data s "s.csv"\nkpi m = mean(s.score)\nkpi n = count(s.score)\n'
                         'kpi others = count(s.score where stage != "purchase")', {"s.csv": content})
    # A row without a stage never matches, even with !=: the filter selects nothing.
    assert codes(diags) == ["W403"]
    assert kpis["m"].value == pytest.approx(16 / 3) and kpis["n"].value == 3
    assert kpis["others"].value is None


def test_mixed_types_report_the_row_and_value(tmp_path):
    rows = "".join(f"purchase,{i % 10}\n" for i in range(3000))
    content = "stage,score\n" + rows + "purchase,nine\n"
    kpis, diags, _ = run(tmp_path, 'data s "s.csv"\nkpi m = mean(s.score)\nkpi n = count(s.stage)',
                         {"s.csv": content})
    assert codes(diags) == ["E402"]
    assert "row 3001 has 'nine'" in diags[0].message
    assert diags[0].span.line == 3
    assert kpis["m"].value is None and kpis["n"].value == 3001


# ------------------------------------------------------------------ bad files

@pytest.mark.parametrize("files,path,needle", [
    ({}, "nope.csv", "not found"),
    ({"s.xls": b"\xd0\xcf\x11\xe0"}, "s.xls", "unsupported data format '.xls'"),
    ({"s.csv": b""}, "s.csv", "the file is empty"),
    ({"s.csv": b"\n\n"}, "s.csv", "the file is empty"),
    ({"s.jsonl": b""}, "s.jsonl", "the file is empty"),
    ({"s.jsonl": b'{"a": 1}\nnot json\n'}, "s.jsonl", "cannot read the file as JSON Lines"),
    ({"s.parquet": b"PAR1 this is not parquet"}, "s.parquet", "cannot read the file as PARQUET"),
    ({"s.xlsx": b"not a zip"}, "s.xlsx", "cannot read the file as Excel"),
    ({"s.csv.gz": b"not gzip"}, "s.csv.gz", "cannot read the file"),
    ({"s.csv": "a,b\n1,2\n3,4,5\n"}, "s.csv", "Expected 2 fields in line 3, saw 3"),
])
def test_bad_files_are_e400_at_the_declaration(tmp_path, files, path, needle):
    kpis, diags, _ = run(tmp_path, f'data s "{path}"\nkpi n = count(s.a)', files)
    assert codes(diags) == ["E400"], diags
    assert needle in diags[0].message
    assert (diags[0].span.line, diags[0].span.column) == (2, 8)
    assert kpis["n"].value is None and kpis["n"].note == "data 's' could not be read"


def test_a_folder_without_parquet_files_is_no_table(tmp_path):
    # A folder is its Parquet files (reference §13); one named like a CSV file holds none.
    (tmp_path / "d.csv").mkdir()
    (tmp_path / "d.csv" / "notes.csv").write_text("a\n1\n")
    _, diags, _ = run(tmp_path, 'data s "d.csv"\nkpi n = count(s.a)')
    assert codes(diags) == ["E400"] and "holds no Parquet file" in diags[0].message


def test_missing_file_hint_names_the_closest_file(tmp_path):
    _, diags, figures = run(tmp_path, 'data s "data/survy.csv"\nkpi n = count(s.a)',
                            {"data/survey.csv": SURVEY})
    assert diags[0].hint == "did you mean 'data/survey.csv'?"
    assert figures.inputs == [str((tmp_path / "data" / "survy.csv").resolve())]


def test_paths_may_not_leave_the_root(tmp_path):
    files = {"shared/s.csv": SURVEY}
    body = 'data s "../shared/s.csv"\nkpi n = count(s.score)'
    _, diags, figures = run(tmp_path, body, files, folder="journeys")
    assert codes(diags) == ["E400"] and "outside the journey's folder" in diags[0].message
    assert figures.inputs == []
    kpis, diags, _ = run(tmp_path, body, files, root=tmp_path, folder="journeys")
    assert diags == [] and kpis["n"].value == 4


def test_a_symlink_out_of_the_root_is_outside(tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "s.csv").write_text(SURVEY)
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "s.csv").symlink_to(tmp_path / "outside" / "s.csv")
    _, diags, _ = run(tmp_path, 'data s "s.csv"\nkpi n = count(s.score)', folder="j")
    assert codes(diags) == ["E400"]


def test_header_only_file_is_w403_and_no_value(tmp_path):
    kpis, diags, _ = run(tmp_path, 'data s "s.csv"\nkpi n = count(s.score)\nkpi m = mean(s.score)',
                         {"s.csv": "stage,score\n"})
    assert codes(diags) == ["W403"] and diags[0].span.line == 2
    assert kpis["n"].value is None and kpis["m"].value is None


def test_an_unused_declared_file_is_still_checked(tmp_path):
    _, diags, _ = run(tmp_path, 'data s "gone.csv"\nkpi n = 1')
    assert codes(diags) == ["E400"]


# ------------------------------------------------------------------ robustness

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from profiles import examples

_CELL = st.one_of(st.integers(-20, 20).map(str), st.sampled_from(["", "NA", "x", "café", "1,5", "2024-02-30",
                                                                  "2024-01-05", "9.5", '"q"', "true"]),
                  st.text(alphabet="ab,;\"\n 0", max_size=4))


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, min_size=0, max_size=4), max_size=6),
       delimiter=st.sampled_from([",", ";"]), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
       model=st.sampled_from(["historic", "bgnbd"]))
def test_any_table_gives_figures_or_diagnostics_never_an_exception(tmp_path, rows, delimiter, encoding, model):
    header = delimiter.join(["c", "d", "score", "amount"])
    text = header + "\n" + "\n".join(delimiter.join(r) for r in rows) + "\n"
    (tmp_path / "t.csv").write_bytes(text.encode(encoding, errors="replace"))
    option = f' {{ delimiter "{delimiter}" }}' if delimiter == ";" else ""
    body = (f"clv {{ model {model} }}\nsegment hi \"Hi\" when clv > 1 or frequency >= 1\n"
            f'data t "t.csv"{option}\n'
            'data tx "t.csv" {\n kind transactions\n customer c\n date d\n' +
            (f' delimiter "{delimiter}"\n' if delimiter == ";" else "") + "}\n"
            'kpi a = sum(t.score where c == "x" or amount >= 1)\nkpi b = nps(t.score)\n'
            "kpi c = count(t.d where d >= 2024-01-01)\nkpi r = repeat_rate(tx)\nkpi v = clv(tx)\n"
            "kpi i = reorder_interval(tx)\nkpi ch = churn_rate(tx, 1m)")
    kpis, diags, _ = run(tmp_path, body)
    assert all(d.code in ("E400", "E401", "E402", "W403") for d in diags)
    assert all(k.value is None or k.value == k.value for k in kpis.values())


@pytest.mark.parametrize("dates", [
    ["2025-06-30T23:30:00-05:00", "2025-06-01T10:00:00-05:00"],  # every value with an offset
    ["2025-06-30T23:30:00-05:00", "2025-06-01"],  # mixed
])
def test_times_with_a_utc_offset_are_taken_in_their_local_time(tmp_path, dates):
    orders = "customer_id,date,amount\n" + "".join(f"{c},{d},{a}\n" for c, d, a in zip("ab", dates, (10, 5)))
    kpis, diags, _ = run(tmp_path, 'data tx "o.csv" { kind transactions; until 2025-06-30 }\n'
                         "kpi r = revenue(tx)\nkpi n = count(tx.amount where date == 2025-06-30)",
                         {"o.csv": orders})
    assert diags == []
    assert kpis["r"].value == 15 and kpis["n"].value == 1


EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.mark.parametrize("case", sorted(EXAMPLES.glob("*.copis")), ids=lambda p: p.stem)
def test_linked_files_are_the_inputs_the_figures_read(case):
    # The files a command refuses to write over before reading any (linked_files)
    # are the ones the figures list once read.
    result = check(case.read_text(encoding="utf-8"), case.name)
    figures, _ = enrich(result.model, case.parent)
    assert linked_files(result.model, case.parent) == [Path(p).resolve() for p in figures.inputs]


def test_linked_files_of_globs_folders_and_missing_files(tmp_path):
    import duckdb

    files = {"parts/a.csv": SURVEY, "parts/b.csv": SURVEY, "shop/x=1/p.parquet": b"", "shared/s.csv": SURVEY}
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    survey_frame().to_parquet(tmp_path / "shop" / "x=1" / "p.parquet", index=False)
    duckdb.connect(str(tmp_path / "shop.duckdb")).close()
    text = ('journey j "J" {\n  data g "parts/*.csv"\n  data f "shop"\n  data m "gone.csv"\n'
            '  data d "duckdb:///shop.duckdb" { table "t" }\n  data o "../outside.csv"\n'
            '  kpi n = count(g.score) + count(f.score) + count(m.score) + count(d.score) + count(o.score)\n}\n')
    model = check(text, "j.copis").model
    assert linked_files(model, tmp_path) == [(tmp_path / p).resolve() for p in (
        "parts/a.csv", "parts/b.csv", "shop/x=1/p.parquet", "gone.csv", "shop.duckdb")]
    figures, _ = enrich(model, tmp_path)
    assert linked_files(model, tmp_path) == [Path(p).resolve() for p in figures.inputs]
