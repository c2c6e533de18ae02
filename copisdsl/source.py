"""Source text, spans and caret snippets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

#: Control characters (C0 but tab, DEL, C1), as a regular-expression class
#: body: strings may not hold them (SVG is XML; terminals obey them); with
#: them the noncharacters U+FFFE and U+FFFF, which XML does not allow either
#: (Graphviz refused every picture of a title holding one).
NONCHARACTERS = "\ufffe\uffff"
CONTROL_CHARS = r"\x00-\x08\x0a-\x1f\x7f-\x9f" + "".join(f"\\u{ord(c):04x}" for c in NONCHARACTERS)
CONTROL = re.compile(f"[{CONTROL_CHARS}]")
#: Bidirectional embedding, override and isolate controls: they reorder how
#: text is displayed (W310); every output shows them as visible marks.
BIDI_CHARS = "\u202a-\u202e\u2066-\u2069"
BIDI = re.compile(f"[{BIDI_CHARS}]")
_UNPRINTABLE = re.compile(f"[\t{CONTROL_CHARS}{BIDI_CHARS}]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _marked(match: re.Match) -> str:
    return f"[U+{ord(match.group()):04X}]"


def bidi_marked(text: str) -> str:
    """``text`` with each bidirectional control replaced by a visible mark
    (``[U+202E]``): what reports and pictures show in its place, so that
    no string reorders what is around it."""
    return BIDI.sub(_marked, text) if BIDI.search(text) else text


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (a newline
    too, which would forge a line) and bidirectional controls shown escaped,
    as ``\\x1b`` or ``\\u202e``. The one choke point for what reaches a
    terminal: file names, messages, hints."""
    return _UNPRINTABLE.sub(_escaped, text) if _UNPRINTABLE.search(text) else text


class Span(NamedTuple):
    """A region of a file: 1-based lines and columns, ``end_column`` exclusive.

    A named tuple rather than a frozen dataclass: a large journey makes
    hundreds of thousands of spans, and a tuple is built three times faster.
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def start(self) -> tuple[int, int]:
        return (self.line, self.column)

    def where(self) -> str:
        """``line:column``, as messages name other locations."""
        return f"{self.line}:{self.column}"

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of ``other``."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column)


NO_SPAN = Span("", 1, 1, 1, 1)


def shown_path(path) -> str:
    """A path as text to show: a name that is not UTF-8 gets U+FFFD where
    its bad bytes are (reports and terminals take UTF-8 only), and control
    characters are shown escaped (``printable``)."""
    return printable(path.as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


_LONE_CR = re.compile(r"\r(?!\n)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def lf_lines(text: str) -> str:
    """``text`` with each lone CR (the line end of classic Mac files) as LF.

    The one definition of what ends a line: LF, CRLF or a lone CR (as in
    LSP), and nothing else (``str.splitlines`` also breaks at form feeds,
    U+2028 and others, which would show the wrong line under a caret). The
    result has the same length, so offsets, lines and columns found in it
    hold for ``text`` too; CRLF is left (the tokenizer reads it)."""
    return _LONE_CR.sub("\n", text) if "\r" in text else text


def line_ending(text: str) -> str:
    """The line end a text uses (its first: LF, CRLF or CR; LF if none)."""
    first = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=-1)
    if first < 0 or text[first] == "\n":
        return "\n"
    return "\r\n" if text.startswith("\n", first + 1) else "\r"


def source_lines(text: str) -> list[str]:
    """The lines of a text as diagnostics count them (``lf_lines``), without
    their line ends."""
    lines = lf_lines(text).split("\n")
    if lines[-1] == "":  # nothing after the last newline (or an empty text): no line there
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def lines_with_ends(text: str) -> list[str]:
    """The lines of a text as ``source_lines`` counts them, each with its
    line end as written (the last may have none): what a patch is made of."""
    return _LINE.findall(text)


def position(before: str) -> tuple[int, int]:
    """The 1-based line and column just after ``before``."""
    before = lf_lines(before)
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file's name and decoded text, with its lines for snippets."""

    path: str
    text: str

    @property
    def lines(self) -> list[str]:
        return source_lines(self.text)

    def end_span(self) -> Span:
        """A zero-width span at the end of the text (for 'unexpected end of file')."""
        lines = self.lines
        last = len(lines) or 1
        col = len(lines[-1]) + 1 if lines else 1
        return Span(self.path, last, col, last, col + 1)


def decode(data: bytes, path: str) -> tuple[str, tuple[int, int, str] | None]:
    """Decode UTF-8 bytes (a leading BOM is dropped).

    Returns the text and, when the bytes are not valid UTF-8, the line,
    column and a description of the first bad byte; the text is then decoded
    with replacement characters so that the rest can still be shown.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line, column = position(data[: exc.start].decode("utf-8", errors="replace"))
        bad = data[exc.start : exc.start + 1]
        return data.decode("utf-8", errors="replace"), (line, column, f"byte 0x{bad.hex()}")
