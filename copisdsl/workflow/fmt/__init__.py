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
written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from copisdsl.syntax import nodes as n
from copisdsl.diagnostics import Diagnostic
from copisdsl.source import Span

WIDTH = 100
INDENT = "  "

__all__ = ["WIDTH", "UnsafeFormatError", "format_source", "quote"]


class UnsafeFormatError(Exception):
    """The formatter produced text that does not mean the same as its input
    (a bug in the formatter; the file must be left alone)."""


def quote(text: str) -> str:
    """A string literal for ``text`` (escapes ``\\``, ``"`` and newlines)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def format_source(text: str, path: str = "<input>", *, width: int = WIDTH,
                  safe: bool = True) -> tuple[str | None, list[Diagnostic]]:
    """The canonical layout of ``text``.

    Returns ``(formatted, diagnostics)``; ``formatted`` is ``None`` when the
    text has syntax errors (the diagnostics say which). With ``safe`` the
    result is verified (same tree, same comments, stable) and
    ``UnsafeFormatError`` is raised when it is not.
    """
    from copisdsl.syntax.scanning import scan_comments
    from copisdsl.syntax.parser import parse

    doc, diagnostics = parse(text, path)
    if doc is None:
        return None, diagnostics
    comments = scan_comments(text, path)
    out = _Formatter(text, comments, width).document(doc)
    if safe:
        _verify(doc, comments, out, path, width)
    return out, diagnostics


def _verify(doc: n.Document, comments: list[n.Comment], out: str, path: str, width: int) -> None:
    from copisdsl.syntax.scanning import scan_comments
    from copisdsl.syntax.parser import parse

    again, diags = parse(out, path)
    if again is None:
        first = diags[0] if diags else None
        where = f" (line {first.span.line}: {first.message})" if first else ""
        raise UnsafeFormatError(f"the formatted text does not parse{where}")
    if again != doc:
        raise UnsafeFormatError("the formatted text parses to a different journey")
    kept = scan_comments(out, path)
    if sorted(c.text for c in kept) != sorted(c.text for c in comments):
        raise UnsafeFormatError("the formatted text lost or changed a comment")
    if _Formatter(out, kept, width).document(again) != out:
        raise UnsafeFormatError("formatting the formatted text changes it again")


# ----------------------------------------------------------- document printer
#
# A small Wadler/Prettier-style pretty printer. A doc is a str, a list of
# docs, a soft line (``_Line``: its flat text, or a line break when the
# enclosing group breaks), a hard line, a group (flat when it fits, else
# broken), a fill (breaks only the separators it must) or an alignment
# (continuation lines start at the column where it begins).

_FLAT, _BREAK = 0, 1


@dataclass(frozen=True, slots=True)
class _Line:
    flat: str


class _HardLine:
    __slots__ = ()


HARD = _HardLine()


def _has_hard(doc) -> bool:
    if isinstance(doc, _HardLine):
        return True
    if isinstance(doc, list):
        return any(_has_hard(d) for d in doc)
    if isinstance(doc, (_Group, _Fill, _Align)):
        return doc.hard
    return False


@dataclass(slots=True)
class _Group:
    parts: list
    hard: bool = field(init=False)

    def __post_init__(self):
        self.hard = _has_hard(self.parts)


@dataclass(slots=True)
class _Fill:
    parts: list  # content, separator, content, separator, ..., content
    hard: bool = field(init=False)
    hard_from: list = field(init=False)  # [i]: whether parts[i:] hold a hard line

    def __post_init__(self):
        hard_from = [False] * (len(self.parts) + 1)
        for i in range(len(self.parts) - 1, -1, -1):
            hard_from[i] = hard_from[i + 1] or _has_hard(self.parts[i])
        self.hard_from = hard_from
        self.hard = hard_from[0]


class _FillRest:
    """A fill from its part ``index`` on: laid out a part at a time, so that
    a list of n values is not copied n times."""

    __slots__ = ("fill", "index")

    def __init__(self, fill: _Fill, index: int) -> None:
        self.fill, self.index = fill, index


@dataclass(slots=True)
class _Align:
    parts: list
    hard: bool = field(init=False)

    def __post_init__(self):
        self.hard = _has_hard(self.parts)


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
        elif isinstance(doc, _Line):
            if mode == _BREAK:
                return True
            room -= len(doc.flat)
        elif isinstance(doc, _HardLine):
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


def _render(doc, width: int, indent: int) -> list[str]:
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
        elif isinstance(d, _Line) and mode == _FLAT:
            current.append(d.flat)
            col += len(d.flat)
        elif isinstance(d, (_Line, _HardLine)):
            lines.append("".join(current).rstrip())
            current = [" " * ind]
            col = ind
        elif isinstance(d, _Align):
            stack.append((col, mode, d.parts))
        elif isinstance(d, _Group):
            flat = mode == _FLAT or (not d.hard and _fits(width - col, [(ind, _FLAT, d.parts)], stack))
            stack.append((ind, _FLAT if flat else _BREAK, d.parts))
        elif isinstance(d, _Fill):
            stack.append((ind, mode, _FillRest(d, 0)))
        elif isinstance(d, _FillRest):
            _fill_step(d.fill, d.index, ind, mode, col, width, stack)
    lines.append("".join(current).rstrip())
    return lines


def _fill_step(fill: _Fill, start: int, ind: int, mode: int, col: int, width: int, stack: list) -> None:
    """Schedule the content at ``start`` of a fill and decide its separator."""
    parts = fill.parts
    if start >= len(parts):
        return
    content = parts[start]
    if start + 1 == len(parts):
        stack.append((ind, _FLAT, content))
        return
    sep, following = parts[start + 1], parts[start + 2]
    after = col + _flat_width(content)
    if _has_hard(sep):
        sep_mode = _BREAK
    else:
        tail = stack if start + 3 == len(parts) else []  # the last content: what follows the fill too
        sep_mode = _FLAT if _fits(width - after, [(ind, _FLAT, [sep, following])], tail) else _BREAK
    stack.append((ind, mode, _FillRest(fill, start + 2)))
    stack.append((ind, sep_mode, sep))
    stack.append((ind, _FLAT, content))


def _flat_width(doc) -> int:
    if isinstance(doc, str):
        return len(doc)
    if isinstance(doc, list):
        return sum(_flat_width(d) for d in doc)
    if isinstance(doc, _Line):
        return len(doc.flat)
    if isinstance(doc, _HardLine):
        return 0
    return sum(_flat_width(d) for d in doc.parts)


# ------------------------------------------------------------------ layout

Pos = tuple[int, int]
_END: Pos = (1 << 30, 0)

_BLOCKS = (n.Journey, n.Stage, n.Touchpoint, n.Persona, n.Data, n.Clv, n.Framework)


def _start(span: Span) -> Pos:
    return (span.line, span.column)


def _end(span: Span) -> Pos:
    return (span.end_line, span.end_column)


def _close(span: Span) -> Pos:
    """Where the closing character of a span (``}`` or ``)``) sits."""
    return (span.end_line, span.end_column - 1)


@dataclass(slots=True)
class _Item:
    """A statement or a free-standing comment in a block body."""

    start: int  # first source line (leading comments included)
    end: int  # last source line
    lines: list[str]
    block: bool = False
    statement: bool = False


class _Formatter:
    """Lays out one parsed document, placing the comments of its text."""

    def __init__(self, text: str, comments: list[n.Comment], width: int) -> None:
        self.lines = text.split("\n")
        self.width = width
        self.comments = sorted(comments, key=lambda c: _start(c.span))
        self.used: set[int] = set()

    # -- comments
    def _between(self, start: Pos, end: Pos) -> list[tuple[int, n.Comment]]:
        return [(i, c) for i, c in enumerate(self.comments)
                if i not in self.used and start <= _start(c.span) < end]

    def _take(self, start: Pos, end: Pos) -> list[n.Comment]:
        found = []
        for i, c in enumerate(self.comments):
            if i not in self.used and start <= _start(c.span) < end:
                self.used.add(i)
                found.append(c)
        return found

    def _gap(self, after: Pos, before: Pos, soft, breakable: bool):
        """What separates two tokens: ``soft`` or, when comments sit between
        them in the source (and a line may break there), those comments."""
        if not breakable:
            return soft
        found = self._take(after, before)
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

    # -- documents and bodies
    def document(self, doc: n.Document) -> str:
        """The formatted text of a whole file."""
        lines, _ = self._body(doc.body, (1, 1), _END, 0, 0)
        return "\n".join(lines) + "\n" if lines else ""

    def _body(self, stmts, start: Pos, end: Pos, open_line: int, level: int) -> tuple[list[str], str | None]:
        """Lines of a block body (indented for ``level``) and the comment
        that follows ``{`` on its line, if any."""
        stmts = list(stmts)
        spans = [self._extent(s) for s in stmts]
        free = [(i, c) for i, c in self._between(start, end)
                if not any(_start(sp) <= _start(c.span) < _end(sp) for sp in spans)]
        open_comment = None
        trailing: dict[int, list[n.Comment]] = {}
        items: list[tuple[Pos, _Item]] = []
        for index, c in free:
            pos = _start(c.span)
            self.used.add(index)
            before = [i for i, sp in enumerate(spans) if _end(sp) <= pos]
            last = max(before, key=lambda i: _end(spans[i]), default=None)
            if last is not None and spans[last].end_line == c.span.line:
                trailing.setdefault(last, []).append(c)
            elif c.span.line == open_line and last is None:
                open_comment = c.text
            else:
                items.append((pos, _Item(c.span.line, c.span.line, [c.text])))
        for i, stmt in enumerate(stmts):
            lines = self._statement(stmt, level)
            for c in trailing.get(i, []):
                lines[-1] += "  " + c.text
            block = isinstance(stmt, _BLOCKS) and len(lines) > 1
            span = spans[i]
            items.append((_start(span), _Item(span.line, span.end_line, lines, block, True)))
        items.sort(key=lambda pair: pair[0])
        merged = _attach_leading([item for _, item in items])
        pad = INDENT * level
        out: list[str] = []
        for k, item in enumerate(merged):
            if k:
                prev = merged[k - 1]
                blank = item.start - prev.end > 1 or (level <= 1 and prev.block and item.block)
                if blank:
                    out.append("")
            out += [pad + line if line else line for line in item.lines]
        return out, open_comment

    def _statement(self, stmt, level: int) -> list[str]:
        """A statement's lines, relative to its indentation (comments inside
        it that have no place in the layout come first, on their own lines)."""
        if isinstance(stmt, _BLOCKS):
            lines = self._block(stmt, level)
        else:
            doc = self._simple(stmt)
            lines = _render(doc, self.width, len(INDENT) * level)
            pad = INDENT * level
            lines = [lines[0]] + [line[len(pad):] if line.startswith(pad) else line for line in lines[1:]]
        extent = self._extent(stmt)
        stray = self._take(_start(extent), _end(extent))
        return [c.text for c in stray] + lines

    def _block(self, stmt, level: int) -> list[str]:
        head, body = self._head(stmt)
        if body is None:
            return [head]
        open_at = self._open_pos(stmt)
        lines, open_comment = self._body(body, open_at, _close(stmt.span), open_at[0], level + 1)
        if not lines and open_comment is None:
            return [head + " {}"]
        first = head + " {" + ("  " + open_comment if open_comment else "")
        pad = INDENT * level
        return [first] + [line[len(pad):] if line.startswith(pad) else line for line in lines] + ["}"]

    @staticmethod
    def _open_pos(stmt) -> Pos:
        """A position just after the header, before the block's ``{``."""
        if isinstance(stmt, n.Framework):
            return _end(stmt.name.span)
        return _end(stmt.head)

    def _head(self, stmt) -> tuple[str, list | None]:
        """The header text of a block statement and its body (None: no block)."""
        if isinstance(stmt, (n.Journey, n.Stage, n.Touchpoint, n.Persona)):
            keyword = n.statement_keyword(stmt)
            head = f"{keyword} {stmt.id.name}" + (f" {quote(stmt.title)}" if stmt.title is not None else "")
            return head, (list(stmt.body) if stmt.body is not None else None)
        if isinstance(stmt, n.Data):
            head = f"data {stmt.id.name} {quote(stmt.path.value)}"
            return head, (list(stmt.options) if stmt.options is not None else None)
        if isinstance(stmt, n.Clv):
            return "clv", list(stmt.settings)
        assert isinstance(stmt, n.Framework)
        return f"framework {stmt.name.name}", (list(stmt.keys) if stmt.keys is not None else None)

    # -- simple statements
    def _simple(self, stmt):
        if isinstance(stmt, n.Generic):
            return self._list(stmt.key.name, [_literal(v) for v in stmt.values], [v.span for v in stmt.values])
        if isinstance(stmt, (n.Meta, n.Note)):
            texts = stmt.values if isinstance(stmt, n.Meta) else stmt.texts
            keyword = stmt.key if isinstance(stmt, n.Meta) else stmt.kind
            spans = self._string_spans(stmt.span, len(texts))
            return self._list(keyword, [quote(t) for t in texts], spans if len(spans) == len(texts) else [None] * len(texts))
        if isinstance(stmt, n.Flow):
            return self._flow(stmt)
        if isinstance(stmt, n.Kpi):
            parts = [f"kpi {stmt.name.name} = ", self._expr(stmt.expr, 0)]
            if stmt.baseline is not None:
                parts.append(f" baseline {stmt.baseline.text}")
            return parts
        if isinstance(stmt, n.Segment):
            parts = [f"segment {stmt.id.name}" + (f" {quote(stmt.title)}" if stmt.title is not None else "")]
            if stmt.condition is not None:
                parts += [" when ", self._expr(stmt.condition, 0)]
            return parts
        if isinstance(stmt, n.FrameworkKey):
            return f"{stmt.key.name} {quote(stmt.label)}"
        return _plain(stmt)

    def _list(self, keyword: str, texts: list[str], spans: list[Span | None]):
        """``keyword a, b, c`` wrapped after commas, items aligned."""
        parts: list = []
        for i, text in enumerate(texts):
            if i:
                prev, nxt = spans[i - 1], spans[i]
                if prev is not None and nxt is not None:
                    parts.append(self._gap(_end(prev), _start(nxt), _Line(" "), True))
                else:
                    parts.append(_Line(" "))
            parts.append(text + ("," if i < len(texts) - 1 else ""))
        return [keyword + " ", _Align([_Fill(parts)])]

    @staticmethod
    def _flow(stmt: n.Flow) -> str:
        # A line cannot break after '->', so a flow stays on one line.
        label = f" {quote(stmt.label)}" if stmt.label is not None else ""
        return "flow " + " -> ".join(ident.name for ident in stmt.path) + label

    def _string_spans(self, span: Span, count: int) -> list[Span]:
        """The first ``count`` string tokens from the start of ``span``,
        found in the source text (string lists carry no spans of their own)."""
        found: list[Span] = []
        line, col = span.line, span.column
        while len(found) < count and line <= len(self.lines):
            text = self.lines[line - 1]
            i = col - 1
            while i < len(text) and len(found) < count:
                ch = text[i]
                if ch == "#":
                    break
                if ch == '"':
                    j = i + 1
                    while j < len(text) and text[j] != '"':
                        j += 2 if text[j] == "\\" else 1
                    found.append(Span(span.file, line, i + 1, line, j + 2))
                    i = j + 1
                    continue
                i += 1
            line, col = line + 1, 1
        return found

    def _extent(self, stmt) -> Span:
        """A statement's span; string lists get theirs from the source, as
        their node's span stops after the keyword."""
        if isinstance(stmt, (n.Meta, n.Note)):
            texts = stmt.values if isinstance(stmt, n.Meta) else stmt.texts
            strings = self._string_spans(stmt.span, len(texts))
            if strings:
                return stmt.span.to(strings[-1])
        return stmt.span

    # -- expressions and conditions
    def _expr(self, e, depth: int):
        inside = depth > 0
        if isinstance(e, n.Number):
            return e.literal.text
        if isinstance(e, n.KpiRef):
            return e.name.name
        if isinstance(e, n.Column):
            parts = [e.data.name, ".", self._gap(_end(e.data.span), _start(e.column.span), "", inside), e.column.name]
            if e.where is not None:
                parts += [" where", self._gap(_end(e.column.span), _start(e.where.span), " ", inside),
                          self._expr(e.where, depth)]
            return parts
        if isinstance(e, n.Call):
            return self._call(e, depth)
        if isinstance(e, (n.BinOp, n.BoolOp)):
            return [self._expr(e.left, depth), f" {e.op}",
                    self._gap(_end(e.left.span), _start(e.right.span), " ", inside), self._expr(e.right, depth)]
        if isinstance(e, n.Compare):
            return [e.column.name, f" {e.op}", self._gap(_end(e.column.span), _start(e.value.span), " ", inside),
                    _literal(e.value)]
        if isinstance(e, n.Neg):
            after = (e.span.line, e.span.column + 1)
            return ["-", self._gap(after, _start(e.operand.span), "", inside), self._expr(e.operand, depth)]
        if isinstance(e, n.Paren):
            after = (e.span.line, e.span.column + 1)
            return ["(", _Align([self._gap(after, _start(e.inner.span), "", True), self._expr(e.inner, depth + 1),
                                 self._gap(_end(e.inner.span), _close(e.span), "", True)]), ")"]
        raise TypeError(f"unknown expression node {type(e).__name__}")

    def _call(self, e: n.Call, depth: int):
        args = e.args
        if not args:
            return [e.func.name, "(", self._gap(_end(e.func.span), _close(e.span), "", True), ")"]
        inner: list = [self._gap(_end(e.func.span), _start(args[0].span), "", True)]
        for i, arg in enumerate(args):
            if i:
                inner += [",", self._gap(_end(args[i - 1].span), _start(arg.span), _Line(" "), True)]
            inner.append(self._expr(arg, depth + 1))
        inner.append(self._gap(_end(args[-1].span), _close(e.span), "", True))
        return _Group([e.func.name, "(", _Align(inner), ")"])


