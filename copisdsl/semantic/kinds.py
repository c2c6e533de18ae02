"""The kind of each KPI's value (rate, points, money, count, days or
number), inferred while resolving from its expression: the functions it
calls, the KPIs it names and the data columns it aggregates."""

from __future__ import annotations

from copisdsl.language import FUNCTIONS, MONEY_AGGREGATES
from copisdsl.semantic.model import KpiM, Model
from copisdsl.syntax import nodes as n


def infer_kinds(model: Model) -> None:
    """Set ``kind`` on every KPI of ``model`` (a KPI in a cycle counts as a number)."""
    known: dict[int, str] = {}
    visiting: set[int] = set()

    def kind_of(node, kpi: KpiM) -> str:
        node = n.unparen(node)
        if isinstance(node, n.Number):
            return "rate" if node.literal.kind == "percent" else "number"
        if isinstance(node, n.KpiRef):
            target = model.lookup_kpi(node.name.name, kpi.scope_kind, kpi.scope)
            return of(target) if target is not None else "number"
        if isinstance(node, n.Neg):
            return kind_of(node.operand, kpi)
        if isinstance(node, n.Call):
            _, kind = FUNCTIONS.get(node.func.name, ("", "number"))
            if node.func.name in MONEY_AGGREGATES and node.args:
                col = n.unparen(node.args[0])
                data = model.data.get(col.data.name) if isinstance(col, n.Column) else None
                if data is not None and data.is_transactions and col.column.name == data.amount:
                    return "money"
            return kind
        if isinstance(node, n.BinOp):
            left, right = kind_of(node.left, kpi), kind_of(node.right, kpi)
            if node.op in "+-":
                return left if left == right else "number"
            plain_l = isinstance(n.unparen(node.left), n.Number) and left == "number"
            plain_r = isinstance(n.unparen(node.right), n.Number) and right == "number"
            if plain_r:
                return left
            if plain_l and node.op == "*":
                return right
            return "number"
        return "number"

    def of(kpi: KpiM) -> str:
        if kpi.index in known:
            return known[kpi.index]
        if kpi.index in visiting:
            return "number"
        visiting.add(kpi.index)
        kind = kind_of(kpi.expr, kpi)
        visiting.discard(kpi.index)
        known[kpi.index] = kind
        return kind

    for kpi in model.kpis:
        kpi.kind = of(kpi)
