"""Small scanners that understand strings and comments (no parser needed)."""

from __future__ import annotations

from copisdsl.syntax import nodes as n
from copisdsl.source import Span


def _walk(text: str):
    """Yield (index, char, line, column) for characters outside strings and comments."""
    line, col = 1, 1
    i = 0
    size = len(text)
    while i < size:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < size and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            col += min(j, size - 1) - i + 1
            i = j + 1 if j < size and text[j] == '"' else j
            continue
        if ch == "#":
            while i < size and text[i] != "\n":
                i += 1
            continue
        yield i, ch, line, col
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
        i += 1


def open_braces(text: str) -> list[tuple[int, int]]:
    """Positions (line, column) of the '{' still open at the end of ``text``."""
    stack: list[tuple[int, int]] = []
    for _, ch, line, col in _walk(text):
        if ch == "{":
            stack.append((line, col))
        elif ch == "}" and stack:
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
    for _, ch, line, col in _walk(text):
        if ch == "{":
            stack.append((line, col))
        elif ch == "}" and stack:
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
    return sum(1 if ch == "{" else -1 for _, ch, _, _ in _walk(line_text) if ch in "{}")


def scan_comments(text: str, file: str = "") -> list[n.Comment]:
    """Every ``#`` comment with its span, outside strings."""
    out = []
    lines = text.split("\n")
    for lineno, line_text in enumerate(lines, 1):
        if "#" not in line_text:
            continue
        in_string = False
        i = 0
        while i < len(line_text):
            ch = line_text[i]
            if in_string:
                if ch == "\\":
                    i += 2
                    continue
                if ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "#":
                body = line_text[i:].rstrip()
                out.append(n.Comment(body, span=Span(file, lineno, i + 1, lineno, i + 1 + len(body))))
                break
            i += 1
    return out
