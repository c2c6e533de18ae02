"""AST nodes from the parser's reductions, one method per grammar rule.

The transformer runs inline with the LALR parser (no parse tree is built),
so its methods receive already-transformed children: tokens for terminals,
nodes for rules. Spans come from the tokens (Lark's position propagation is
off, for speed).
"""

from __future__ import annotations

import re

from copisdsl.syntax import nodes as n
from copisdsl.diagnostics import Diagnostic, error
from copisdsl.syntax.tokens import Token
from copisdsl.source import Span

_new = tuple.__new__  # a Span without the named tuple's __new__ frame
_Ident, _Literal, _Number, _Generic, _Channel, _Emotion, _Kpi, _Objective, _Call, _Flow = map(
    n.builder, (n.Ident, n.Literal, n.Number, n.Generic, n.Channel, n.Emotion, n.Kpi, n.Objective,
                n.Call, n.Flow))
_Journey, _Stage, _Touchpoint = map(n.builder, (n.Journey, n.Stage, n.Touchpoint))

# How deep expressions and conditions may nest (a run of operators of one
# level is one, however long): the checks, the formatter and the data
# evaluation walk them recursively (Python's stack holds about a thousand
# calls), and no real KPI comes near.
MAX_NESTING = 200
#: the most digits a number may have before its point (a double holds 15 exactly)
MAX_INTEGER_DIGITS = 15
_WHOLE_DIGITS = re.compile(r"[0-9]*")
#: a number token's kind of literal
_NUMBER_KINDS = {"NUMBER_POS": "number", "PERCENT_POS": "percent", "DURATION_POS": "duration"}

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}


class _Block:
    """A block's statements and the spans of its braces (internal)."""

    __slots__ = ("body", "open", "close")

    def __init__(self, body, open_span, close_span):
        self.body, self.open, self.close = body, open_span, close_span


class _Strings:
    """A list of strings and the span of all of them (internal)."""

    __slots__ = ("values", "span")

    def __init__(self, values, span):
        self.values, self.span = values, span


