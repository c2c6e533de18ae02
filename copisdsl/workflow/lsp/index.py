"""Every name a journey declares and every place that refers to one.

Built from the resolved model (``CheckResult.model``): the scope rules are
the resolver's (KPIs touchpoint -> stage -> journey, an objective measured
by its nearest KPI, stage and touchpoint IDs in one namespace), so go to
definition, references and rename agree with what ``copis check`` reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from copisdsl.language import FUNCTIONS
from copisdsl.semantic.model import Model
from copisdsl.source import Span
from copisdsl.syntax import nodes as n

# A symbol: (kind, key). Kinds: node (stage or touchpoint), persona,
# segment, data, kpi (key: the KPI's index in the model).
Symbol = tuple[str, object]


@dataclass(frozen=True, slots=True)
class Occurrence:
    span: Span
    symbol: Symbol
    name: str
    definition: bool


@dataclass
class Index:
    """The occurrences of a model's symbols, in text order."""

    occurrences: list[Occurrence] = field(default_factory=list)
    definitions: dict[Symbol, Occurrence] = field(default_factory=dict)

    def at(self, line: int, column: int) -> Occurrence | None:
        """The occurrence under a 1-based (line, column); the column just
        after a name counts, as editors put the cursor there."""
        for occ in self.occurrences:
            s = occ.span
            if s.line == line and s.column <= column <= s.end_column:
                return occ
        return None

    def of(self, symbol: Symbol) -> list[Occurrence]:
        return [o for o in self.occurrences if o.symbol == symbol]


def build_index(model: Model) -> Index:
    """The index of a resolved journey."""
    out: list[Occurrence] = []

    def add(ident_span: Span, symbol: Symbol, name: str, definition: bool = False) -> None:
        out.append(Occurrence(ident_span, symbol, name, definition))

    for stage in model.stages:
        add(stage.node.id.span, ("node", stage.id), stage.id, True)
        for tp in stage.touchpoints:
            add(tp.node.id.span, ("node", tp.id), tp.id, True)
    for persona in model.personas.values():
        add(persona.node.id.span, ("persona", persona.id), persona.id, True)
        for stmt in persona.node.body or ():
            if isinstance(stmt, n.Segment) and stmt.title is None and stmt.condition is None \
                    and stmt.id.name in model.segments:
                add(stmt.id.span, ("segment", stmt.id.name), stmt.id.name)
    for segment in model.segments.values():
        add(segment.node.id.span, ("segment", segment.id), segment.id, True)
    for data in model.data.values():
        add(data.node.id.span, ("data", data.id), data.id, True)
    for kpi in model.kpis:
        add(kpi.node.name.span, ("kpi", kpi.index), kpi.name, True)
        for node in n.walk(kpi.expr):
            _expression_ref(model, kpi, node, add)
    for node in model.flow_nodes:
        for ident in node.path:
            if ident.name in model.touchpoints or model.stage(ident.name) is not None:
                add(ident.span, ("node", ident.name), ident.name)
    for objective in model.objectives:
        target = model.measuring_kpi(objective)
        metric = objective.node.metric
        if target is not None and metric is not None:
            add(metric.span, ("kpi", target.index), metric.name)
    seen = set()
    for holder in [model, *model.stages, *model.touchpoints.values()]:
        for values in holder.elements.values():
            for value in values:
                if value.persona is not None and value.span is not None and value.span not in seen:
                    seen.add(value.span)
                    add(value.span, ("persona", value.persona), value.persona)
    unique: dict[tuple, Occurrence] = {}
    for occ in out:  # the first reading of a place wins (a call's data argument over a KPI)
        unique.setdefault((occ.span.line, occ.span.column, occ.span.end_column), occ)
    occurrences = sorted(unique.values(), key=lambda o: (o.span.line, o.span.column))
    return Index(occurrences, {o.symbol: o for o in occurrences if o.definition})


def _expression_ref(model: Model, kpi, node, add) -> None:
    if isinstance(node, n.Column):
        if node.data.name in model.data:
            add(node.data.span, ("data", node.data.name), node.data.name)
    elif isinstance(node, n.Call):
        shape = FUNCTIONS.get(node.func.name, ("", ""))[0]
        if shape.startswith("tx") and node.args:
            arg = n.unparen(node.args[0])
            if isinstance(arg, n.KpiRef) and arg.name.name in model.data:
                add(arg.name.span, ("data", arg.name.name), arg.name.name)
    elif isinstance(node, n.KpiRef):
        target = model.lookup_kpi(node.name.name, kpi.scope_kind, kpi.scope)
        if target is not None:
            add(node.name.span, ("kpi", target.index), node.name.name)
        elif node.name.name in model.data:
            add(node.name.span, ("data", node.name.name), node.name.name)
