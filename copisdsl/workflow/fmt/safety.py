"""The formatter's safety check, as black's: the formatted text must parse
to the same tree (spans aside), keep every comment and be a fixed point of
the formatter; otherwise nothing may be written."""

from __future__ import annotations

from copisdsl.syntax import nodes as n


class UnsafeFormatError(Exception):
    """The formatter produced text that does not mean the same as its input
    (a bug in the formatter; the file must be left alone)."""


def verify(doc: n.Document, comments: list[n.Comment], out: str, path: str, width: int) -> None:
    """Raise ``UnsafeFormatError`` unless ``out`` is a safe formatting of ``doc``."""
    from copisdsl.syntax.parser import parse
    from copisdsl.syntax.scanning import comments_and_strings
    from copisdsl.workflow.fmt.layout import Formatter

    again, diags = parse(out, path)
    if again is None:
        first = diags[0] if diags else None
        where = f" (line {first.span.line}: {first.message})" if first else ""
        raise UnsafeFormatError(f"the formatted text does not parse{where}")
    if again != doc:
        raise UnsafeFormatError("the formatted text parses to a different journey")
    kept, strings = comments_and_strings(out, path)
    if sorted(c.text for c in kept) != sorted(c.text for c in comments):
        raise UnsafeFormatError("the formatted text lost or changed a comment")
    if Formatter(kept, strings, width).document(again) != out:
        raise UnsafeFormatError("formatting the formatted text changes it again")
