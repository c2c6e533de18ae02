"""Writing DOT text: quoting, HTML-like labels and a small graph builder.

Every user string that reaches DOT goes through ``quote`` (a double-quoted
DOT string) or ``text`` (the content of an HTML-like label), so that no
title, value or label can end a string, open a tag or trigger one of
Graphviz's escapes (``\\N``, ``\\G`` ...).
"""

from __future__ import annotations

import textwrap

from copisdsl.source import bidi_marked

FONT = "Helvetica"
INK = "#1f2328"  # text
MUTED = "#57606a"  # secondary text, 6.4:1 on white
LINE = "#d0d7de"  # borders
PANEL = "#f6f8fa"  # stage backgrounds


class Html(str):
    """An HTML-like label's content: written between ``<`` and ``>``."""


_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "\\\\"})
_QUOTE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\n"})


def text(value: str) -> str:
    """User text escaped for an HTML-like label; newlines become breaks.
    Backslashes are doubled: Graphviz expands ``\\N``, ``\\G`` ... even inside
    HTML-like labels (after decoding entities, so ``&#92;`` would not do)."""
    escaped = bidi_marked(value).translate(_TEXT)
    return "<BR/>".join(escaped.splitlines()) if "\n" in escaped or "\r" in escaped else escaped


def quote(value: str) -> str:
    """A double-quoted DOT string; backslashes are doubled so that Graphviz's
    escapes (``\\N``, ``\\l`` ...) never apply to user text."""
    return '"' + bidi_marked(value).replace("\r\n", "\n").translate(_QUOTE) + '"'


#: the longest word ``wrap`` keeps whole when asked not to break words
MAX_WORD = 200


def _pieces(word: str) -> str:
    return " ".join(word[i:i + MAX_WORD] for i in range(0, len(word), MAX_WORD))


def wrap(value: str, width: int, max_lines: int | None = None, *, break_words: bool = True) -> list[str]:
    """``value`` broken into lines of about ``width`` characters (long words
    are split unless ``break_words`` is false: then a longer word has a line
    of its own), the last line ending in an ellipsis when cut short."""
    if len(value) <= width and "\n" not in value and "\r" not in value:
        return [value]  # the common case, and textwrap is slow
    lines: list[str] = []
    for part in value.splitlines() or [""]:
        if not break_words and len(part) > MAX_WORD:
            # a "word" that long is none: split it too (Graphviz refuses an HTML label over 16,384 characters)
            part = " ".join(_pieces(word) if len(word) > MAX_WORD else word for word in part.split(" "))
        lines += textwrap.wrap(part, width, break_long_words=break_words, break_on_hyphens=break_words) or [""]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        lines[-1] = (last[: width - 1].rstrip() if len(last) >= width else last) + "\u2026"
    return lines


def wrapped(value: str, width: int, max_lines: int | None = None) -> str:
    """``wrap`` as escaped label text with ``<BR/>`` between lines."""
    return "<BR/>".join(text(line) for line in wrap(value, width, max_lines))


def _value(value: object) -> str:
    if isinstance(value, Html):
        return f"<{value}>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return quote(str(value))


def attrs(items: dict[str, object]) -> str:
    """``[key=value ...]`` in the given order (empty when there are none)."""
    if not items:
        return ""
    return "[" + " ".join(f"{k}={_value(v)}" for k, v in items.items()) + "]"


class Graph:
    """A DOT graph written line by line, in the order statements are added."""

    def __init__(self, name: str, *, directed: bool = True) -> None:
        self.name = name
        self.directed = directed
        self.lines: list[str] = []
        self.depth = 1

    def _add(self, line: str) -> None:
        self.lines.append("  " * self.depth + line)

    def defaults(self, kind: str, **items: object) -> None:
        """``graph``/``node``/``edge`` default attributes."""
        self._add(f"{kind} {attrs(items)}")

    def node(self, node_id: str, **items: object) -> None:
        self._add(f"{quote(node_id)} {attrs(items)}".rstrip())

    def edge(self, source: str, target: str, **items: object) -> None:
        arrow = "->" if self.directed else "--"
        self._add(f"{quote(source)} {arrow} {quote(target)} {attrs(items)}".rstrip())

    def open(self, name: str, **items: object) -> None:
        """Start a subgraph (a cluster when ``name`` starts with ``cluster``)."""
        self._add(f"subgraph {quote(name)} {{")
        self.depth += 1
        for key, value in items.items():
            self._add(f"{key}={_value(value)}")

    def close(self) -> None:
        self.depth -= 1
        self._add("}")

    def source(self) -> str:
        """The DOT text, ending in a newline."""
        head = f"{'digraph' if self.directed else 'graph'} {quote(self.name)} {{"
        return "\n".join([head, *self.lines, "}"]) + "\n"
