"""KPI expressions: references (E201), arguments (E204), transactions
(E404) and dependency cycles (E210)."""

from __future__ import annotations

from copisdsl.syntax import nodes as n
from copisdsl.checks import check
from copisdsl.diagnostics import Diagnostic, error
from copisdsl.hints import did_you_mean
from copisdsl.semantic.model import Kpi, Model
from copisdsl.semantic.values import date_problem
from copisdsl.language import FUNCTIONS, SEGMENT_VARIABLES

class _Analysis:
    """Resolves the references of every KPI once; shared by the checks."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.diags: list[Diagnostic] = []
        self.deps: dict[int, list[Kpi]] = {}
        for kpi in model.kpis:
            self.deps[kpi.index] = []
            self.expr(kpi, kpi.expr, context="value")

    def err(self, code, message, span, hint=None):
        self.diags.append(error(code, message, span, hint))

    def expr(self, kpi: Kpi, node, context: str) -> None:
        if isinstance(node, n.Number):
            if node.literal.kind == "duration":
                self.err("E204", f"a duration ({node.literal.text}) is only an argument of churn_rate "
                         "and retention_rate", node.span)
        elif isinstance(node, n.KpiRef):
            self.kpi_ref(kpi, node.name)
        elif isinstance(node, n.Column):
            self.column(node)
            if context != "column":
                self.err("E204", f"the column {node.data.name}.{node.column.name} needs an aggregate",
                         node.span, f"for example: sum({node.data.name}.{node.column.name}) or "
                         f"mean({node.data.name}.{node.column.name})")
        elif isinstance(node, n.BinOp):
            for operand in node.operands:
                self.expr(kpi, operand, "value")
        elif isinstance(node, n.Neg):
            self.expr(kpi, node.operand, "value")
        elif isinstance(node, n.Paren):
            self.expr(kpi, node.inner, context)
        elif isinstance(node, n.Call):
            self.call(kpi, node)

    def kpi_ref(self, kpi: Kpi, ident: n.Ident) -> None:
        target = self.model.lookup_kpi(ident.name, kpi.scope_kind, kpi.scope)
        if target is not None:
            self.deps[kpi.index].append(target)
            return
        visible = [k.name for kind, sid in self.model.kpi_chain(kpi.scope_kind, kpi.scope)
                   for k in self.model.kpis_in(kind, sid)]
        hint = did_you_mean(ident.name, visible)
        elsewhere = next((k for k in self.model.kpis if k.name == ident.name), None)
        if elsewhere is not None:
            hint = (f"'{ident.name}' is defined in {elsewhere.scope_kind} '{elsewhere.scope}', which "
                    f"{kpi.scope_kind} '{kpi.scope}' cannot see; define it in an enclosing scope")
        elif ident.name in self.model.data:
            hint = f"'{ident.name}' is a data source: use a function, e.g. orders({ident.name})"
        self.err("E201", f"unknown KPI '{ident.name}'", ident.span, hint)

    def column(self, node: n.Column) -> None:
        if node.data.name not in self.model.data:
            self.err("E201", f"unknown data source '{node.data.name}'", node.data.span,
                     did_you_mean(node.data.name, self.model.data) or
                     f'declare it: data {node.data.name} "path/to/file.csv"')
        for comp in n.conditions(node.where) if node.where is not None else ():
            problem = date_problem(comp.value) if comp.value.kind == "date" else None
            if problem is not None:
                self.diags.append(problem)

    def call(self, kpi: Kpi, call: n.Call) -> None:
        name = call.func.name
        if name not in FUNCTIONS:
            self.err("E201", f"unknown function '{name}'", call.func.span,
                     did_you_mean(name, FUNCTIONS) or f"the functions are {', '.join(FUNCTIONS)}")
            for arg in call.args:  # what it takes is unknown: only references are checked
                self.loose_arg(kpi, arg)
            return
        shape, _ = FUNCTIONS[name]
        args = call.args
        if shape == "column":
            if len(args) != 1 or not isinstance(n.unparen(args[0]), n.Column):
                self.err("E204", f"{name}() takes one column, like {name}(survey.score)", call.span)
                for arg in args:
                    self.loose_arg(kpi, arg)
                return
            self.column(n.unparen(args[0]))
        elif shape == "pair":
            if len(args) != 2:
                self.err("E204", f"ratio() takes two values, like ratio(sum(f.orders), sum(f.visits)); "
                         f"got {len(args)}", call.span)
            for arg in args:
                self.expr(kpi, arg, "value")
        else:
            limit = 2 if shape == "tx_window" else 1
            if not 1 <= len(args) <= limit:
                usage = f"{name}(orders, 180d)" if limit == 2 else f"{name}(orders)"
                self.err("E204", f"{name}() takes a transactions data ID{' and a duration' if limit == 2 else ''}, "
                         f"like {usage}", call.span)
                return
            self.transactions_arg(call, args[0])
            if len(args) == 2:
                window = n.unparen(args[1])
                if not (isinstance(window, n.Number) and window.literal.kind == "duration"):
                    self.err("E204", f"the second argument of {name}() is a duration like 90d, 6m or 1y",
                             args[1].span)
                elif window.literal.value[0] < 0:  # 0: no order on or after the last date itself
                    self.err("E204", f"the window of {name}() is a negative duration; got {window.literal.text}",
                             window.span)

    def loose_arg(self, kpi: Kpi, arg) -> None:
        """An argument of a call that is already reported as wrong: only its
        own references are checked, so that one mistake gives one error."""
        node = n.unparen(arg)
        if isinstance(node, n.KpiRef) and node.name.name in self.model.data:
            return
        self.expr(kpi, node, "column")

    def transactions_arg(self, call: n.Call, arg) -> None:
        node = n.unparen(arg)
        name = call.func.name
        if not isinstance(node, n.KpiRef):
            self.err("E204", f"{name}() takes the ID of a transactions data file, like {name}(orders)",
                     arg.span)
            return
        data = self.model.data.get(node.name.name)
        if data is None:
            self.err("E201", f"unknown data source '{node.name.name}'", node.span,
                     did_you_mean(node.name.name, self.model.data) or
                     f'declare it: data {node.name.name} "orders.csv" {{ kind transactions }}')
        elif not data.is_transactions:
            self.diags.append(error(
                "E404", f"{name}() needs transactions, but data '{data.id}' is not `kind transactions`",
                call.span, f"add `kind transactions` to data '{data.id}' (line {data.node.span.line}), "
                "with its customer, date and amount columns"))


_CACHE: dict[int, _Analysis] = {}


def analysis(model: Model) -> _Analysis:
    """The (memoised) reference analysis of a model's KPIs."""
    key = id(model)
    cached = _CACHE.get(key)
    if cached is None or cached.model is not model:
        _CACHE.clear()
        cached = _CACHE[key] = _Analysis(model)
    return cached


