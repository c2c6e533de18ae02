"""Absurd files get a diagnostic, never a traceback or a hang.

Each case is sized so that work growing with the square of the input (a
regular expression retried at every character, a list copied at every
item) would take minutes; each runs in its own process under a generous
time limit, which turns such a hang into a failure. These are not timings:
see benchmarks/ for speed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from copisdsl.diagnostics import _snippet, error
from copisdsl.syntax.tokens import _chunks
from copisdsl.source import Span

HEAD = 'journey j "J" {\n'
CASES = {
    "trailing_blanks": ('journey j "J" {}' + " " * 100_000, 0, None),
    "trailing_blank_lines": ('journey j "J" {}\n' + " \n" * 100_000, 0, None),
    "digits_then_a_letter": (HEAD + "  kpi k = " + "9" * 100_000 + "x\n}\n", 1, "E100 error: invalid number"),
    "quotes_never_closed": (HEAD + '  owner "' + '\\"' * 50_000 + "\n}\n", 1, "E100 error: unterminated string"),
    "a_hundred_thousand_values": (HEAD + "  process " + ", ".join(['"x"'] * 100_000) + "\n}\n", 0, None),
    "a_flow_of_fifty_thousand": (HEAD + '  stage s "S" { touchpoint a "A" {} }\n  flow '
                                 + " -> ".join(["a"] * 50_000) + "\n}\n", 0, None),
    "ten_thousand_statements_on_a_line": ('journey j "J" { ' + 'owner "a"; ' * 10_000 + "}\n", 1,
                                          "E200 error: 'owner' is given twice"),
    "parentheses_50_000_deep": (HEAD + "  kpi k = " + "(" * 50_000 + "1" + ")" * 50_000 + "\n}\n", 1,
                                "E100 error: expression nested too deeply"),
    "signs_50_000_deep": (HEAD + "  kpi k = " + "-" * 50_000 + "1\n}\n", 1,
                          "E100 error: expression nested too deeply"),
    "a_sum_of_50_000": (HEAD + "  kpi k = " + " + ".join(["1"] * 50_000) + "\n}\n", 0, None),
    "a_condition_of_50_000": (HEAD + '  segment s "S" when ' + " and ".join(["orders >= 1"] * 50_000)
                              + "\n}\n", 1, "E404 error"),  # long, not deep: only the missing transactions
    "a_window_of_5_000_digits": (HEAD + "  kpi k = churn_rate(o, " + "9" * 5_000 + "d)\n}\n", 1,
                                 "E100 error: number too large: 5000 digits"),  # past Python's int limit
    "a_percent_of_5_000_digits": (HEAD + "  kpi k = 1 baseline " + "9" * 5_000 + "%\n}\n", 1,
                                  "E100 error: number too large: 5000 digits"),
    "blocks_20_000_deep": (HEAD + 'stage s "S" {\n' * 20_000 + "}\n" * 20_000 + "}\n", 1,
                           "E100 error: blocks nested too deeply"),
}


def run(*args: str) -> subprocess.CompletedProcess:
    """A command in its own process, failing after 60 s."""
    try:
        return subprocess.run([sys.executable, "-m", "copisdsl", *args], capture_output=True, text=True,
                              timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"copis {' '.join(args)} did not finish in 60 s")


@pytest.mark.parametrize("name", sorted(CASES))
def test_absurd_files_are_checked_in_linear_time(tmp_path, name):
    text, code, expected = CASES[name]
    path = tmp_path / f"{name}.copis"
    path.write_text(text, encoding="utf-8")
    done = run("check", "--no-color", str(path))
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == code, done.stdout[:2000]
    if expected:
        assert expected in done.stdout
    if name != "ten_thousand_statements_on_a_line":
        assert len(done.stdout) < 20_000  # a message quotes a long word only so far


@pytest.mark.parametrize("name", ["a_hundred_thousand_values", "blocks_20_000_deep", "parentheses_50_000_deep"])
def test_absurd_files_are_formatted_or_refused_in_linear_time(tmp_path, name):
    text, code, _ = CASES[name]
    path = tmp_path / f"{name}.copis"
    path.write_text(text, encoding="utf-8")
    done = run("fmt", str(path))
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == code, done.stderr[:2000]
    if code == 0:
        assert run("check", str(path)).returncode == 0
    else:
        assert path.read_text(encoding="utf-8") == text  # refused: left as it was


def test_expressions_nest_up_to_the_limit(tmp_path):
    """200 levels is allowed, and every command copes (its walkers recurse)."""
    path = tmp_path / "deep.copis"
    path.write_text(HEAD + "  kpi k = " + "(" * 100 + "-" * 50 + " + ".join(["1"] * 49) + ")" * 100
                    + '\n  stage s "S" { touchpoint t "T" { channel web } }\n}\n', encoding="utf-8")
    for args in (["check"], ["export"], ["render", "-o", str(tmp_path / "d.svg")], ["diff", str(path)], ["fmt"]):
        done = run(args[0], str(path), *args[1:])
        assert "Traceback" not in done.stderr + done.stdout and done.returncode == 0, (args, done.stderr)


def test_trailing_blanks_are_not_scanned():
    assert _chunks('x "y"' + " \t\f" * 1000) == [(0, 5)]


def test_a_long_line_is_shown_around_the_caret():
    line = "a" * 300 + " BAD " + "b" * 300
    shown, caret = _snippet([line], Span("f", 1, 302, 1, 305), False)
    assert len(shown) < 220 and shown.startswith(" 1 | \u2026") and shown.endswith("\u2026")
    assert shown[caret.index("^"):caret.rindex("^") + 1] == "BAD"


def test_a_message_quotes_at_most_so_much():
    diag = error("E201", "unknown persona '" + "x" * 100_000 + "'", Span("f", 1, 1, 1, 2), "h" * 100_000)
    assert len(diag.message) == len(diag.hint) == 500 and diag.message.endswith("\u2026")


def long_journey(data: str) -> str:
    """A KPI of 10,000 terms and a filter of 10,000 comparisons on ``data``."""
    return (HEAD + f'  data d {data}\n  kpi a = 1\n  kpi total = ' + " + ".join(["a"] * 10_000)
            + '\n  kpi web = sum(d.amount where ' + " and ".join(['channel == "web"'] * 10_000) + ")\n"
            + '  stage s "S" { touchpoint t "T" { channel web } }\n}\n')


def test_a_flat_sum_is_long_not_deep():
    from copisdsl.api import check

    flat = check(HEAD + "  kpi k = " + " + ".join(["a"] * 201) + "\n  kpi a = 1\n}\n", "j.copis")
    assert not [d for d in flat.diagnostics if d.code == "E100"]
    deep = check(HEAD + "  kpi k = " + "(" * 50_000 + "1" + ")" * 50_000 + "\n}\n", "j.copis")
    [diag] = deep.diagnostics
    # At the parenthesis that passes the limit, counted from the left.
    assert diag.code == "E100" and (diag.span.line, diag.span.column) == (2, 11 + 200)
    just = check(HEAD + "  kpi k = " + "(" * 200 + "1" + ")" * 200 + "\n}\n", "j.copis")
    assert not [d for d in just.diagnostics if d.code == "E100"]


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_ten_thousand_terms_in_every_command(tmp_path, engine):
    """Each command in its own process under the time limit of ``run``."""
    rows = "customer_id,date,amount,channel\nc1,2026-01-01,5,web\nc2,2026-01-02,7,store\n"
    (tmp_path / "d.csv").write_text(rows, encoding="utf-8")
    data = '"d.csv"'
    if engine == "duckdb":
        import duckdb

        with duckdb.connect(str(tmp_path / "d.duckdb")) as con:
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{tmp_path / 'd.csv'}')")
        data = '"duckdb:///d.duckdb" { table "t" }'
    path = tmp_path / "long.copis"
    path.write_text(long_journey(data), encoding="utf-8")
    other = tmp_path / "other.copis"
    other.write_text(long_journey(data).replace("kpi a = 1", "kpi a = 2"), encoding="utf-8")
    export = run("export", str(path))
    assert export.returncode == 0, export.stderr[-2000:]
    import json

    values = {k["name"]: k["value"] for k in json.loads(export.stdout)["kpis"]}
    assert values["total"] == 10_000 and values["web"] == 5
    for args in (["check"], ["render", "--format", "dot", "-o", str(tmp_path / "d.dot")],
                 ["export", "--format", "mermaid"], ["diff", str(other)], ["fmt"],
                 ["build", "-o", str(tmp_path / "out")]):
        done = run(args[0], str(path), *args[1:])
        assert "Traceback" not in done.stderr + done.stdout, (args, done.stderr[-2000:])
        assert done.returncode == (1 if args[0] == "diff" else 0), (args, done.stdout[-500:], done.stderr[-2000:])
    assert run("check", str(path)).returncode == 0  # formatted, still the same journey
