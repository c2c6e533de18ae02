"""What ``copis fmt`` does with a file's bytes, apart from the layout: the
text is decoded as the checker decodes it, a UTF-8 byte order mark and
the file's line endings (LF, CRLF or CR) are kept, a read-only file is never
replaced, and the new content replaces the old in one step."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from copisdsl.diagnostics import Diagnostic
from copisdsl.source import lf_lines, line_ending

_BOM = "\ufeff"


class FormatFileError(Exception):
    """A file that cannot be read or written (the message says why)."""


@dataclass(frozen=True, slots=True)
class Formatted:
    """One source formatted: ``text`` as decoded, ``formatted`` (``None``
    when it cannot be formatted; ``diagnostics`` say why) and the bytes to
    write back."""

    text: str
    formatted: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    bom: str = ""

    @property
    def changed(self) -> bool:
        return self.formatted is not None and self.formatted != self.text

    def encoded(self) -> bytes:
        """The formatted text as the file's bytes (its byte order mark kept)."""
        return (self.bom + self.formatted).encode("utf-8")


def bom_of(data: bytes) -> str:
    """The UTF-8 byte order mark ``data`` starts with, or nothing (the text
    is decoded without it, and it is written back: some Windows editors
    rely on it)."""
    return _BOM if data.startswith(_BOM.encode("utf-8")) else ""


def format_text(text: str, name: str) -> tuple[str | None, list[Diagnostic]]:
    """``format_source`` keeping the text's line endings: every line ends as
    its first does (LF, CRLF or a lone CR). Raises ``UnsafeFormatError`` as
    it does."""
    from copisdsl.workflow.fmt import format_source

    ending = line_ending(text)
    out, diagnostics = format_source(lf_lines(text).replace("\r\n", "\n"), name)
    if out is None:
        return None, diagnostics
    return (out.replace("\n", ending) if ending != "\n" else out), diagnostics


def format_bytes(data: bytes, name: str, what: str = "file") -> Formatted:
    """Decode and format a file's bytes. Raises ``UnsafeFormatError``."""
    from copisdsl.api import decode_source

    text, problems = decode_source(data, name, what)
    if problems:
        return Formatted(text, None, problems)
    out, diagnostics = format_text(text, name)
    return Formatted(text, out, diagnostics, bom_of(data))


def read_bytes(path: Path) -> bytes:
    """A journey file's bytes; ``FormatFileError`` when it cannot be read."""
    from copisdsl.api import read_file

    try:
        return read_file(path)
    except OSError as exc:
        raise FormatFileError(f"cannot read the file ({exc.strerror or exc})") from exc


def write_formatted(path: Path, result: Formatted) -> None:
    """Replace ``path`` with the formatted text in one step, keeping its
    permissions; ``FormatFileError`` when it is read-only or cannot be written."""
    from copisdsl.files import replace_if_unchanged

    if not os.access(path, os.W_OK):  # replacing the file would get around its protection
        raise FormatFileError("the file is read-only; left unchanged")
    try:
        replace_if_unchanged(path, (result.bom + result.text).encode("utf-8"), result.encoded())  # a save made meanwhile wins
    except OSError as exc:
        raise FormatFileError(f"cannot write the file ({exc.strerror or exc})") from exc
