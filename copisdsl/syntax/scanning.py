"""Scanners over the tokenizer's lexemes, for what needs strings and
comments told apart without a parser: the formatter's comments and string
positions, and the braces that syntax messages talk about."""

from __future__ import annotations

from copisdsl.source import Span
from copisdsl.syntax import nodes as n
from copisdsl.syntax.tokens import lexemes

_PUNCT = frozenset({"PUNCT"})
_COMMENTS_AND_STRINGS = frozenset({"COMMENT", "STRING"})


def _braces(text: str):
    """(brace, line, column) of every '{' and '}' outside strings and comments."""
    for lex in lexemes(text, _PUNCT):
        if lex.value in "{}":
            yield lex.value, lex.line, lex.column


def open_braces(text: str) -> list[tuple[int, int]]:
    """Positions (line, column) of the '{' still open at the end of ``text``."""
    stack: list[tuple[int, int]] = []
    for ch, line, col in _braces(text):
        if ch == "{":
            stack.append((line, col))
        elif stack:
            stack.pop()
    return stack


def misindented_block(text: str) -> tuple[int, int] | None:
    """The first '{' whose '}' is indented unlike the line that opened it.

    When a block is never closed, the braces after it pair up wrongly; the
    first closing brace that starts its line at another indentation than its
    opener's line points at the block that most likely lacks its '}'.
    """
    lines = text.split("\n")
    stack: list[tuple[int, int]] = []
    for ch, line, col in _braces(text):
        if ch == "{":
            stack.append((line, col))
        elif stack:
            open_line, open_col = stack.pop()
            closing = lines[line - 1]
            if open_line == line or closing[: col - 1].strip():
                continue  # same line, or not the first thing on its line
            opener = lines[open_line - 1]
            if len(opener) - len(opener.lstrip()) != col - 1:
                return open_line, open_col
    return None


def brace_balance(line_text: str) -> int:
    """Opened minus closed braces on one line, outside strings and comments."""
    return sum(1 if ch == "{" else -1 for ch, _, _ in _braces(line_text))


def comments_and_strings(text: str, file: str = "") -> tuple[list[n.Comment], list[Span]]:
    """Every ``#`` comment with its span, and the span of every string, in order."""
    comments: list[n.Comment] = []
    strings: list[Span] = []
    for lex in lexemes(text, _COMMENTS_AND_STRINGS):
        if lex.kind == "COMMENT":
            body = lex.value.rstrip()
            comments.append(n.Comment(body, span=Span(file, lex.line, lex.column, lex.line,
                                                      lex.column + len(body))))
        elif lex.kind == "STRING":
            strings.append(Span(file, lex.line, lex.column, lex.line, lex.column + len(lex.value)))
    return comments, strings


def scan_comments(text: str, file: str = "") -> list[n.Comment]:
    """Every ``#`` comment with its span, outside strings."""
    return comments_and_strings(text, file)[0]
