"""The kind of each KPI's value (rate, points, money, count, days or
number), inferred while resolving from its expression: the functions it
calls, the KPIs it names and the data columns it aggregates."""

from __future__ import annotations

from copisdsl.language import FUNCTIONS, MONEY_AGGREGATES
from copisdsl.semantic.model import Kpi, Model
from copisdsl.syntax import nodes as n


def references(model: Model) -> dict[int, list[Kpi]]:
    """KPI index -> the KPIs its expression names, in order."""
    return {kpi.index: [target for node in n.walk(kpi.expr) if isinstance(node, n.KpiRef)
                        for target in (model.lookup_kpi(node.name.name, kpi.scope_kind, kpi.scope),)
                        if target is not None]
            for kpi in model.kpis}


def dependency_order(kpis: list[Kpi], deps: dict[int, list[Kpi]]) -> list[Kpi]:
    """``kpis`` and the KPIs they use, each after the KPIs it uses (depth
    first in declaration order; in a cycle, the KPI reached first comes
    last). Iterative: a chain of thousands of KPIs needs no deep stack."""
    order: list[Kpi] = []
    seen: set[int] = set()
    for root in kpis:
        if root.index in seen:
            continue
        seen.add(root.index)
        work = [(root, 0)]
        while work:
            kpi, i = work.pop()
            succ = deps.get(kpi.index, ())
            if i < len(succ):
                work.append((kpi, i + 1))
                nxt = succ[i]
                if nxt.index not in seen:
                    seen.add(nxt.index)
                    work.append((nxt, 0))
            else:
                order.append(kpi)
    return order


def infer_kinds(model: Model) -> None:
    """Set ``kind`` on every KPI of ``model`` (a KPI in a cycle counts as a number)."""
    known: dict[int, str] = {}

    def kind_of(node, kpi: Kpi) -> str:
        node = n.unparen(node)
        if isinstance(node, n.Number):
            return "rate" if node.literal.kind == "percent" else "number"
        if isinstance(node, n.KpiRef):
            target = model.lookup_kpi(node.name.name, kpi.scope_kind, kpi.scope)
            # Known already (dependency order), except in a cycle.
            return known.get(target.index, "number") if target is not None else "number"
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
            return binop_kind(node, kpi)
        return "number"

    def binop_kind(node: n.BinOp, kpi: Kpi) -> str:
        # Left to right, as `a + b + c` is `(a + b) + c`: only the first
        # operand can be a plain number on the left.
        first = node.operands[0]
        left = kind_of(first, kpi)
        plain_l = isinstance(n.unparen(first), n.Number) and left == "number"
        for op, operand in zip(node.ops, node.operands[1:]):
            right = kind_of(operand, kpi)
            if op in "+-":
                left = left if left == right else "number"
            elif isinstance(n.unparen(operand), n.Number) and right == "number":
                pass  # scaled by a plain number: the kind stays
            elif plain_l and op == "*":
                left = right
            else:
                left = "number"
            plain_l = False
        return left

    for kpi in dependency_order(model.kpis, references(model)):
        kpi.kind = known[kpi.index] = kind_of(kpi.expr, kpi)
