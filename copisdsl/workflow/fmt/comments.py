"""Where the formatter puts comments: the pool of a file's comments, taken
as the layout passes them, and the rules that keep each one beside the code
it was written next to (trailing, after ``{``, own line, above a statement)."""

from __future__ import annotations

from dataclasses import dataclass

from copisdsl.source import Span
from copisdsl.syntax import nodes as n
from copisdsl.workflow.fmt.printer import HARD

Pos = tuple[int, int]
END: Pos = (1 << 30, 0)


def start(span: Span) -> Pos:
    return (span.line, span.column)


def end(span: Span) -> Pos:
    return (span.end_line, span.end_column)


def close(span: Span) -> Pos:
    """Where the closing character of a span (``}`` or ``)``) sits."""
    return (span.end_line, span.end_column - 1)


@dataclass(slots=True)
class Item:
    """A statement or a free-standing comment in a block body."""

    start: int  # first source line (leading comments included)
    end: int  # last source line
    lines: list[str]
    block: bool = False
    statement: bool = False


@dataclass(slots=True)
class Placed:
    """The comments of a block body that sit between its statements."""

    open_comment: str | None  # the comment after ``{`` on its line
    trailing: dict[int, list[n.Comment]]  # statement index -> comments at the end of its line
    own_lines: list[tuple[Pos, Item]]  # comments on lines of their own


class Comments:
    """A file's comments in source order; each is taken once."""

    def __init__(self, comments: list[n.Comment]) -> None:
        self.comments = sorted(comments, key=lambda c: start(c.span))
        self.used: set[int] = set()

    def take(self, after: Pos, before: Pos) -> list[n.Comment]:
        """The comments not yet taken that start in [after, before), now taken."""
        found = []
        for i, c in enumerate(self.comments):
            if i not in self.used and after <= start(c.span) < before:
                self.used.add(i)
                found.append(c)
        return found

    def gap(self, after: Pos, before: Pos, soft, breakable: bool):
        """What separates two tokens: ``soft`` or, when comments sit between
        them in the source (and a line may break there), those comments."""
        if not breakable:
            return soft
        found = self.take(after, before)
        if not found:
            return soft
        parts: list = []
        for i, c in enumerate(found):
            if i == 0 and c.span.line == after[0]:
                parts += ["  " + c.text, HARD]
            else:
                if i == 0:
                    parts.append(HARD)
                parts += [c.text, HARD]
        return parts

    def between_statements(self, spans: list[Span], after: Pos, before: Pos, open_line: int) -> Placed:
        """Take the comments in [after, before) outside every statement of
        ``spans`` and say where each goes."""
        placed = Placed(None, {}, [])
        for index, c in enumerate(self.comments):
            pos = start(c.span)
            if index in self.used or not after <= pos < before:
                continue
            if any(start(sp) <= pos < end(sp) for sp in spans):
                continue
            self.used.add(index)
            ended = [i for i, sp in enumerate(spans) if end(sp) <= pos]
            last = max(ended, key=lambda i: end(spans[i]), default=None)
            if last is not None and spans[last].end_line == c.span.line:
                placed.trailing.setdefault(last, []).append(c)
            elif c.span.line == open_line and last is None:
                placed.open_comment = c.text
            else:
                placed.own_lines.append((pos, Item(c.span.line, c.span.line, [c.text])))
        return placed


def attach_leading(items: list[Item]) -> list[Item]:
    """Comments directly above a statement (no blank line between) move with it."""
    out: list[Item] = []
    for item in items:
        if item.statement:
            while out and not out[-1].statement and out[-1].end == item.start - 1:
                comment = out.pop()
                item = Item(comment.start, item.end, comment.lines + item.lines, item.block, True)
        out.append(item)
    return out
