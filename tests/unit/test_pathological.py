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
from copisdsl.lexer import _chunks
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
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_absurd_files_are_checked_in_linear_time(tmp_path, name):
    text, code, expected = CASES[name]
    path = tmp_path / f"{name}.copis"
    path.write_text(text, encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, "-m", "copisdsl", "check", "--no-color", str(path)],
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"copis check of {name} did not finish in 60 s")
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == code, done.stdout[:2000]
    if expected:
        assert expected in done.stdout
    assert len(done.stdout) < 20_000  # a message quotes a long word only so far


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
