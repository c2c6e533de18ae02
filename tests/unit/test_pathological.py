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
    "a_sum_of_50_000": (HEAD + "  kpi k = " + " + ".join(["1"] * 50_000) + "\n}\n", 1,
                        "E100 error: expression nested too deeply"),
    "a_condition_of_50_000": (HEAD + '  segment s "S" when ' + " and ".join(["a == 1"] * 50_000) + "\n}\n",
                              1, "E100 error: expression nested too deeply"),
    "blocks_20_000_deep": (HEAD + 'stage s "S" {\n' * 20_000 + "}\n" * 20_000 + "}\n", 1,
                           "E100 error: blocks nested too deeply"),
}


def run(*args: str) -> subprocess.CompletedProcess:
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
