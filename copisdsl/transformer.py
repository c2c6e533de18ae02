"""Lark parse tree -> AST nodes, one method per grammar rule.

The transformer runs inline with the LALR parser (no intermediate tree), so
its methods receive already-transformed children.
"""

from __future__ import annotations

from lark import Token, Transformer

from copisdsl import nodes as n
from copisdsl.diagnostics import Diagnostic, error
from copisdsl.source import NO_SPAN, Span

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}


class _Block:
    """A block's statements and the spans of its braces (internal)."""

    __slots__ = ("body", "open", "close")

    def __init__(self, body, open_span, close_span):
        self.body, self.open, self.close = body, open_span, close_span


class ToAst(Transformer):
    """Builds nodes; collects E100s for things only seen after lexing (escapes)."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)
        self.file = ""
        self.diagnostics: list[Diagnostic] = []

    # -- helpers
    def _tok_span(self, tok: Token) -> Span:
        return Span(self.file, tok.line, tok.column, tok.end_line, tok.end_column)

    def _pos(self, item, last: bool):
        if isinstance(item, Token):
            return self._tok_span(item)
        if isinstance(item, _Block):
            return item.close if last else item.open
        if isinstance(item, tuple):
            for sub in (reversed(item) if last else item):
                found = self._pos(sub, last)
                if found is not None:
                    return found
            return None
        return getattr(item, "span", None)

    def _span(self, children) -> Span:
        """From the start of the first child to the end of the last."""
        first = next((s for s in (self._pos(c, False) for c in children) if s is not None), None)
        last = next((s for s in (self._pos(c, True) for c in reversed(children)) if s is not None), None)
        if first is None:
            return Span(self.file, 1, 1, 1, 1)
        return first.to(last)

    def _string(self, tok: Token) -> str:
        raw = tok.value[1:-1]
        if "\\" not in raw:
            return raw
        out = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\" and i + 1 < len(raw):
                nxt = raw[i + 1]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                else:
                    col = tok.column + 1 + i
                    self.diagnostics.append(error(
                        "E100", f"unknown escape '\\{nxt}' in string",
                        Span(self.file, tok.line, col, tok.line, col + 2),
                        'strings know \\" \\\\ and \\n; write \\\\ for a backslash'))
                    out.append(nxt)
                i += 2
            else:
                out.append(ch)
                i += 1
        return "".join(out)

    def _head(self, children) -> Span:
        """From the keyword to the last token before the block (the header)."""
        first = children[0]
        last = first
        for c in children:
            if isinstance(c, Token) and c.type == "STRING":
                last = c
            elif isinstance(c, n.Ident):
                last = c
        start = self._tok_span(first)
        end = last.span if isinstance(last, n.Ident) else self._tok_span(last)
        return start.to(end)

    def _title(self, children) -> str | None:
        for c in children:
            if isinstance(c, Token) and c.type == "STRING":
                return self._string(c)
        return None

    # -- structure
    def start(self, children):
        return n.Document(children[0], span=self._span(children))

    def body(self, children):
        return tuple(children)

    def ident(self, children):
        tok = children[0]
        return n.Ident(tok.value, span=self._tok_span(tok))

    # -- blocks
    def block(self, children):
        return _Block(children[1], self._tok_span(children[0]), self._tok_span(children[2]))

    def _block_parts(self, children):
        ident = children[1]
        block = children[-1] if isinstance(children[-1], _Block) else None
        return ident, self._title(children), block.body if block else None, self._span(children), self._head(children)

    def journey(self, children):
        ident, title, body, span, head = self._block_parts(children)
        return n.Journey(ident, title, body or (), span=span, head=head)

    def stage(self, children):
        ident, title, body, span, head = self._block_parts(children)
        return n.Stage(ident, title, body or (), span=span, head=head)

    def touchpoint(self, children):
        ident, title, body, span, head = self._block_parts(children)
        return n.Touchpoint(ident, title, body or (), span=span, head=head)

    def persona(self, children):
        ident, title, body, span, head = self._block_parts(children)
        return n.Persona(ident, title, body, span=span, head=head)

    def data(self, children):
        ident = children[1]
        path_tok = children[2]
        path = n.Literal("string", self._string(path_tok), path_tok.value, span=self._tok_span(path_tok))
        body = children[3].body if len(children) > 3 else None
        options = None
        if body is not None:
            options = tuple(s for s in body if isinstance(s, n.Generic))
            if len(options) != len(body):  # keyword statements in a data block
                options = tuple(body)
        return n.Data(ident, path, options, span=self._span(children), head=self._head(children))

    def clv(self, children):
        return n.Clv(tuple(children[1].body), span=self._span(children), head=self._tok_span(children[0]))

    def segment(self, children):
        cond = children[-1] if not isinstance(children[-1], (Token, n.Ident)) else None
        return n.Segment(children[1], self._title(children), cond, span=self._span(children))

    def framework(self, children):
        keys = children[2] if len(children) > 2 else None
        return n.Framework(children[1], keys, span=self._span(children))

    def fw_block(self, children):
        return tuple(c for c in children if isinstance(c, n.FrameworkKey))

    def fw_entry(self, children):
        key, label = children
        return n.FrameworkKey(key, self._string(label), span=self._span(children))

    def fw_key(self, children):
        tok = children[0]
        return n.Ident(tok.value, span=self._tok_span(tok))

    # -- simple statements
    def meta(self, children):
        return n.Meta(children[0].value, children[1], span=self._span(children))

    def string_list(self, children):
        return tuple(self._string(t) for t in children)

    def objective(self, children):
        text = self._string(children[1])
        direction = metric = target = by = None
        rest = children[2:]
        if rest:
            direction = rest[0].value
            metric = rest[1]
            i = 2
            while i < len(rest):
                kw = rest[i]
                if kw.type == "TO":
                    target = rest[i + 1]
                else:
                    tok = rest[i + 1]
                    by = n.Literal("date", tok.value, tok.value, span=self._tok_span(tok))
                i += 2
        return n.Objective(text, direction, metric, target, by, span=self._span(children))

    def kpi(self, children):
        baseline = children[-1] if len(children) > 3 else None
        return n.Kpi(children[1], children[2], baseline, span=self._span(children))

    def channel(self, children):
        return n.Channel(children[1], span=self._span(children))

    def emotion(self, children):
        return n.Emotion(children[1], span=self._span(children))

    def marker(self, children):
        text = self._string(children[1]) if len(children) > 1 else None
        return n.Marker(children[0].value, text, span=self._span(children))

    def note(self, children):
        return n.Note(children[0].value, children[1], span=self._span(children))

    def flow(self, children):
        idents = tuple(c for c in children if isinstance(c, n.Ident))
        label = self._string(children[-1]) if isinstance(children[-1], Token) and children[-1].type == "STRING" else None
        return n.Flow(idents, label, span=self._span(children))

    def tradeoff(self, children):
        return n.Tradeoff(children[1], children[2], span=self._span(children))

    def generic(self, children):
        return n.Generic(children[0], children[1], span=self._span(children))

    def value_list(self, children):
        return tuple(children)

    def value(self, children):
        c = children[0]
        if isinstance(c, n.Literal):
            return c
        if isinstance(c, n.Ident):
            return n.Literal("name", c.name, c.name, span=c.span)
        span = self._tok_span(c)
        if c.type == "STRING":
            return n.Literal("string", self._string(c), c.value, span=span)
        return n.Literal("date", c.value, c.value, span=span)  # DATE

    def num_lit(self, children):
        tok = children[-1]
        sign = -1 if len(children) == 2 else 1
        text = ("-" if sign < 0 else "") + tok.value
        span = self._span(children)
        if tok.type == "PERCENT_POS":
            return n.Literal("percent", sign * float(tok.value[:-1]) / 100.0, text, span=span)
        if tok.type == "DURATION_POS":
            return n.Literal("duration", (sign * int(tok.value[:-1]), tok.value[-1]), text, span=span)
        return n.Literal("number", sign * float(tok.value), text, span=span)

    def literal(self, children):
        c = children[0]
        if isinstance(c, n.Literal):
            return c
        span = self._tok_span(c)
        if c.type == "STRING":
            return n.Literal("string", self._string(c), c.value, span=span)
        return n.Literal("date", c.value, c.value, span=span)

    # -- expressions
    def _lit_expr(self, kind: str, tok: Token):
        span = self._tok_span(tok)
        if kind == "percent":
            lit = n.Literal(kind, float(tok.value[:-1]) / 100.0, tok.value, span=span)
        elif kind == "duration":
            lit = n.Literal(kind, (int(tok.value[:-1]), tok.value[-1]), tok.value, span=span)
        else:
            lit = n.Literal(kind, float(tok.value), tok.value, span=span)
        return n.Number(lit, span=span)

    def num(self, children):
        return self._lit_expr("number", children[0])

    def pct(self, children):
        return self._lit_expr("percent", children[0])

    def dur(self, children):
        return self._lit_expr("duration", children[0])

    def kpi_ref(self, children):
        ident = n.Ident(children[0].value, span=self._tok_span(children[0]))
        return n.KpiRef(ident, span=ident.span)

    def column(self, children):
        data = n.Ident(children[0].value, span=self._tok_span(children[0]))
        col = n.Ident(children[1].value, span=self._tok_span(children[1]))
        where = children[3] if len(children) > 3 else None
        return n.Column(data, col, where, span=self._span(children))

    def call(self, children):
        func = n.Ident(children[0].value, span=self._tok_span(children[0]))
        args = tuple(c for c in children[2:-1] if c is not None)
        return n.Call(func, args, span=self._span(children))

    def binop(self, children):
        left, op, right = children
        return n.BinOp(op.value, left, right, span=self._span(children))

    def neg(self, children):
        return n.Neg(children[1], span=self._span(children))

    def paren(self, children):
        return n.Paren(children[1], span=self._span(children))

    def compare(self, children):
        col = n.Ident(children[0].value, span=self._tok_span(children[0]))
        return n.Compare(col, children[1].value, children[2], span=self._span(children))

    def and_(self, children):
        return n.BoolOp("and", children[0], children[2], span=self._span(children))

    def or_(self, children):
        return n.BoolOp("or", children[0], children[2], span=self._span(children))


__all__ = ["ToAst", "NO_SPAN"]
