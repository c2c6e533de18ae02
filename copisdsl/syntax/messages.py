"""Syntax errors in words: a Lark parse error -> an E100 diagnostic.

"expected '}' to close the stage 'purchase' opened at 4:3", "invalid number
'90D'", "did you mean 'touchpoint'?". Imported, with Lark, only when a file
has a syntax error (``copisdsl.syntax.parser``).
"""

from __future__ import annotations

import re
from copy import copy

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from copisdsl.diagnostics import Diagnostic, error
from copisdsl.language import STATEMENT_KEYWORDS as KEYWORDS
from copisdsl.source import CONTROL, NONCHARACTERS, SourceFile, Span, source_lines
from copisdsl.syntax.tokens import KEYWORDS as TERMINALS, PUNCTUATION


# How an expected terminal is named: punctuation as itself, the others in words.
_WORDS = {kind: f"'{mark}'" for mark, kind in PUNCTUATION.items() if kind != "CMP"}
_WORDS.update({
    "STRING": "a string", "NAME": "a name", "NUMBER_POS": "a number",
    "PERCENT_POS": "a percent", "DURATION_POS": "a duration like 90d",
    "DATE": "a date (YYYY-MM-DD)", "_NL": "a new line", "$END": "the end of the file",
    "CMP": "a comparison (== != < <= > >=)",
})
_STATEMENT_STARTS = {TERMINALS[k] for k in KEYWORDS}


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


def diagnose(exc: UnexpectedInput, source: SourceFile, attempt: str) -> tuple[Diagnostic, int | None]:
    """An E100 for a Lark error, and the line to blank for recovery (or None)."""
    path = source.path
    lines = source_lines(attempt)
    if isinstance(exc, UnexpectedCharacters):
        line, col = exc.line, exc.column
        reason = getattr(exc, "reason", None)
        if reason:
            return error("E100", reason, Span(path, line, col, line, col + 1), getattr(exc, "hint", None)), line
        ch = attempt[exc.pos_in_stream] if exc.pos_in_stream < len(attempt) else ""
        if ch == '"':
            bad = _control_in_string(attempt, exc.pos_in_stream)
            if bad is not None:
                at = col + bad - exc.pos_in_stream
                what = "noncharacter" if attempt[bad] in NONCHARACTERS else "control character"
                return error("E100", f"{what} {_char_name(attempt[bad])} in a string",
                             Span(path, line, at, line, at + 1),
                             "remove it; write \\n for a line break"), line
            end = len(lines[line - 1]) + 1 if line <= len(lines) else col + 1
            return error("E100", "unterminated string: expected '\"' before the end of the line",
                         Span(path, line, col, line, max(end, col + 1)),
                         "close the string with '\"' on the same line (write \\n for a line break)"), line
        if ch and "0" <= ch <= "9":
            word = exc.word  # as the tokenizer read it
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
        if tok.type == "RBRACE" and "RBRACE" not in expected and _unclosed_block(attempt[: _offset(tok)]) is None:
            message = f"unexpected '}}': no block is open here; expected {_expected_words(expected)}"
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
    (`Journey`, `tuchpoint`, `kpii a = 1`, `flwo a -> b`) parses as an
    element until its title string, its block or whatever no element
    holds (`=`, `->`, a second value)."""
    from copisdsl.hints import closest

    if tok.type in ("_NL", "$END") or not 1 <= (tok.line or 0) <= len(lines):
        return None
    text = lines[tok.line - 1][: (tok.column or 1) - 1]
    for sep in "{};":
        text = text.rsplit(sep, 1)[-1]
    words = text.split()
    if not words or words[0] in KEYWORDS or not words[0].isidentifier():
        return None
    # Stopped at a title or a block, the word can only have been a keyword;
    # elsewhere (`=`, `->`, a second value) it may be an element with a
    # typo of its own (`painpoint "x" 3`): only a near miss is a keyword.
    best = closest(words[0], KEYWORDS, 0.6 if tok.type in ("STRING", "LBRACE") else 0.75)
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


def _offset(tok: Token) -> int:
    return getattr(tok, "start_pos", None) or 0


def _unclosed_block(text: str) -> tuple[str, int, int] | None:
    """The innermost '{' never closed: (what it opens, line, column)."""
    from copisdsl.syntax.scanning import misindented_block, open_braces

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


def blank_line(text: str, line: int) -> str | None:
    """The text with one line blanked, or None when that would unbalance braces."""
    from copisdsl.syntax.scanning import brace_balance

    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    if brace_balance(lines[line - 1]) != 0 or not lines[line - 1].strip():
        return None
    lines[line - 1] = " " * len(lines[line - 1])
    return "\n".join(lines)
