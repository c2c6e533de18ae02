"""Property tests: nothing a user can type makes parse or check raise, and
every diagnostic points inside the file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples

from lark.exceptions import UnexpectedInput

from copisdsl.syntax import parser
from copisdsl.api import check
from copisdsl.syntax.tokens import LexError, tokenize

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.copis"))
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
FUZZ = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


def mutate(text: str, ops) -> str:
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
    return text


MUTATIONS = st.lists(st.tuples(st.sampled_from(["delete", "insert", "swap", "dup"]),
                               st.integers(0, 3000), st.integers(1, 30), TOKENS), min_size=1, max_size=5)


@FUZZ
@given(st.sampled_from(TEXTS), MUTATIONS)
def test_mutated_examples_never_raise(text, ops):
    assert_sane(mutate(text, ops))


def lark_parse(text: str):
    """The document by Lark's own LALR loop, or None at a syntax error."""
    with parser._lock:
        parser._transformer.start_file("fuzz.copis")
        try:
            return parser.get_parser().parse(text)
        except UnexpectedInput:
            return None


def assert_same_parse(text: str) -> None:
    fast = parser._parse_fast(text, "fuzz.copis")
    slow = lark_parse(text)
    assert (fast is None) == (slow is None), text
    if fast is not None:
        assert repr(fast[0]) == repr(slow)  # repr includes the spans, which == ignores


def test_fast_loop_parses_every_example_as_lark_does():
    for text in TEXTS:
        assert parser._parse_fast(text, "fuzz.copis") is not None
        assert_same_parse(text)


@FUZZ
@given(st.sampled_from(TEXTS), MUTATIONS)
def test_fast_loop_agrees_with_lark_on_mutated_examples(text, ops):
    assert_same_parse(mutate(text, ops))


@FUZZ
@given(st.lists(TOKENS, max_size=80).map(" ".join))
def test_fast_loop_agrees_with_lark_on_token_soup(text):
    assert_same_parse(text)


@FUZZ
@given(st.lists(st.sampled_from([ln for t in TEXTS for ln in t.splitlines() if ln.strip()]),
                min_size=1, max_size=40))
def test_shuffled_example_lines_never_raise(lines):
    assert_sane("\n".join(lines))


def tokens_until_error(text: str) -> list:
    tokens = []
    try:
        tokens.extend(tokenize(text, None, None))
    except LexError as exc:
        tokens.append(("ERROR", text[exc.pos], exc.pos, exc.pos + 1, exc.line, exc.column))
    return tokens


@FUZZ
@given(st.one_of(st.text(max_size=200), st.lists(TOKENS, max_size=60).map("".join)))
def test_every_token_is_where_it_says(text):
    """The tokenizer adds up positions from match lengths: each token's text,
    line and column must still be those of the file."""
    for kind, value, start, end, line, column, *_ in tokens_until_error(text):
        assert text[start:end] == value or kind == "_NL", (kind, value, text)
        assert line == text.count("\n", 0, start) + 1
        assert column == start - (text.rfind("\n", 0, start) + 1) + 1


@FUZZ
@given(st.one_of(st.sampled_from(TEXTS), st.lists(TOKENS, max_size=80).map("".join),
                 st.text(alphabet=" \t\f\r\nab1;{}\"#", max_size=120)),
       st.integers(min_value=1, max_value=40))
def test_scanning_in_chunks_changes_no_token(text, chunk):
    """A large file is scanned a chunk at a time (``lexer._CHUNK``); cut
    anywhere a chunk may end, the tokens are those of one whole scan."""
    import copisdsl.syntax.tokens as lexer

    whole = tokens_until_error(text)
    saved = lexer._CHUNK
    lexer._CHUNK = chunk
    try:
        assert tokens_until_error(text) == whole
    finally:
        lexer._CHUNK = saved


def test_the_grammar_declares_the_tokenizers_patterns():
    """grammar/copis.lark's terminals are the tokenizer's, character for character."""
    import re
    from pathlib import Path

    from copisdsl.syntax.tokens import TOKEN_PATTERNS

    grammar = (Path(__file__).resolve().parents[3] / "grammar" / "copis.lark").read_text(encoding="utf-8")
    declared = dict(re.findall(r"^([A-Z_]+)(?:\.\d+)?: /(.*)/$", grammar, re.MULTILINE))
    assert {name: declared.get(name) for name in TOKEN_PATTERNS} == TOKEN_PATTERNS
