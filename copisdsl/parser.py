"""The parser: text -> ``Document`` and E100 diagnostics.

One LALR parser is built from ``grammar/copis.lark`` on first use and cached
on disk by Lark, with the transformer inlined so no parse tree is built.
Syntax errors are reported in words ("expected '}' to close the stage
'purchase' opened at 4:3"); the parser recovers by blanking the line of an
error and parsing again, so one run reports several independent errors.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import threading
from contextlib import contextmanager
from copy import copy
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from copisdsl import nodes as n
from copisdsl.diagnostics import Diagnostic, error
from copisdsl.lexer import CopisLexer
from copisdsl.resources import cache_dir, grammar_path
from copisdsl.source import CONTROL, SourceFile, Span
from copisdsl.transformer import ToAst

MAX_SYNTAX_ERRORS = 20

KEYWORDS = (
    "journey", "stage", "touchpoint", "persona", "data", "clv", "segment", "framework",
    "owner", "description", "tags", "objective", "kpi", "channel", "emotion",
    "moment_of_truth", "repurchase", "pain", "opportunity", "flow", "tradeoff",
)


_transformer = ToAst()
_lock = threading.Lock()


def _cache_file(grammar: Path) -> str:
    """Where Lark keeps the parse table of this grammar ("": nowhere)."""
    digest = hashlib.sha256(grammar.read_bytes()).hexdigest()[:16]
    folder = cache_dir("grammar")
    return os.path.join(folder, f"copis-{digest}.lark.cache") if folder else ""


@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The shared LALR parser (built once per process, cached on disk)."""
    grammar = grammar_path()
    cache = _cache_file(grammar)
    lark = Lark(
        grammar.read_text(encoding="utf-8"),
        parser="lalr",
        lexer=CopisLexer,
        propagate_positions=False,  # spans come from the tokens (transformer._span)
        maybe_placeholders=True,
        transformer=_transformer,
        cache=cache or False,
    )
    _key_callbacks_by_table_rules(lark)
    return lark


def _key_callbacks_by_table_rules(lark: Lark) -> None:
    """Key the reduce callbacks by the very Rule objects of the parse table.

    Loaded from the cache, the table holds equal but not identical Rule
    objects, so every reduction paid for Python-level ``Rule.__eq__`` calls.
    """
    try:
        inner = lark.parser.parser.parser
        callbacks = inner.callbacks
        # by identity: equal rules from different states are distinct objects
        rules = {id(arg): arg for actions in inner.parse_table.states.values()
                 for action, arg in actions.values() if action.name == "Reduce"}.values()
    except AttributeError:  # another Lark layout: keep its own callbacks
        return
    rekeyed = {key: fn for key, fn in callbacks.items() if isinstance(key, str)}  # terminals
    for rule in rules:
        rekeyed[rule] = callbacks[rule]
    inner.callbacks = rekeyed


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector for a burst of allocations.

    Parsing and resolving allocate hundreds of thousands of small objects
    that live until the end; each automatic collection would walk all of
    them again (3-5x the run time on a large journey). Any cycles made
    meanwhile are collected after the collector is enabled again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse(text: str, path: str = "<input>") -> tuple[n.Document | None, list[Diagnostic]]:
    """Parse source text. Returns the document (``None`` after a syntax
    error) and the E100 diagnostics."""
    source = SourceFile(path, text)
    diagnostics: list[Diagnostic] = []
    prepare()
    with paused_gc():
        doc = _parse_with_recovery(text, path, source, diagnostics)
    return (doc if not any(d.code == "E100" for d in diagnostics) else None), diagnostics


def prepare() -> None:
    """Load the parser and its decoded table, with the collector running.

    Loaded while the collector is paused, Lark's unpickled grammar leaves
    its garbage in memory, and every later parse in the process was a third
    slower for it (measured); so this runs before any ``paused_gc``.
    """
    _fast_table()


