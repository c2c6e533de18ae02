"""A small Wadler/Prettier-style document printer, knowing nothing of the
language: the formatter builds docs, ``render`` lays them out.

A doc is a str, a list of docs, a soft line (``Line``: its flat text, or a
line break when the enclosing group breaks), a hard line (``HARD``), a
group (flat when it fits, else broken), a fill (breaks only the separators
it must) or an alignment (continuation lines start at the column where it
begins).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["HARD", "Align", "Fill", "Group", "Line", "flat_width", "has_hard", "render"]

_FLAT, _BREAK = 0, 1


@dataclass(frozen=True, slots=True)
class Line:
    flat: str


class HardLine:
    __slots__ = ()


HARD = HardLine()


def has_hard(doc) -> bool:
    if isinstance(doc, HardLine):
        return True
    if isinstance(doc, list):
        return any(has_hard(d) for d in doc)
    if isinstance(doc, (_Parts, Fill)):
        return doc.hard
    return False


@dataclass(slots=True)
class _Parts:
    parts: list
    hard: bool = field(init=False)  # whether a hard line is inside: then it always breaks

    def __post_init__(self):
        self.hard = has_hard(self.parts)


class Group(_Parts):
    """Flat when it fits on the line, else broken at each of its soft lines."""

    __slots__ = ()


@dataclass(slots=True)
class Fill:
    parts: list  # content, separator, content, separator, ..., content
    hard: bool = field(init=False)
    hard_from: list = field(init=False)  # [i]: whether parts[i:] hold a hard line

    def __post_init__(self):
        hard_from = [False] * (len(self.parts) + 1)
        for i in range(len(self.parts) - 1, -1, -1):
            hard_from[i] = hard_from[i + 1] or has_hard(self.parts[i])
        self.hard_from = hard_from
        self.hard = hard_from[0]


class _FillRest:
    """A fill from its part ``index`` on: laid out a part at a time, so that
    a list of n values is not copied n times."""

    __slots__ = ("fill", "index")

    def __init__(self, fill: Fill, index: int) -> None:
        self.fill, self.index = fill, index


class Align(_Parts):
    """Its continuation lines start at the column where it begins."""

    __slots__ = ()


def _fits(room: int, cmds: list, rest: list) -> bool:
    """Whether ``cmds`` (then ``rest``, up to its next line break) fit in ``room``."""
    stack = list(reversed(cmds))
    rest_index = len(rest)
    while room >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            stack.append(rest[rest_index])
            continue
        indent, mode, doc = stack.pop()
        if isinstance(doc, str):
            room -= len(doc)
        elif isinstance(doc, list):
            stack.extend((indent, mode, d) for d in reversed(doc))
        elif isinstance(doc, Line):
            if mode == _BREAK:
                return True
            room -= len(doc.flat)
        elif isinstance(doc, HardLine):
            return True
        elif isinstance(doc, _FillRest):
            fill, i = doc.fill, doc.index
            if i < len(fill.parts):
                sub = _BREAK if fill.hard_from[i] else mode
                stack.append((indent, sub, _FillRest(fill, i + 1)))
                stack.append((indent, sub, fill.parts[i]))
        else:
            sub = _BREAK if doc.hard else mode
            stack.extend((indent, sub, d) for d in reversed(doc.parts))
    return False


def render(doc, width: int, indent: int) -> list[str]:
    """Lay a doc out from column ``indent``; returns its lines (the first
    without the indentation)."""
    lines: list[str] = []
    current: list[str] = []
    col = indent
    stack = [(indent, _BREAK, doc)]
    while stack:
        ind, mode, d = stack.pop()
        if isinstance(d, str):
            current.append(d)
            col += len(d)
        elif isinstance(d, list):
            stack.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, Line) and mode == _FLAT:
            current.append(d.flat)
            col += len(d.flat)
        elif isinstance(d, (Line, HardLine)):
            lines.append("".join(current).rstrip())
            current = [" " * ind]
            col = ind
        elif isinstance(d, Align):
            stack.append((col, mode, d.parts))
        elif isinstance(d, Group):
            flat = mode == _FLAT or (not d.hard and _fits(width - col, [(ind, _FLAT, d.parts)], stack))
            stack.append((ind, _FLAT if flat else _BREAK, d.parts))
        elif isinstance(d, Fill):
            stack.append((ind, mode, _FillRest(d, 0)))
        elif isinstance(d, _FillRest):
            _fill_step(d.fill, d.index, ind, mode, col, width, stack)
    lines.append("".join(current).rstrip())
    return lines


def _fill_step(fill: Fill, start: int, ind: int, mode: int, col: int, width: int, stack: list) -> None:
    """Schedule the content at ``start`` of a fill and decide its separator."""
    parts = fill.parts
    if start >= len(parts):
        return
    content = parts[start]
    if start + 1 == len(parts):
        stack.append((ind, _FLAT, content))
        return
    sep, following = parts[start + 1], parts[start + 2]
    after = col + flat_width(content)
    if has_hard(sep):
        sep_mode = _BREAK
    else:
        tail = stack if start + 3 == len(parts) else []  # the last content: what follows the fill too
        sep_mode = _FLAT if _fits(width - after, [(ind, _FLAT, [sep, following])], tail) else _BREAK
    stack.append((ind, mode, _FillRest(fill, start + 2)))
    stack.append((ind, sep_mode, sep))
    stack.append((ind, _FLAT, content))


def flat_width(doc) -> int:
    if isinstance(doc, str):
        return len(doc)
    if isinstance(doc, list):
        return sum(flat_width(d) for d in doc)
    if isinstance(doc, Line):
        return len(doc.flat)
    if isinstance(doc, HardLine):
        return 0
    return sum(flat_width(d) for d in doc.parts)
