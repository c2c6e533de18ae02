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
    """Raise ``UnsafeFormatError`` unless ``out`` is a safe formatting of
    ``doc``: the same tree, every comment, a fixed point, and each line
    suppression on the line of what it suppresses (``SuppressionMovedError``)."""
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
    _suppressions_kept(doc, comments, again, kept)


def _suppressions_kept(doc: n.Document, comments: list[n.Comment], again: n.Document,
                       kept: list[n.Comment]) -> None:
    """``SuppressionMovedError`` unless each ``# copis: ignore[...]`` comment
    of the formatted text (``kept``, in ``again``) stands on the line of the
    very nodes its original stood on, and of no other: a suppression holds
    for the diagnostics that start on its line, and the layout moves
    statements between lines. Told by the trees, not by checking: a data
    warning (W403) is known only once the data is read."""
    from copisdsl.checks.suppression import line_suppressions

    before = line_suppressions(comments)
    if not before:
        return
    after = line_suppressions(kept)
    starts_before, starts_after = _starts(doc), _starts(again)  # the trees are equal: node i is node i
    for (line, codes), (moved, _) in zip(before, after):
        if starts_before.get(line, set()) != starts_after.get(moved, set()):
            raise SuppressionMovedError(
                f"the canonical layout would move the statements beside the suppression on line {line} "
                f"(ignore[{', '.join(sorted(codes))}]) off its line; put each statement it "
                "suppresses on a line of its own, with the comment at the end of that line")


def _starts(doc: n.Document) -> dict[int, set[int]]:
    """For each line, the nodes (by their place in ``walk``) that start on it."""
    out: dict[int, set[int]] = {}
    for i, node in enumerate(n.walk(doc)):
        span = getattr(node, "span", None)
        if span is not None:
            out.setdefault(span.line, set()).add(i)
    return out
