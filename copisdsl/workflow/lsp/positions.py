"""Positions between copisdsl and LSP: the one place that converts them.

Spans count 1-based lines and columns in code points; LSP counts 0-based
lines and columns in UTF-16 code units (a character outside the Basic
Multilingual Plane, like most emoji, is two of them). Lines are those of
``copisdsl.source.source_lines``: LF, CRLF or a lone CR ends one (as in LSP).
"""

from __future__ import annotations

from copisdsl.source import Span, lf_lines, source_lines


def utf16_length(text: str) -> int:
    """How many UTF-16 code units ``text`` takes."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class Lines:
    """A text's lines, to convert positions both ways."""

    def __init__(self, text: str) -> None:
        self.text = lf_lines(text)  # the same length: offsets into it are offsets into ``text``
        self.lines = source_lines(self.text)

    def line(self, index: int) -> str:
        """Line ``index`` (0-based); empty past the end."""
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def to_lsp(self, line: int, column: int) -> tuple[int, int]:
        """1-based (line, code-point column) -> 0-based (line, UTF-16 character)."""
        text = self.line(line - 1)
        return line - 1, utf16_length(text[: max(column - 1, 0)])

    def from_lsp(self, line: int, character: int) -> tuple[int, int]:
        """0-based (line, UTF-16 character) -> 1-based (line, code-point column).
        A character inside a surrogate pair, or past the end, is clamped."""
        text = self.line(line)
        units = 0
        for index, ch in enumerate(text):
            step = 2 if ord(ch) > 0xFFFF else 1
            if units + step > character:
                return line + 1, index + 1
            units += step
        return line + 1, len(text) + 1

    def span_range(self, span: Span) -> tuple[tuple[int, int], tuple[int, int]]:
        """A span's start and end as LSP (line, character) pairs."""
        return self.to_lsp(span.line, span.column), self.to_lsp(span.end_line, span.end_column)

    def offset(self, line: int, column: int) -> int:
        """The offset in ``text`` of a 1-based (line, code-point column)."""
        start = 0
        for _ in range(line - 1):
            newline = self.text.find("\n", start)
            if newline < 0:
                return len(self.text)
            start = newline + 1
        return min(start + column - 1, len(self.text))

    def end(self) -> tuple[int, int]:
        """The LSP position just past the text's end."""
        if not self.lines:
            return 0, 0
        if self.text.endswith("\n"):
            return len(self.lines), 0
        return len(self.lines) - 1, utf16_length(self.lines[-1])
