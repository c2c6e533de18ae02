"""The resolved journey: plain values that checks, figures and renderers use.

Built by ``copisdsl.semantic.resolve.resolve`` from the AST. Element defaults from the
journey and the stage are already applied to every touchpoint; references
are resolved; everything keeps its declaration order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from copisdsl.syntax import nodes as n
from copisdsl.language import FrameworkDef
from copisdsl.source import Span


@dataclass(slots=True)
class ElementValue:
    """One value of a COPIS element: text, or a persona reference."""

    text: str
    persona: str | None = None  # the persona id when the value names one
    span: Span | None = None


@dataclass(slots=True)
class Objective:
    """A resolved objective: its metric, direction, target and scope."""

    text: str
    direction: str | None  # increase | decrease | maintain
    metric: str | None
    target: float | None
    target_text: str | None
    by: str | None
    scope: str
    scope_kind: str  # journey | stage | touchpoint
    index: int
    node: n.Objective

    @property
    def span(self) -> Span:
        return self.node.span


@dataclass(slots=True)
class Kpi:
    """A resolved KPI: its expression, scope and the kind of value it gives."""

    name: str
    expr: n.Expr
    baseline: float | None
    scope: str
    scope_kind: str
    index: int
    node: n.Kpi
    kind: str = "number"  # rate | points | money | count | days | number

    @property
    def span(self) -> Span:
        return self.node.span

    @property
    def by_segment(self) -> bool:
        """Whether the KPI is computed per declared segment too (§12.1)."""
        return self.node.segmented


@dataclass(slots=True)
class Touchpoint:
    """A resolved touchpoint: its own statements and the elements and objectives it inherits."""

    id: str
    title: str
    stage: str
    index: int
    node: n.Touchpoint
    channel: str | None = None
    emotion: int | None = None
    elements: dict[str, list[ElementValue]] = field(default_factory=dict)
    element_origin: dict[str, str] = field(default_factory=dict)  # key -> touchpoint|stage|journey
    objectives: list[Objective] = field(default_factory=list)  # effective (own or default)
    kpis: list[Kpi] = field(default_factory=list)  # its own
    moment_of_truth: str | bool | None = None  # the reason, True when marked without one
    moment_of_truth_span: Span | None = None
    repurchase: str | bool | None = None
    pains: list[str] = field(default_factory=list)
    opportunities: list[str] = field(default_factory=list)
    owner: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    # service blueprint lanes (reference §11); support after defaults
    evidence: list[str] = field(default_factory=list)
    frontstage: list[str] = field(default_factory=list)
    backstage: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    support_origin: str = "touchpoint"  # touchpoint|stage|journey: where the support lane was written
    fail_point: str | bool | None = None  # the reason, True when marked without one
    fail_point_span: Span | None = None


@dataclass(slots=True)
class Stage:
    """A resolved stage and its touchpoints, in order."""

    id: str
    title: str
    index: int
    node: n.Stage
    touchpoints: list[Touchpoint] = field(default_factory=list)
    elements: dict[str, list[ElementValue]] = field(default_factory=dict)
    objectives: list[Objective] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    owner: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)  # the default for its touchpoints


@dataclass(slots=True)
class Persona:
    """A resolved persona."""

    id: str
    title: str
    node: n.Persona
    segment: str | None = None
    needs: list[str] = field(default_factory=list)
    pains: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    description: str | None = None


@dataclass(slots=True)
class Segment:
    """A resolved value segment."""

    id: str
    title: str
    condition: n.Cond | None
    node: n.Segment


@dataclass(slots=True)
class Data:
    """A linked data file and its options."""

    id: str
    path: str
    node: n.Data
    kind: str | None = None  # one of language.DATA_KINDS, or None
    customer: str = "customer_id"
    date: str = "date"
    amount: str = "amount"
    touchpoint: str = "touchpoint"  # an event log's touchpoint column
    until: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    table: str | None = None  # a database source's table (reference §13)
    query: str | None = None  # ... or its SELECT
    unusable: bool = False  # E204 was reported for its source: it is not read
    option_spans: dict[str, Span] = field(default_factory=dict)

    @property
    def is_transactions(self) -> bool:
        return self.kind == "transactions"

    @property
    def is_events(self) -> bool:
        return self.kind == "events"

    def problem_span(self, where: str) -> Span:
        """Where an E204 of its source goes (``locations.declaration_problem``'s
        ``path``, ``head`` or ``option``: its ``table`` or ``query``)."""
        if where == "path":
            return self.node.path.span
        if where == "head":
            return self.node.head
        return self.option_spans.get("table", self.option_spans.get("query", self.node.head))


@dataclass(slots=True)
class ClvSettings:
    """The `clv { ... }` settings, with their defaults."""

    margin: float = 1.0
    discount: float = 0.10
    horizon_months: int = 36
    model: str = "historic"
    unit: str = "day"
    #: the holdout period as (amount, unit) of a duration literal, or None
    holdout: tuple[int, str] | None = None
    #: the level of the CLV intervals (0 < level < 1), or None for none
    interval: float | None = None
    node: n.Clv | None = None


@dataclass(slots=True)
class FlowEdge:
    """One step of a flow, between two touchpoints."""

    source: str  # touchpoint ids, after stage endpoints are replaced
    target: str
    label: str | None
    node: n.Flow
    back: bool = False  # a back edge of the flow graph (a loop), see semantic.loops


@dataclass(slots=True)
class Model:
    """A resolved journey."""

    id: str
    title: str
    file: str
    framework: FrameworkDef
    node: n.Journey
    owner: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    elements: dict[str, list[ElementValue]] = field(default_factory=dict)  # journey defaults
    support: list[str] = field(default_factory=list)  # the journey's default support lane
    stages: list[Stage] = field(default_factory=list)
    touchpoints: dict[str, Touchpoint] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)
    data: dict[str, Data] = field(default_factory=dict)
    clv: ClvSettings = field(default_factory=ClvSettings)
    has_clv_block: bool = False
    flows: list[FlowEdge] = field(default_factory=list)
    flow_nodes: list[n.Flow] = field(default_factory=list)
    tradeoffs: list[tuple[str, str, n.Tradeoff]] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)  # every statement once
    kpis: list[Kpi] = field(default_factory=list)  # every definition, in order
    journey_objectives: list[Objective] = field(default_factory=list)
    journey_kpis: list[Kpi] = field(default_factory=list)

    @property
    def uses_blueprint(self) -> bool:
        """Whether any blueprint lane (evidence, frontstage, backstage,
        support) is written anywhere in the journey (reference §11)."""
        return bool(self.support) or any(stage.support for stage in self.stages) or any(
            tp.evidence or tp.frontstage or tp.backstage or tp.support for tp in self.touchpoints.values())

    @property
    def transactions(self) -> Data | None:
        """The journey's transactions file (the first declared)."""
        return next((d for d in self.data.values() if d.is_transactions), None)

    @property
    def events(self) -> Data | None:
        """The journey's event log (the first ``kind events`` declared, §12.2)."""
        return next((d for d in self.data.values() if d.is_events), None)

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def kpi_chain(self, scope_kind: str, scope: str) -> list[tuple[str, str]]:
        """The scopes a reference in ``scope`` looks through, nearest first."""
        if scope_kind == "touchpoint":
            tp = self.touchpoints[scope]
            return [("touchpoint", scope), ("stage", tp.stage), ("journey", self.id)]
        if scope_kind == "stage":
            return [("stage", scope), ("journey", self.id)]
        return [("journey", self.id)]

    def kpis_in(self, scope_kind: str, scope: str) -> list[Kpi]:
        if scope_kind == "touchpoint":
            return self.touchpoints[scope].kpis
        if scope_kind == "stage":
            stage = self.stage(scope)
            return stage.kpis if stage else []
        return self.journey_kpis

    def lookup_kpi(self, name: str, scope_kind: str, scope: str) -> Kpi | None:
        """The KPI ``name`` as seen from a scope (touchpoint -> stage -> journey)."""
        for kind, sid in self.kpi_chain(scope_kind, scope):
            for kpi in self.kpis_in(kind, sid):
                if kpi.name == name:
                    return kpi
        return None

    def measuring_kpi(self, objective: Objective) -> Kpi | None:
        """The KPI that measures an objective: the nearest of its metric's
        name, else the first in the journey in declaration order."""
        if objective.metric is None:
            return None
        near = self.lookup_kpi(objective.metric, objective.scope_kind, objective.scope)
        if near is not None:
            return near
        return next((k for k in self.kpis if k.name == objective.metric), None)
