"""The canonical formatter behind ``copis fmt``.

``format_source(text, path)`` returns the canonical layout of a journey, or
``None`` and the syntax diagnostics when the text does not parse. The layout:

- two spaces per indentation level, one statement per line (one-line blocks
  and ``;``-separated statements are spread out), ``{}`` for an empty block;
- the user's order of statements, and the user's blank lines between them
  (several collapse to one, none after ``{`` or before ``}``); two blocks that
  sit directly in the journey are always separated by one blank line;
- lists (values, call arguments) wrapped after commas when a line would
  pass ``WIDTH`` columns, continuation lines aligned with the first item
  (a flow stays on one line: the language allows no break after ``->``);
- numbers, percents, durations and dates as written, strings re-escaped,
  the user's parentheses kept, one space around binary operators;
- every comment kept where it was: own-line comments on their own line at
  the indentation of the code around them, trailing comments two spaces
  after the statement, comments inside a wrapped list after the item they
  followed.

Like black, the result is checked before it is returned: it must parse to
the same tree (spans aside), keep every comment and be a fixed point of the
formatter; otherwise ``UnsafeFormatError`` is raised and nothing should be
written. Each ``# copis: ignore[...]`` comment must also stay on the line of
the very statements it stood beside, or ``SuppressionMovedError`` (an
``UnsafeFormatError``) says which would lose them.

The package: ``printer`` (a generic document printer), ``comments`` (where
comments go), ``layout`` (statements and expressions as documents),
``safety`` (the check above) and ``policy`` (what ``copis fmt`` does with a
file: encoding, byte order mark, line endings, read-only files, atomic
writing).
"""

from __future__ import annotations

from copisdsl.diagnostics import Diagnostic
from copisdsl.syntax.unparse import quote
from copisdsl.workflow.fmt.layout import WIDTH, Formatter
from copisdsl.workflow.fmt.safety import SuppressionMovedError, UnsafeFormatError, verify

__all__ = ["WIDTH", "SuppressionMovedError", "UnsafeFormatError", "format_source", "quote"]


def format_source(text: str, path: str = "<input>", *, width: int = WIDTH,
                  safe: bool = True) -> tuple[str | None, list[Diagnostic]]:
    """The canonical layout of ``text``.

    Returns ``(formatted, diagnostics)``; ``formatted`` is ``None`` when the
    text has syntax errors (the diagnostics say which). With ``safe`` the
    result is verified (same tree, same comments, stable) and
    ``UnsafeFormatError`` is raised when it is not.
    """
    from copisdsl.syntax.parser import parse
    from copisdsl.syntax.scanning import comments_and_strings

    doc, diagnostics = parse(text, path)
    if doc is None:
        return None, diagnostics
    comments, strings = comments_and_strings(text, path)
    out = Formatter(comments, strings, width).document(doc)
    if safe:
        verify(doc, comments, out, path, width)
    return out, diagnostics
