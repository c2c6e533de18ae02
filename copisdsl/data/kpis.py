"""KPI expression evaluation.

Literals, arithmetic and references to other KPIs are evaluated here in
plain Python; anything that needs a data file (a column aggregate or a
transaction function) is delegated to a ``source`` object, which exists only
when the journey links data (so that journeys without data never import
pandas).
"""

from __future__ import annotations

import math
from typing import Protocol

from copisdsl.syntax import nodes as n
from copisdsl.language import FUNCTIONS
from copisdsl.semantic.kinds import dependency_order, references
from copisdsl.semantic.model import Kpi, Model


class NoValue(Exception):
    """The expression has no value; ``note`` says why (shown in reports)."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


class DataSource(Protocol):
    """What the evaluator needs from the data layer."""

    def aggregate(self, func: str, column: n.Column, call: n.Call) -> float:
        """``sum``/``mean``/.../``nps``/``csat`` of a (filtered) column;
        raises ``NoValue`` when there is none."""

    def transactions(self, func: str, data_id: str, window: n.Literal | None, call: n.Call) -> float:
        """A transaction function of section 7 on the data ``data_id``."""


class Evaluator:
    """Evaluates every KPI of a model once, memoising results.

    ``evaluate(kpi)`` returns ``(value, note)``: the value is a finite float,
    or None with a note saying why there is none.
    """

    def __init__(self, model: Model, source: DataSource | None = None) -> None:
        self.model = model
        self.source = source
        self._done: dict[int, tuple[float | None, str | None]] = {}
        self._deps: dict[int, list[Kpi]] | None = None

    def evaluate(self, kpi: Kpi) -> tuple[float | None, str | None]:
        if kpi.index in self._done:
            return self._done[kpi.index]
        # The KPIs it uses first, deepest first: no evaluation waits on
        # another, so a chain of thousands of KPIs needs no deep stack.
        for other in dependency_order([kpi], self._references()):
            if other.index not in self._done:
                self._done[other.index] = self._evaluate_one(other)
        return self._done[kpi.index]

    def _references(self) -> dict[int, list[Kpi]]:
        if self._deps is None:
            self._deps = references(self.model)
        return self._deps

    def _evaluate_one(self, kpi: Kpi) -> tuple[float | None, str | None]:
        try:
            return self.expr(kpi, kpi.expr), None
        except NoValue as exc:
            return None, exc.note

    def expr(self, kpi: Kpi, node) -> float:
        if isinstance(node, n.Paren):
            return self.expr(kpi, node.inner)
        if isinstance(node, n.Number):
            lit = node.literal
            if lit.kind not in ("number", "percent"):
                raise NoValue(f"{lit.text} is not a number")
            return float(lit.value)
        if isinstance(node, n.Neg):
            return -self.expr(kpi, node.operand)
        if isinstance(node, n.BinOp):
            return self.binop(kpi, node)
        if isinstance(node, n.KpiRef):
            return self.reference(kpi, node)
        if isinstance(node, n.Call):
            return _finite(self.call(kpi, node))
        if isinstance(node, n.Column):
            raise NoValue(f"the column {node.data.name}.{node.column.name} needs an aggregate")
        raise NoValue("not an expression")  # pragma: no cover - the grammar has no other node

    def binop(self, kpi: Kpi, node: n.BinOp) -> float:
        left = self.expr(kpi, node.operands[0])
        for op, operand in zip(node.ops, node.operands[1:]):
            right = self.expr(kpi, operand)
            if op == "+":
                left = _finite(left + right)
            elif op == "-":
                left = _finite(left - right)
            elif op == "*":
                left = _finite(left * right)
            else:
                left = _divide(left, right)
        return left

    def reference(self, kpi: Kpi, node: n.KpiRef) -> float:
        target = self.model.lookup_kpi(node.name.name, kpi.scope_kind, kpi.scope)
        if target is None:
            raise NoValue(f"unknown KPI '{node.name.name}'")
        if target.index not in self._done:
            # Not evaluated before its users: it is in a cycle (E210 statically).
            raise NoValue(f"'{target.name}' depends on itself")
        value, note = self._done[target.index]
        if value is None:
            raise NoValue(f"'{target.name}' has no value" + (f" ({note})" if note else ""))
        return value

    def call(self, kpi: Kpi, call: n.Call) -> float:
        name = call.func.name
        if name not in FUNCTIONS:
            raise NoValue(f"unknown function '{name}'")
        shape, _ = FUNCTIONS[name]
        if shape == "pair":
            if len(call.args) != 2:
                raise NoValue("ratio() takes two values")
            return _divide(self.expr(kpi, call.args[0]), self.expr(kpi, call.args[1]))
        if self.source is None:
            raise NoValue(f"{name}() needs data, and the journey links none")
        if shape == "column":
            column = n.unparen(call.args[0]) if len(call.args) == 1 else None
            if not isinstance(column, n.Column):
                raise NoValue(f"{name}() takes one column")
            return self.source.aggregate(name, column, call)
        data = n.unparen(call.args[0]) if call.args else None
        if not isinstance(data, n.KpiRef) or len(call.args) > (2 if shape == "tx_window" else 1):
            raise NoValue(f"{name}() takes a transactions data ID")
        window = None
        if len(call.args) == 2:
            arg = n.unparen(call.args[1])
            if not (isinstance(arg, n.Number) and arg.literal.kind == "duration"):
                raise NoValue(f"the window of {name}() is a duration")
            window = arg.literal
        return self.source.transactions(name, data.name.name, window, call)


def _finite(value: float) -> float:
    if value is None or not math.isfinite(value):
        raise NoValue("the result is not a finite number")
    return float(value)


def _divide(a: float, b: float) -> float:
    if b == 0:
        raise NoValue("division by zero")
    return _finite(a / b)