def _attach_leading(items: list[_Item]) -> list[_Item]:
    """Comments directly above a statement (no blank line between) move with it."""
    out: list[_Item] = []
    for item in items:
        if item.statement:
            while out and not out[-1].statement and out[-1].end == item.start - 1:
                comment = out.pop()
                item = _Item(comment.start, item.end, comment.lines + item.lines, item.block, True)
        out.append(item)
    return out


def _literal(lit: n.Literal) -> str:
    return quote(lit.value) if lit.kind == "string" else lit.text


def _plain(stmt) -> str:
    """Statements that never wrap."""
    if isinstance(stmt, n.Objective):
        text = f"objective {quote(stmt.text)}"
        if stmt.direction is not None:
            text += f" {stmt.direction} {stmt.metric.name}"
            if stmt.target is not None:
                text += f" to {stmt.target.text}"
            if stmt.by is not None:
                text += f" by {stmt.by.text}"
        return text
    if isinstance(stmt, n.Channel):
        return f"channel {stmt.name.name}"
    if isinstance(stmt, n.Emotion):
        return f"emotion {stmt.value.text}"
    if isinstance(stmt, n.Marker):
        return stmt.kind + (f" {quote(stmt.text)}" if stmt.text is not None else "")
    if isinstance(stmt, n.Tradeoff):
        return f"tradeoff {stmt.a.name} {stmt.b.name}"
    raise TypeError(f"unknown statement node {type(stmt).__name__}")