@lru_cache(maxsize=1)
def _fast_table():
    from copisdsl import lalr

    try:
        return lalr.compile_table(get_parser().parser.parser.parser)
    except AttributeError:  # another Lark layout: Lark's own loop only
        return None


def _parse_fast(text: str, path: str):
    """The document through the fast loop (``copisdsl.lalr``), or None at
    the first syntax error, which Lark's parser then describes."""
    from copisdsl import lalr

    table = _fast_table()
    if table is None:
        return None
    with _lock:
        _transformer.file = path
        _transformer.diagnostics = []
        doc = lalr.parse(text, table)
        return (doc, _transformer.diagnostics) if doc is not None else None


def _parse_with_recovery(text: str, path: str, source: SourceFile, diagnostics: list[Diagnostic]):
    fast = _parse_fast(text, path)
    if fast is not None:
        diagnostics.extend(fast[1])
        return fast[0]
    attempt = text
    doc = None
    while True:
        try:
            with _lock:
                _transformer.file = path
                _transformer.diagnostics = []
                result = get_parser().parse(attempt)
                extra = _transformer.diagnostics
            if not diagnostics:
                doc = result
                diagnostics.extend(extra)
            break
        except UnexpectedInput as exc:
            diag, line = _describe(exc, source, attempt)
            diagnostics.append(diag)
            if line is None or len(diagnostics) >= MAX_SYNTAX_ERRORS:
                break
            blanked = _blank_line(attempt, line)
            if blanked is None:
                break
            attempt = blanked
    return doc


def comments(text: str) -> list[n.Comment]:
    """The comments of a text, in order (for the formatter)."""
    from copisdsl.lexing import scan_comments

    return scan_comments(text)


# ----------------------------------------------------------------- messages

_WORDS = {
    "LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "COMMA": "','",
    "SEMICOLON": "';'", "EQUAL": "'='", "ARROW": "'->'", "DOT": "'.'",
    "STRING": "a string", "NAME": "a name", "NUMBER_POS": "a number",
    "PERCENT_POS": "a percent", "DURATION_POS": "a duration like 90d",
    "DATE": "a date (YYYY-MM-DD)", "_NL": "a new line", "$END": "the end of the file",
    "CMP": "a comparison (== != < <= > >=)", "PLUS": "'+'", "MINUS": "'-'",
    "STAR": "'*'", "SLASH": "'/'",
}
_STATEMENT_STARTS = {k.upper() for k in KEYWORDS}


def _word(kind: str) -> str:
    if kind in _WORDS:
        return _WORDS[kind]
    if kind.isupper() and kind.isidentifier():
        return f"'{kind.lower()}'"
    return kind


def _expected_words(expected: set[str]) -> str:
    expected = {e for e in expected if not e.startswith("__")}
    statement = len(expected & _STATEMENT_STARTS) >= 5
    words: list[str] = []
    if statement:
        words.append("a statement")
        expected = expected - _STATEMENT_STARTS - {"NAME"}
    if {"PLUS", "MINUS", "STAR", "SLASH"} <= expected:
        words.append("an operator")
        expected = expected - {"PLUS", "MINUS", "STAR", "SLASH"}
    if {"NUMBER_POS", "PERCENT_POS"} <= expected:
        expected = expected - {"PERCENT_POS", "DURATION_POS"}
    if "_NL" in expected and "SEMICOLON" in expected:
        expected = expected - {"SEMICOLON"}
    order = ["RBRACE", "LBRACE", "STRING", "NAME", "NUMBER_POS", "DATE"]
    rest = sorted(expected, key=lambda e: (order.index(e) if e in order else len(order), e))
    words += [_word(e) for e in rest]
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


_NUMBER_LIKE = re.compile(r"[0-9A-Za-z_.%]+")


def _char_name(ch: str) -> str:
    """A character that does not show by itself, by its code point."""
    return f"U+{ord(ch):04X}" if ch else "end of file"


