"""The abstract syntax tree: frozen dataclasses, each with a source span.

Spans never take part in equality (``compare=False``), so two trees that say
the same thing compare equal however they were laid out: the formatter's
safety check is ``parse(text) == parse(fmt(text))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Union

from copisdsl.language import STATEMENT_KEYWORDS
from copisdsl.source import NO_SPAN, Span


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Ident:
    """An identifier as written, with its span."""

    name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal value.

    ``kind`` is ``string``, ``name``, ``number``, ``percent`` (``value`` is the
    fraction), ``duration`` (``value`` is ``(amount, unit)``) or ``date``
    (``value`` is the text, validated by the checks). ``text`` is the literal
    as written, so that the formatter keeps ``12.50%`` as ``12.50%``.
    """

    kind: str
    value: object
    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Comment:
    """`# text`, kept for the formatter (``text`` without the `#`)."""

    text: str
    span: Span = _span()


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Number:
    """A number, percent or duration operand of a KPI expression."""

    literal: Literal
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class KpiRef:
    """A KPI named in an expression: `conversion * 100`."""

    name: Ident
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison in a filter or segment condition: `amount >= 100`."""

    column: Ident
    op: str
    value: Literal
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BoolOp:
    """`and` / `or` between two or more conditions: `a == 1 and b == 2 and
    c == 3` is one node (so that a long condition is long, not deep)."""

    op: str  # "and" | "or"
    operands: tuple[Cond, ...]
    span: Span = _span()

    @property
    def level(self) -> int:
        """The operator's precedence (``PRECEDENCE``)."""
        return PRECEDENCE[self.op]

    @property
    def ops(self) -> tuple[str, ...]:
        """The operator between each two operands (as ``BinOp.ops``)."""
        return (self.op,) * (len(self.operands) - 1)


@dataclass(frozen=True, slots=True)
class Paren:
    """Parentheses the user wrote, kept so that the formatter keeps them."""

    inner: Union[Expr, Cond]
    span: Span = _span()


Cond = Union[Compare, BoolOp, Paren]


@dataclass(frozen=True, slots=True)
class Column:
    """A data column, optionally filtered: `orders.amount where channel == "web"`."""

    data: Ident
    column: Ident
    where: Cond | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Call:
    """A function call in a KPI expression: `nps(survey.score)`."""

    func: Ident
    args: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BinOp:
    """Operators of one precedence level between operands, left-associative:
    `a + b - c` is one node, ``ops == ("+", "-")`` and three ``operands``
    (so that a long sum is long, not deep); `a + b * c` holds a ``BinOp`` of
    `*` as its second operand."""

    ops: tuple[str, ...]
    operands: tuple[Expr, ...]
    span: Span = _span()

    @property
    def level(self) -> int:
        """The operators' precedence (``PRECEDENCE``), one for all of them."""
        return PRECEDENCE[self.ops[0]]


@dataclass(frozen=True, slots=True)
class Neg:
    """A unary minus in a KPI expression."""

    operand: Expr
    span: Span = _span()


Expr = Union[Number, KpiRef, Column, Call, BinOp, Neg, Paren]