class ToAst:
    """Builds nodes; collects E100s for what only shows after lexing (escapes).

    Lark calls a rule's method by the rule's name (or alias); a rule without
    one (the ``_`` rules Lark inlines) gets Lark's default, a tree.
    """

    def __init__(self) -> None:
        self.start_file("")

    def start_file(self, path: str) -> None:
        """Forget the last file: build the nodes of ``path`` next."""
        self.file = path
        self.diagnostics: list[Diagnostic] = []
        self.depths: dict[int, int] = {}  # id(node) -> nesting depth, for nodes that nest

    def _nested(self, node, children):
        """``node``, one level above the deepest of ``children`` (its height
        is kept for ``_limit``).

        Heights are keyed by ``id``: every node recorded ends up in the
        document, so none is freed (and its id reused) during a parse, and
        ``start_file`` forgets them before the next."""
        depths = self.depths
        depth = 1
        for child in children:
            below = depths.get(id(child), 1)
            if below >= depth:
                depth = below + 1
        depths[id(node)] = depth
        return node

    def _limit(self, root):
        """``root`` (a KPI's expression or a segment's condition); an E100
        if it nests deeper than ``MAX_NESTING``, at the level that passes the
        limit counted from the outside (the 201st parenthesis from the left),
        found by following the deepest child down from ``root``."""
        depths = self.depths
        height = depths.get(id(root), 1)
        if height - 1 <= MAX_NESTING:  # a leaf is no level
            return root
        node = root
        for _ in range(MAX_NESTING):
            below = height - 1
            node = next(c for c in n.children(node) if depths.get(id(c), 1) == below)
            height = below
        self.diagnostics.append(error(
            "E100", f"expression nested too deeply (more than {MAX_NESTING} levels of parentheses, "
                    "signs, calls and operators)", node.span,
            "split it into several KPIs: a KPI can use another by its name"))
        return root

    # -- helpers
    def _tok_span(self, tok: Token) -> Span:
        return _new(Span, (self.file, tok.line, tok.column, tok.end_line, tok.end_column))

    def _ident(self, tok: Token) -> n.Ident:
        return _Ident(tok.value, _new(Span, (self.file, tok.line, tok.column, tok.end_line, tok.end_column)))

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
        if children:
            # The common case, built without intermediate spans: a statement
            # from its keyword token to a token or a node with a span.
            first, last = children[0], children[-1]
            if type(first) is Token:
                end = last if type(last) is Token else getattr(last, "span", None)
                if end is not None:
                    return _new(Span, (self.file, first.line, first.column, end.end_line, end.end_column))
        first = self._pos(children[0], False) if children else None
        last = self._pos(children[-1], True) if children else None
        if first is None or last is None:
            found = [s for s in (self._pos(c, False) for c in children) if s is not None]
            if not found:
                return Span(self.file, 1, 1, 1, 1)
            first = first or found[0]
            last = last or found[-1]
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

    def _title(self, children) -> str | None:
        for c in children[2:]:
            if isinstance(c, Token) and c.type == "STRING":
                return self._string(c)
        return None

    def _head(self, children) -> Span:
        """From the keyword to the title, or the ID when there is none."""
        first, end = children[0], children[1]
        if len(children) > 2 and type(children[2]) is Token and children[2].type == "STRING":
            end = children[2]
        return _new(Span, (self.file, first.line, first.column, end.end_line, end.end_column))

    def _value(self, kind: str, tok: Token, span: Span, sign: int = 1):
        """The value of a number token of ``kind`` (a percent as its fraction,
        a duration as ``(amount, unit)``). E100 for more digits before the
        point than ``MAX_INTEGER_DIGITS``: past them a float is inexact, then
        infinite, a duration overflows every calendar, and past 4,300 Python
        refuses to read the digits at all (the value is then 0: the E100
        stops the check)."""
        digits = len(_WHOLE_DIGITS.match(tok.value).group().lstrip("0"))
        too_large = digits > MAX_INTEGER_DIGITS
        if too_large:
            self.diagnostics.append(error(
                "E100", f"number too large: {digits} digits before the point (at most {MAX_INTEGER_DIGITS})",
                span, "a figure this large is beyond what copis computes with; write it in larger units"))
        if kind == "duration":
            return (0 if too_large else sign * int(tok.value[:-1]), tok.value[-1])
        if too_large:
            return 0.0
        return sign * float(tok.value[:-1]) / 100.0 if kind == "percent" else sign * float(tok.value)

    def _number(self, toks, span: Span) -> n.Literal:
        tok = toks[-1]
        negative = len(toks) == 2
        kind = _NUMBER_KINDS[tok.type]
        return _Literal(kind, self._value(kind, tok, span, -1 if negative else 1),
                        ("-" if negative else "") + tok.value, span)

    def _literal(self, toks) -> n.Literal:
        """A value from its one or two tokens (a sign and a number)."""
        tok = toks[-1]
        first = toks[0]
        span = _new(Span, (self.file, first.line, first.column, tok.end_line, tok.end_column))
        kind = tok.type
        if kind == "STRING":
            return _Literal("string", self._string(tok), tok.value, span)
        if kind == "NAME":
            return _Literal("name", tok.value, tok.value, span)
        if kind == "DATE":
            return _Literal("date", tok.value, tok.value, span)
        return self._number(toks, span)

    # -- structure
    def start(self, children):
        return n.Document(children[0], span=self._span(children))

    def body(self, children):
        return tuple(children[0]) if children else ()

    def stmts(self, children):
        if len(children) == 1:
            return [children[0]]
        items = children[0]
        items.append(children[1])
        return items

    def block(self, children):
        return _Block(children[1], self._tok_span(children[0]), self._tok_span(children[2]))

    def _block_parts(self, children):
        block = children[-1] if isinstance(children[-1], _Block) else None
        return (self._ident(children[1]), self._title(children), block.body if block else None,
                self._span(children), self._head(children))

    def journey(self, children):
        ident, title, body, span, head = self._block_parts(children)
        return _Journey(ident, title, body or (), span, head)

    def stage(self, children):
        ident, title, body, span, head = self._block_parts(children)
        return _Stage(ident, title, body or (), span, head)

    def touchpoint(self, children):
        ident, title, body, span, head = self._block_parts(children)
        return _Touchpoint(ident, title, body or (), span, head)

    def persona(self, children):
        ident, title, body, span, head = self._block_parts(children)
        return n.Persona(ident, title, body, span=span, head=head)

    def data(self, children):
        path_tok = children[2]
        path = n.Literal("string", self._string(path_tok), path_tok.value, span=self._tok_span(path_tok))
        block = children[3] if len(children) > 3 else None
        options = None
        if block is not None:
            body = block.body
            options = tuple(s for s in body if isinstance(s, n.Generic))
            if len(options) != len(body):  # keyword statements in a data block
                options = tuple(body)
        return n.Data(self._ident(children[1]), path, options, span=self._span(children),
                      head=self._head(children))

    def clv(self, children):
        return n.Clv(tuple(children[1].body), span=self._span(children), head=self._tok_span(children[0]))

    def segment(self, children):
        cond = self._limit(children[-1]) if not isinstance(children[-1], Token) else None
        return n.Segment(self._ident(children[1]), self._title(children), cond, span=self._span(children))

    def framework(self, children):
        keys = children[2].body if len(children) > 2 else None
        return n.Framework(self._ident(children[1]), keys, span=self._span(children))

    def fw_block(self, children):
        # Braces kept for the span: a framework with a block ends at its '}'.
        return _Block(tuple(c for c in children if isinstance(c, n.FrameworkKey)),
                      self._tok_span(children[0]), self._tok_span(children[-1]))

    def fw_entry(self, children):
        key, label = children
        return n.FrameworkKey(self._ident(key), self._string(label), span=self._span(children))

    # -- simple statements
    def meta(self, children):
        return n.Meta(children[0].value, children[1].values, span=self._span(children))

    def string_list(self, children):
        return _Strings(tuple(self._string(t) for t in children), self._span(children))

    def objective(self, children):
        text = self._string(children[1])
        direction = metric = target = by = None
        rest = children[2:]
        if rest:
            direction = rest[0].value
            metric = self._ident(rest[1])
            i = 2
            while i < len(rest):
                if rest[i].type == "TO":
                    target = rest[i + 1]
                else:
                    tok = rest[i + 1]
                    by = n.Literal("date", tok.value, tok.value, span=self._tok_span(tok))
                i += 2
        return _Objective(text, direction, metric, target, by, self._span(children))

    def kpi(self, children):
        baseline = children[-1] if len(children) > 4 and not isinstance(children[-1], Token) else None
        by = None
        if len(children) > 5 and isinstance(children[4], Token) and children[4].type == "BY":
            by = self._span(children[4:6])
        return _Kpi(self._ident(children[1]), self._limit(children[3]), baseline, by is not None,
                    self._span(children), by)

    def channel(self, children):
        return _Channel(self._ident(children[1]), self._span(children))

    def emotion(self, children):
        return _Emotion(children[1], self._span(children))

    def marker(self, children):
        text = self._string(children[1]) if len(children) > 1 else None
        return n.Marker(children[0].value, text, span=self._span(children))

    def note(self, children):
        return n.Note(children[0].value, children[1].values, span=self._span(children))

    def flow(self, children):
        idents = tuple(self._ident(c) for c in children[1:] if c.type == "NAME")
        label = self._string(children[-1]) if children[-1].type == "STRING" else None
        return _Flow(idents, label, self._span(children))

    def tradeoff(self, children):
        return n.Tradeoff(self._ident(children[1]), self._ident(children[2]), span=self._span(children))

    def generic(self, children):
        return _Generic(self._ident(children[0]), tuple(children[1:]), self._span(children))

    def value(self, children):
        return self._literal(children)

    def num_lit(self, children):
        return self._number(children, self._span(children))

    # -- expressions
    def _number_expr(self, kind: str, tok: Token):
        span = _new(Span, (self.file, tok.line, tok.column, tok.end_line, tok.end_column))
        return _Number(_Literal(kind, self._value(kind, tok, span), tok.value, span), span)

    def num(self, children):
        return self._number_expr("number", children[0])

    def pct(self, children):
        return self._number_expr("percent", children[0])

    def dur(self, children):
        return self._number_expr("duration", children[0])

    def kpi_ref(self, children):
        ident = self._ident(children[0])
        return n.KpiRef(ident, span=ident.span)

    def column(self, children):
        where = children[4] if len(children) > 4 else None
        column = n.Column(self._ident(children[0]), self._ident(children[2]), where, span=self._span(children))
        return self._nested(column, (where,)) if where is not None else column

    def call(self, children):
        args = tuple(children[2:-1])
        return self._nested(_Call(self._ident(children[0]), args, self._span(children)), args)

    def paren(self, children):
        return self._nested(n.Paren(children[1], span=self._span(children)), (children[1],))

    def expr(self, children):
        """Operands and operators, flat: apply unary minus, then * /, then + -."""
        if len(children) == 1 and type(children[0]) is not Token:
            return children[0]  # the common case: one operand
        operands: list = []
        operators: list[str] = []
        signs: list[Token] = []
        for c in children:
            if isinstance(c, Token):
                if len(operands) == len(operators):  # expecting an operand: a sign
                    signs.append(c)
                else:
                    operators.append(c.value)
            else:
                for sign in reversed(signs):
                    c = self._nested(n.Neg(c, span=self._tok_span(sign).to(c.span)), (c,))
                signs = []
                operands.append(c)
        return _climb(operands, operators, self._nested)

    def cond(self, children):
        """Comparisons joined by `and` (binding tighter) and `or`."""
        groups = [[children[0]]]
        for op, right in zip(children[1::2], children[2::2]):
            if op.type == "AND":
                groups[-1].append(right)
            else:
                groups.append([right])
        ors = [self._bool("and", group) for group in groups]
        return self._bool("or", ors)

    def _bool(self, op: str, operands: list):
        if len(operands) == 1:
            return operands[0]
        node = n.BoolOp(op, tuple(operands), span=operands[0].span.to(operands[-1].span))
        return self._nested(node, operands)

    def compare(self, children):
        return n.Compare(self._ident(children[0]), children[1].value, self._literal(children[2:]),
                         span=self._span(children))

    def cond_paren(self, children):
        return self._nested(n.Paren(children[1], span=self._span(children)), (children[1],))


def _climb(operands: list, operators: list[str], nested):
    """Left-associative operators by precedence, one ``BinOp`` per run of
    operators of one level: split at the loosest operators, then each part
    at the next (as deep as there are levels, not operators); ``nested``
    records each node's height."""
    if not operators:
        return operands[0]
    loosest = min(n.PRECEDENCE[op] for op in operators)
    parts, ops, start = [], [], 0
    for i, op in enumerate(operators):
        if n.PRECEDENCE[op] == loosest:
            parts.append(_climb(operands[start:i + 1], operators[start:i], nested))
            ops.append(op)
            start = i + 1
    parts.append(_climb(operands[start:], operators[start:], nested))
    return nested(n.BinOp(tuple(ops), tuple(parts), span=parts[0].span.to(parts[-1].span)), parts)