_STRING_BODY = re.compile(r'(?:[^"\\\r\n]|\\[^\r\n])*')


def _control_in_string(text: str, quote: int) -> int | None:
    """The offset of the first control character in the string that opens
    at ``quote`` (up to its closing quote or the end of the line)."""
    body = _STRING_BODY.match(text, quote + 1)
    bad = CONTROL.search(text, body.start(), body.end())
    return bad.start() if bad else None


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type == "_NL":
        return "end of line"
    if tok.type == "STRING":
        return f"string {tok.value}"
    return f"'{tok.value}'"


def _describe(exc: UnexpectedInput, source: SourceFile, attempt: str) -> tuple[Diagnostic, int | None]:
    """An E100 for a Lark error, and the line to blank for recovery (or None)."""
    path = source.path
    lines = attempt.split("\n")
    if isinstance(exc, UnexpectedCharacters):
        line, col = exc.line, exc.column
        ch = attempt[exc.pos_in_stream] if exc.pos_in_stream < len(attempt) else ""
        if ch == '"':
            bad = _control_in_string(attempt, exc.pos_in_stream)
            if bad is not None:
                at = col + bad - exc.pos_in_stream
                return error("E100", f"control character {_char_name(attempt[bad])} in a string",
                             Span(path, line, at, line, at + 1),
                             "remove it; write \\n for a line break"), line
            end = len(lines[line - 1]) + 1 if line <= len(lines) else col + 1
            return error("E100", "unterminated string", Span(path, line, col, line, max(end, col + 1)),
                         "close the string with '\"' on the same line (write \\n for a line break)"), line
        if ch and "0" <= ch <= "9":
            word = _NUMBER_LIKE.match(attempt, exc.pos_in_stream).group()
            return error("E100", f"invalid number '{word}'", Span(path, line, col, line, col + len(word)),
                         "write numbers as 12 or 12.5, percents as 12%, durations as 30d, 6w, 3m or "
                         "1y, dates as 2025-03-31"), line
        ch_text = f"'{ch}'" if ch.isprintable() and not ch.isspace() else _char_name(ch)
        expected = _expected_words(set(exc.allowed or ()) or _acceptable(exc))
        return error("E100", f"unexpected character {ch_text}; expected {expected}",
                     Span(path, line, col, line, col + 1)), line
    if isinstance(exc, (UnexpectedToken, UnexpectedEOF)):
        tok = exc.token if isinstance(exc, UnexpectedToken) else Token("$END", "")
        expected = _acceptable(exc)
        if tok.type == "$END" or isinstance(exc, UnexpectedEOF):
            end = source.end_span()
            opened = _unclosed_block(attempt)
            if opened:
                what, line, col = opened
                return error("E100", f"expected '}}' to close the {what} opened at {line}:{col}", end,
                             "add the missing '}' (every '{' needs its '}')",
                             ((Span(path, line, col, line, col + 1), f"the {what} opened here"),)), None
            return error("E100", f"unexpected end of file; expected {_expected_words(expected)}", end), None
        span = Span(path, tok.line or 1, tok.column or 1, tok.end_line or tok.line or 1,
                    tok.end_column or (tok.column or 1) + max(len(tok.value), 1))
        if tok.type == "_NL":
            span = Span(path, tok.line, tok.column, tok.line, tok.column + 1)
        message = f"unexpected {_describe_token(tok)}; expected {_expected_words(expected)}"
        hint = _hint_for(tok, expected) or _keyword_hint(lines, tok) or _separator_hint(tok, expected)
        if tok.type == "RBRACE" and "RBRACE" not in expected and _unclosed_block(attempt[: _offset(attempt, tok)]) is None:
            message = "unexpected '}': no block is open here"
            hint = "remove it, or check the braces above"
        return error("E100", message, span, hint), tok.line
    line = getattr(exc, "line", 1) or 1
    return error("E100", "syntax error", Span(path, line, 1, line, 2)), line