# ----------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True)
class Generic:
    """``KEY value, value ...``: an element, a data option, a CLV setting."""

    key: Ident
    values: tuple[Literal, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Meta:
    """`owner`, `description` or `tags` and their strings."""

    key: str  # owner | description | tags
    values: tuple[str, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Objective:
    """`objective "text" increase METRIC to 45% by 2026-12-31` (all but the text optional)."""

    text: str
    direction: str | None
    metric: Ident | None
    target: Literal | None
    by: Literal | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Kpi:
    """`kpi NAME = EXPR by segment baseline N` (`by segment` and the
    baseline optional); ``by_segment`` is the span of `by segment`, None
    without it (its presence takes part in equality, its place does not)."""

    name: Ident
    expr: Expr
    baseline: Literal | None
    segmented: bool = False
    span: Span = _span()
    by_segment: Span | None = field(default=None, compare=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Channel:
    """`channel NAME`."""

    name: Ident
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Emotion:
    """`emotion N` (1 worst to 5 best, checked later)."""

    value: Literal
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Marker:
    """`moment_of_truth "why"`, `repurchase "how"` or `fail_point "why"` (the text optional)."""

    kind: str  # moment_of_truth | repurchase | fail_point
    text: str | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Note:
    """`pain "..."`, `opportunity "..."` or a blueprint lane (`evidence`,
    `frontstage`, `backstage`, `support`), one or more strings."""

    kind: str  # pain | opportunity | evidence | frontstage | backstage | support
    texts: tuple[str, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Flow:
    """`flow a -> b -> c "label"`."""

    path: tuple[Ident, ...]
    label: str | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Tradeoff:
    """`tradeoff METRIC METRIC`: two metrics that pull against each other."""

    a: Ident
    b: Ident
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Segment:
    """`segment ID "Title" when CONDITION` (a value segment)."""

    id: Ident
    title: str | None
    condition: Cond | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class FrameworkKey:
    """One element of a custom framework: `key "Label"`."""

    key: Ident
    label: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Framework:
    """`framework NAME` (built in) or `framework NAME { key "Label" ... }`."""

    name: Ident
    keys: tuple[FrameworkKey, ...] | None  # None: a built-in framework by name
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Data:
    """`data ID "path" { option value ... }`."""

    id: Ident
    path: Literal
    options: tuple[Generic, ...] | None
    span: Span = _span()
    head: Span = _span()


@dataclass(frozen=True, slots=True)
class Clv:
    """`clv { setting value ... }`."""

    settings: tuple[Generic, ...]
    span: Span = _span()
    head: Span = _span()


@dataclass(frozen=True, slots=True)
class Persona:
    """`persona ID "Title" { ... }`."""

    id: Ident
    title: str | None
    body: tuple[Statement, ...] | None
    span: Span = _span()
    head: Span = _span()


@dataclass(frozen=True, slots=True)
class Touchpoint:
    """`touchpoint ID "Title" { ... }`."""

    id: Ident
    title: str | None
    body: tuple[Statement, ...]
    span: Span = _span()
    head: Span = _span()


@dataclass(frozen=True, slots=True)
class Stage:
    """`stage ID "Title" { ... }`."""

    id: Ident
    title: str | None
    body: tuple[Statement, ...]
    span: Span = _span()
    head: Span = _span()


@dataclass(frozen=True, slots=True)
class Journey:
    """`journey ID "Title" { ... }`: the whole journey (``head``: keyword to title)."""

    id: Ident
    title: str | None
    body: tuple[Statement, ...]
    span: Span = _span()
    head: Span = _span()


Statement = Union[
    Journey, Stage, Touchpoint, Persona, Data, Clv, Segment, Framework, Meta,
    Objective, Kpi, Channel, Emotion, Marker, Note, Flow, Tradeoff, Generic,
]

BLOCKS = (Journey, Stage, Touchpoint, Persona)


@dataclass(frozen=True, slots=True)
class Document:
    """A whole file: its top-level statements and its comments."""

    body: tuple[Statement, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
    span: Span = _span()


def builder(cls):
    """A constructor of the node class ``cls`` that takes every field in
    order, ``span`` (and ``head``) included, positionally: for the parser,
    which builds hundreds of thousands of nodes in a large journey.

    It makes the same frozen object as ``cls(...)`` in less than half the
    time: the ``__init__`` that dataclasses write for a frozen class calls
    ``object.__setattr__`` once per field; this one fills the slots.
    """
    names = [f.name for f in fields(cls)]
    if any(name.startswith("_") for name in names):  # the generated code's own names do
        raise ValueError(f"{cls.__name__}: a field name starts with '_'")
    source = (f"def make({', '.join(names)}):\n    _node = _new(_cls)\n"
              + "".join(f"    _set_{name}(_node, {name})\n" for name in names)
              + "    return _node\n")
    namespace = {"_new": object.__new__, "_cls": cls}
    namespace.update({f"_set_{name}": getattr(cls, name).__set__ for name in names})
    exec(source, namespace)  # as dataclasses writes __init__ itself
    make = namespace["make"]
    make.__qualname__ = make.__name__ = f"make_{cls.__name__}"
    return make


# How tightly each operator binds (expressions and conditions): `and` binds
# tighter than `or`, `* /` tighter than `+ -`; all are left-associative.
PRECEDENCE = {"or": 1, "and": 2, "+": 3, "-": 3, "*": 4, "/": 4}


def unparen(node):
    """The node inside any number of parentheses."""
    while isinstance(node, Paren):
        node = node.inner
    return node


def children(node) -> list:
    """The nodes directly under ``node``, in field order (identifiers,
    literals and comments are leaves)."""
    out = []
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, _NODES):
            out.append(value)
        elif isinstance(value, (tuple, list)):
            out.extend(v for v in value if isinstance(v, _NODES))
    return out


def walk(node):
    """Every node under ``node`` (itself included), depth first, in source
    order: the one traversal of the tree."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def conditions(cond):
    """The comparisons of a condition, in order."""
    return [c for c in walk(cond) if isinstance(c, Compare)]


_LEAVES = frozenset({"Ident", "Literal", "Comment"})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = () if cls.__name__ in _LEAVES else tuple(
            f.name for f in fields(cls) if f.name not in ("span", "head"))
        _FIELDS[cls] = names
    return names


def statement_keyword(stmt: Statement) -> str:
    """The keyword a statement starts with (the key, for a generic one)."""
    if isinstance(stmt, Generic):
        return stmt.key.name
    if isinstance(stmt, (Meta, Marker, Note)):
        return stmt.kind if not isinstance(stmt, Meta) else stmt.key
    return _KEYWORDS[type(stmt)]


# A statement's class is named for its keyword (Meta, Marker, Note and
# Generic carry theirs).
_KEYWORDS = {cls: cls.__name__.lower() for cls in (
    Journey, Stage, Touchpoint, Persona, Data, Clv, Segment, Framework, Objective, Kpi, Channel,
    Emotion, Flow, Tradeoff)}
assert set(_KEYWORDS.values()) <= set(STATEMENT_KEYWORDS)
_NODES = tuple(cls for cls in list(globals().values())
               if isinstance(cls, type) and getattr(cls, "__module__", None) == __name__
               and hasattr(cls, "__dataclass_fields__"))
