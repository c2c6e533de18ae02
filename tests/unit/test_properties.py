"""Property tests: nothing a user can type makes parse or check raise, and
every diagnostic points inside the file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copisdsl.api import check

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.copis"))
TEXTS = [p.read_text(encoding="utf-8") for p in EXAMPLES]

# Fragments that the grammar cares about, so random text reaches deep states.
TOKENS = st.sampled_from([
    "journey", "stage", "touchpoint", "persona", "data", "clv", "segment", "framework", "objective",
    "kpi", "flow", "tradeoff", "channel", "emotion", "moment_of_truth", "repurchase", "pain",
    "increase", "decrease", "maintain", "to", "by", "where", "when", "and", "or", "baseline",
    "{", "}", "(", ")", ",", ";", "->", "=", "==", ">=", ".", "-", "+", "*", "/", "%", "\n", " ",
    '"', '"text"', "x", "tp", "42", "3.5", "12.5%", "90d", "2026-06-30", "2026-13-45", "#c\n",
    "\\", "\t", "é", "\r\n",
])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_sane(text: str) -> None:
    result = check(text, "fuzz.copis")
    lines = max(1, len(text.splitlines()) or 1)
    for d in result.diagnostics:
        assert 1 <= d.span.line <= lines + 1, (d, text)
        assert d.span.column >= 1
        assert (d.span.end_line, d.span.end_column) >= (d.span.line, d.span.column)
        assert d.message


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text):
    assert_sane(text)


@FUZZ
@given(st.lists(TOKENS, max_size=80).map(" ".join))
def test_token_soup_never_raises(text):
    assert_sane(text)


@FUZZ
@given(st.sampled_from(TEXTS), st.data())
def test_mutated_examples_never_raise(text, data):
    ops = data.draw(st.lists(st.tuples(st.sampled_from(["delete", "insert", "swap", "dup"]),
                                       st.integers(0, len(text)), st.integers(1, 30), TOKENS),
                             min_size=1, max_size=5))
    for op, pos, length, token in ops:
        pos = min(pos, len(text))
        if op == "delete":
            text = text[:pos] + text[pos + length:]
        elif op == "insert":
            text = text[:pos] + token + text[pos:]
        elif op == "swap":
            text = text[:pos] + text[pos + length: pos + 2 * length] + text[pos: pos + length] + text[pos + 2 * length:]
        else:
            text = text[:pos] + text[pos: pos + length] * 2 + text[pos + length:]
    assert_sane(text)


@FUZZ
@given(st.lists(st.sampled_from([ln for t in TEXTS for ln in t.splitlines() if ln.strip()]),
                min_size=1, max_size=40))
def test_shuffled_example_lines_never_raise(lines):
    assert_sane("\n".join(lines))
