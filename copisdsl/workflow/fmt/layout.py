"""The formatter's layout of statements, blocks and expressions: the
language's side of ``copis fmt``, building docs for ``printer.render`` and
asking ``comments`` where each comment goes."""

from __future__ import annotations

from bisect import bisect_left

from copisdsl.source import Span
from copisdsl.syntax import nodes as n
from copisdsl.syntax.unparse import plain_statement, quote, source_literal as _literal
from copisdsl.workflow.fmt.comments import END, Comments, Item, Pos, attach_leading, close, end, start
from copisdsl.workflow.fmt.printer import Align, Fill, Group, Line, render

WIDTH = 100
INDENT = "  "

_BLOCKS = (n.Journey, n.Stage, n.Touchpoint, n.Persona, n.Data, n.Clv, n.Framework)


class Formatter:
    """Lays out one parsed document, placing the comments of its text."""

    def __init__(self, comments: list[n.Comment], strings: list[Span], width: int) -> None:
        """``comments`` and ``strings`` are the text's, as ``scanning.comments_and_strings`` finds them."""
        self.width = width
        self.comments = Comments(comments)
        self.strings = strings
        self.string_starts = [(sp.line, sp.column) for sp in strings]

    # -- documents and bodies
    def document(self, doc: n.Document) -> str:
        """The formatted text of a whole file."""
        lines, _ = self._body(doc.body, (1, 1), END, 0, 0)
        return "\n".join(lines) + "\n" if lines else ""

    def _body(self, stmts, after: Pos, before: Pos, open_line: int, level: int) -> tuple[list[str], str | None]:
        """Lines of a block body (indented for ``level``) and the comment
        that follows ``{`` on its line, if any."""
        stmts = list(stmts)
        spans = [self._extent(s) for s in stmts]
        placed = self.comments.between_statements(spans, after, before, open_line)
        items = list(placed.own_lines)
        for i, stmt in enumerate(stmts):
            lines = self._statement(stmt, level)
            for c in placed.trailing.get(i, []):
                lines[-1] += "  " + c.text
            block = isinstance(stmt, _BLOCKS) and len(lines) > 1
            span = spans[i]
            items.append((start(span), Item(span.line, span.end_line, lines, block, True)))
        items.sort(key=lambda pair: pair[0])
        merged = attach_leading([item for _, item in items])
        pad = INDENT * level
        out: list[str] = []
        for k, item in enumerate(merged):
            if k:
                prev = merged[k - 1]
                blank = item.start - prev.end > 1 or (level <= 1 and prev.block and item.block)
                if blank:
                    out.append("")
            out += [pad + line if line else line for line in item.lines]
        return out, placed.open_comment

    def _statement(self, stmt, level: int) -> list[str]:
        """A statement's lines, relative to its indentation (comments inside
        it that have no place in the layout come first, on their own lines)."""
        if isinstance(stmt, _BLOCKS):
            lines = self._block(stmt, level)
        else:
            doc = self._simple(stmt)
            lines = render(doc, self.width, len(INDENT) * level)
            pad = INDENT * level
            lines = [lines[0]] + [line[len(pad):] if line.startswith(pad) else line for line in lines[1:]]
        extent = self._extent(stmt)
        stray = self.comments.take(start(extent), end(extent))
        return [c.text for c in stray] + lines

    def _block(self, stmt, level: int) -> list[str]:
        head, body = self._head(stmt)
        if body is None:
            return [head]
        open_at = self._open_pos(stmt)
        lines, open_comment = self._body(body, open_at, close(stmt.span), open_at[0], level + 1)
        if not lines and open_comment is None:
            return [head + " {}"]
        first = head + " {" + ("  " + open_comment if open_comment else "")
        pad = INDENT * level
        return [first] + [line[len(pad):] if line.startswith(pad) else line for line in lines] + ["}"]

    @staticmethod
    def _open_pos(stmt) -> Pos:
        """A position just after the header, before the block's ``{``."""
        if isinstance(stmt, n.Framework):
            return end(stmt.name.span)
        return end(stmt.head)

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
        if isinstance(stmt, n.Kpi):
            parts = [f"kpi {stmt.name.name} = ", self._expr(stmt.expr, 0)]
            if stmt.segmented:
                parts.append(" by segment")
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
        return plain_statement(stmt)

    def _list(self, keyword: str, texts: list[str], spans: list[Span | None]):
        """``keyword a, b, c`` wrapped after commas, items aligned."""
        parts: list = []
        for i, text in enumerate(texts):
            if i:
                prev, nxt = spans[i - 1], spans[i]
                if prev is not None and nxt is not None:
                    parts.append(self.comments.gap(end(prev), start(nxt), Line(" "), True))
                else:
                    parts.append(Line(" "))
            parts.append(text + ("," if i < len(texts) - 1 else ""))
        return [keyword + " ", Align([Fill(parts)])]

    def _string_spans(self, span: Span, count: int) -> list[Span]:
        """The first ``count`` strings from the start of ``span`` (string
        lists carry no spans of their own)."""
        first = bisect_left(self.string_starts, (span.line, span.column))
        return self.strings[first:first + count]

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
            parts = [e.data.name, ".", self.comments.gap(end(e.data.span), start(e.column.span), "", inside), e.column.name]
            if e.where is not None:
                parts += [" where", self.comments.gap(end(e.column.span), start(e.where.span), " ", inside),
                          self._expr(e.where, depth)]
            return parts
        if isinstance(e, n.Call):
            return self._call(e, depth)
        if isinstance(e, (n.BinOp, n.BoolOp)):
            parts = [self._expr(e.operands[0], depth)]
            for op, left, right in zip(e.ops, e.operands, e.operands[1:]):
                parts += [f" {op}", self.comments.gap(end(left.span), start(right.span), " ", inside),
                          self._expr(right, depth)]
            return parts
        if isinstance(e, n.Compare):
            return [e.column.name, f" {e.op}", self.comments.gap(end(e.column.span), start(e.value.span), " ", inside),
                    _literal(e.value)]
        if isinstance(e, n.Neg):
            after = (e.span.line, e.span.column + 1)
            return ["-", self.comments.gap(after, start(e.operand.span), "", inside), self._expr(e.operand, depth)]
        if isinstance(e, n.Paren):
            after = (e.span.line, e.span.column + 1)
            return ["(", Align([self.comments.gap(after, start(e.inner.span), "", True), self._expr(e.inner, depth + 1),
                                 self.comments.gap(end(e.inner.span), close(e.span), "", True)]), ")"]
        raise TypeError(f"unknown expression node {type(e).__name__}")

    def _call(self, e: n.Call, depth: int):
        args = e.args
        if not args:
            return [e.func.name, "(", self.comments.gap(end(e.func.span), close(e.span), "", True), ")"]
        inner: list = [self.comments.gap(end(e.func.span), start(args[0].span), "", True)]
        for i, arg in enumerate(args):
            if i:
                inner += [",", self.comments.gap(end(args[i - 1].span), start(arg.span), Line(" "), True)]
            inner.append(self._expr(arg, depth + 1))
        inner.append(self.comments.gap(end(args[-1].span), close(e.span), "", True))
        return Group([e.func.name, "(", Align(inner), ")"])