@check("E201", "E204", "E404")
def references(model: Model) -> list[Diagnostic]:
    """KPI expressions name KPIs in scope, declared data sources, known
    functions with the right arguments, and transactions where needed."""
    return list(analysis(model).diags)


@check("E210")
def cycles(model: Model) -> list[Diagnostic]:
    """KPIs that depend on each other in a cycle have no value (Tarjan's
    strongly connected components, iterative, linear in the KPIs)."""
    deps = analysis(model).deps
    kpis = model.kpis
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[Diagnostic] = []
    counter = 0
    for root in kpis:
        if root.index in index:
            continue
        work = [(root.index, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            succ = deps[v]
            if i < len(succ):
                work.append((v, i + 1))
                w = succ[i].index
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    members.append(w)
                    if w == v:
                        break
                if len(members) > 1 or any(d.index == v for d in deps[v]):
                    out.append(_cycle_diag(model, sorted(members), deps))
    return out


def _cycle_diag(model: Model, members: list[int], deps) -> Diagnostic:
    first = model.kpis[members[0]]
    inside = set(members)
    path = [first]
    while True:
        nxt = next(d for d in deps[path[-1].index] if d.index in inside)
        if nxt is first or nxt in path:
            path.append(nxt)
            break
        path.append(nxt)
    text = " -> ".join(k.name for k in path)
    related = tuple((model.kpis[m].node.name.span, f"'{model.kpis[m].name}' is defined here")
                    for m in members[1:])
    return error("E210", f"KPI '{first.name}' depends on itself: {text}", first.node.name.span,
                 "break the cycle: one of these KPIs must be computed from data or a number", related)


@check("E404")
def by_segment(model: Model) -> list[Diagnostic]:
    """`by segment` needs declared segments and a transactions file to
    assign customers to them (§12.1)."""
    out: list[Diagnostic] = []
    for kpi in model.kpis:
        if not kpi.by_segment:
            continue
        if not model.segments:
            out.append(error("E404", f"KPI '{kpi.name}' is computed by segment, but the journey declares "
                             "no segments", kpi.node.by_segment,
                             'declare them: segment vip "High value" when clv >= 400, and one without '
                             "`when` for the rest"))
        elif model.transactions is None:
            out.append(error("E404", f"KPI '{kpi.name}' is computed by segment, but the journey has no "
                             "transactions data to assign customers to segments", kpi.node.by_segment,
                             "add a `data ID \"orders.csv\" { kind transactions }` for the segments "
                             "to be computed from"))
    return out


@check("E201", "E204", "E404")
def segments(model: Model) -> list[Diagnostic]:
    """Segment conditions use the per-customer variables with numbers, and
    need a transactions file."""
    out: list[Diagnostic] = []
    has_tx = model.transactions is not None
    for seg in model.segments.values():
        if seg.condition is None:
            continue
        if not has_tx:
            out.append(error("E404", f"segment '{seg.id}' has a condition but the journey has no "
                             "transactions data", seg.node.span,
                             "add a `data ID \"orders.csv\" { kind transactions }` for the segments "
                             "to be computed from"))
        for comp in n.conditions(seg.condition):
            var = comp.column.name
            if var not in SEGMENT_VARIABLES:
                out.append(error("E201", f"unknown customer variable '{var}'", comp.column.span,
                                 did_you_mean(var, SEGMENT_VARIABLES) or
                                 f"segments can use {', '.join(SEGMENT_VARIABLES)}"))
            if comp.value.kind not in ("number", "percent", "duration"):
                out.append(error("E204", f"'{var}' is compared with a number; got {comp.value.text}",
                                 comp.value.span))
    return out