def _acceptable(exc: UnexpectedInput) -> set[str]:
    """The terminals that would really let the parse go on.

    Lark reports the lookaheads of a merged LALR state (and the lexer adds
    the always-accepted newline); feeding each candidate to a copy of the
    parser state, without callbacks, gives the exact set, as Lark's
    ``InteractiveParser.accepts`` does.
    """
    expected = set(getattr(exc, "expected", None) or ())
    state = getattr(exc, "state", None)
    if state is None or not hasattr(state, "parse_conf"):
        return expected
    conf = copy(state.parse_conf)
    conf.callbacks = {}
    accepted = set()
    for term in state.parse_conf.parse_table.states[state.position]:
        if not term.isupper() and term != "$END":
            continue
        trial = state.copy(deepcopy_values=False)
        trial.parse_conf = conf
        try:
            trial.feed_token(Token(term, ""), is_end=term == "$END")
        except UnexpectedInput:
            continue
        except Exception:  # a reduction that needs real values: count it in
            pass
        accepted.add(term)
    return accepted or expected


def _hint_for(tok: Token, expected: set[str]) -> str | None:
    if tok.type == "NAME" and "STRING" in expected and len(expected) <= 3:
        return f'put text in double quotes: "{tok.value}"'
    if tok.type == "STRING" and expected == {"NAME"}:
        return f"write a name without quotes: {tok.value[1:-1].replace(' ', '_')}"
    return None


def _keyword_hint(lines: list[str], tok: Token) -> str | None:
    """A misspelt or capitalised keyword starting the statement that failed
    (`Journey`, `tuchpoint`) parses as an element until its title string
    or its block."""
    from copisdsl.hints import closest

    if tok.type not in ("STRING", "LBRACE") or not 1 <= (tok.line or 0) <= len(lines):
        return None
    text = lines[tok.line - 1][: (tok.column or 1) - 1]
    for sep in "{};":
        text = text.rsplit(sep, 1)[-1]
    words = text.split()
    if not words or words[0] in KEYWORDS or not words[0].isidentifier():
        return None
    best = closest(words[0], KEYWORDS)
    if best is None:
        return None
    lower = " (keywords are lowercase)" if best == words[0].lower() else ""
    return f"did you mean '{best}'?{lower}"


def _separator_hint(tok: Token, expected: set[str]) -> str | None:
    """A second statement on the line of one that is complete."""
    if "_NL" in expected and tok.type not in ("_NL", "$END", "RBRACE"):
        return ("the statement before it is complete: start a new line, or put ';' "
                "(or two spaces) between statements on one line")
    return None


def _offset(text: str, tok: Token) -> int:
    return getattr(tok, "start_pos", None) or 0


def _unclosed_block(text: str) -> tuple[str, int, int] | None:
    """The innermost '{' never closed: (what it opens, line, column)."""
    from copisdsl.lexing import misindented_block, open_braces

    stack = open_braces(text)
    if not stack:
        return None
    line, col = misindented_block(text) or stack[-1]
    lines = text.split("\n")
    prefix = lines[line - 1][: col - 1] if line <= len(lines) else ""
    for sep in "{};":
        prefix = prefix.rsplit(sep, 1)[-1]
    head = prefix.split()
    what = "block"
    if head:
        if head[0] in ("journey", "stage", "touchpoint", "persona", "data") and len(head) >= 2:
            what = f"{head[0]} '{head[1]}'"
        elif head[0] in ("clv", "framework"):
            what = f"{head[0]} block"
    return what, line, col


def _blank_line(text: str, line: int) -> str | None:
    """The text with one line blanked, or None when that would unbalance braces."""
    from copisdsl.lexing import brace_balance

    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    if brace_balance(lines[line - 1]) != 0 or not lines[line - 1].strip():
        return None
    lines[line - 1] = " " * len(lines[line - 1])
    return "\n".join(lines)
