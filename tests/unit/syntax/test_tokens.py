"""The tokenizer against the grammar and against Lark's own contextual lexer.

The tokenizer replaces Lark's lexer for speed; these tests hold it to the
grammar it stands in for: its keyword and punctuation tables are the
grammar's terminals, and on valid journeys every token it reads is the one
Lark's contextual lexer reads at that position in that parser state.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from profiles import examples
from journey_strategies import journeys

from copisdsl.language import KEYWORDS as LANGUAGE_KEYWORDS
from copisdsl.syntax.parser import get_parser
from copisdsl.syntax.tokens import KEYWORDS, PUNCTUATION, TOKEN_PATTERNS

GRAMMAR = (Path(__file__).resolve().parents[3] / "grammar" / "copis.lark").read_text(encoding="utf-8")
EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.copis"))


def literal_terminals() -> dict[str, list[str]]:
    """The grammar's terminals written as string literals: name -> strings."""
    out = {}
    for name, alternatives in re.findall(r'^([A-Z_]+): ("[^"]*"(?: \| "[^"]*")*)$', GRAMMAR, re.MULTILINE):
        out[name] = re.findall(r'"([^"]*)"', alternatives)
    return out


def test_keywords_are_the_grammars_keyword_terminals():
    words = {name: strings for name, strings in literal_terminals().items() if strings[0].isidentifier()}
    assert all(len(strings) == 1 for strings in words.values())
    assert {strings[0]: name for name, strings in words.items()} == KEYWORDS
    assert set(KEYWORDS) == set(LANGUAGE_KEYWORDS)
    assert len(LANGUAGE_KEYWORDS) == len(set(LANGUAGE_KEYWORDS))


def test_punctuation_is_the_grammars_punctuation_terminals():
    marks = {mark: name for name, strings in literal_terminals().items() if not strings[0].isidentifier()
             for mark in strings}
    assert marks == PUNCTUATION


def test_every_terminal_of_the_grammar_is_known_to_the_tokenizer():
    declared = set(re.findall(r"^([A-Z_]+)(?:\.\d+)?:", GRAMMAR, re.MULTILINE))
    known = set(KEYWORDS.values()) | set(PUNCTUATION.values()) | set(TOKEN_PATTERNS) | {"_NL"}
    assert declared == known


# ------------------------------------------------ against Lark's contextual lexer

# What may stand between two tokens: blanks, line breaks, ';' and comments
# (the tokenizer folds breaks and ';' into one _NL, which Lark's grammar
# leaves to it).
_BETWEEN = re.compile(r"(?:[\t \f\r\n;]|#[^\n]*)*")


def _contextual_lexer():
    from copy import copy

    from lark.lexer import ContextualLexer

    lark = get_parser()
    states = lark.parser.parser.parser.parse_table.states
    conf = copy(lark.lexer_conf)
    conf.ignore = ()
    return lark, ContextualLexer(conf, {state: list(row) for state, row in states.items()})


def _lark_reads(lexer, state: int, text: str, pos: int) -> tuple[str, str] | None:
    """What Lark's lexer for parser state ``state`` reads at ``pos``."""
    from lark import Token

    try:
        from lark.utils import TextSlice  # Lark 1.3 scans text slices
    except ImportError:
        scanned = text
    else:
        scanned = TextSlice.cast_from(text)
    basic = lexer.lexers[state]
    found = basic.scanner.match(scanned, pos)
    if found is None:
        return None
    value, kind = found
    token = Token(kind, value)
    if kind in basic.callback:  # a keyword read as NAME where the state accepts the keyword
        token = basic.callback[kind](token)
    return token.type, str(token)


def assert_tokens_are_larks(text: str) -> None:
    lark, lexer = _contextual_lexer()
    interactive = lark.parse_interactive(text)
    seen = 0
    end = 0
    for token in interactive.iter_parse():
        if token.type == "_NL":
            continue
        gap = text[end:token.start_pos]
        assert _BETWEEN.fullmatch(gap), f"text skipped before {token!r}: {gap!r}"
        state = interactive.parser_state.position
        assert _lark_reads(lexer, state, text, token.start_pos) == (token.type, token.value), (
            f"at {token.line}:{token.column} in state {state}")
        end = token.end_pos
        seen += 1
    interactive.feed_eof()  # the text is valid: the parse ends here
    assert _BETWEEN.fullmatch(text[end:])
    assert seen > 0


def test_examples_are_tokenized_as_larks_contextual_lexer_does():
    for path in EXAMPLES:
        assert_tokens_are_larks(path.read_text(encoding="utf-8"))


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys())
def test_generated_journeys_are_tokenized_as_larks_contextual_lexer_does(text):
    assert_tokens_are_larks(text)
