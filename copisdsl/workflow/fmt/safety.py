"""The formatter's safety check, as black's: the formatted text must parse
to the same tree (spans aside), keep every comment and be a fixed point of
the formatter; otherwise nothing may be written."""

from __future__ import annotations

from copisdsl.syntax import nodes as n


class UnsafeFormatError(Exception):
    """The formatter produced text that does not mean the same as its input
    (a bug in the formatter; the file must be left alone)."""


class SuppressionMovedError(UnsafeFormatError):
    """The canonical layout would move what a ``# copis: ignore[...]``
    comment suppresses off the comment's line, so that the file reports
    what it did not: not a bug, but a file to be left alone all the same
    (the message says what to change)."""


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


def verify_suppressions(text: str, comments: list[n.Comment], out: str, kept: list[n.Comment], path: str) -> None:
    """Raise ``SuppressionMovedError`` unless each line suppression of
    ``out`` (``kept``, its comments) suppresses the diagnostics that it
    does in ``text``: a suppression holds for what starts on its line, and
    the layout moves statements between lines."""
    from copisdsl.api import checked
    from copisdsl.checks.suppression import line_suppressions

    before, after = line_suppressions(comments), line_suppressions(kept)
    if not before:
        return
    found, again = checked(text, path).diagnostics, checked(out, path).diagnostics

    def suppressed(diagnostics, line: int, codes: frozenset[str]) -> list[str]:
        return sorted(d.code for d in diagnostics if d.span.line == line and d.code in codes and not d.is_error)

    for (line, codes), (moved, _) in zip(before, after):
        if suppressed(found, line, codes) != suppressed(again, moved, codes):
            raise SuppressionMovedError(
                f"the canonical layout would move what the suppression on line {line} "
                f"(ignore[{', '.join(sorted(codes))}]) suppresses off its line; put each statement it "
                "suppresses on a line of its own, with the comment at the end of that line")
