"""Resolution: AST -> ``Model``, with the diagnostics found on the way.

Implements the scope rules of the reference (section 4.1): where each
statement may stand (E100, ``placement``), one namespace per kind of
declaration and the references between them (E200, E201, ``symbols``), the
framework (E202, E203, ``elements``), the options of ``data`` and ``clv``
blocks (``options``), one journey per file (E205), and element and
objective defaults from the journey and the stage, replaced (not merged)
by a touchpoint's own statement (``defaults``).
"""

from __future__ import annotations

from copisdsl.diagnostics import Diagnostic
from copisdsl.semantic import elements, options, symbols
from copisdsl.semantic.defaults import inherit
from copisdsl.semantic.kinds import infer_kinds
from copisdsl.semantic.loops import mark_loops
from copisdsl.semantic.model import Model, Stage, Touchpoint
from copisdsl.semantic.placement import placed, placed_body
from copisdsl.semantic.state import ResolveState
from copisdsl.source import Span
from copisdsl.syntax import nodes as n


def resolve(doc: n.Document, file: str = "<input>") -> tuple[Model | None, list[Diagnostic]]:
    """Resolve a parsed document into a ``Model``.

    Returns ``None`` as the model when the file holds no journey, or
    statements where they may not stand (E100: then only those are reported).
    """
    state = ResolveState(file)
    journeys = []
    for stmt in doc.body:
        if isinstance(stmt, n.Journey):
            journeys.append(stmt)
        else:
            placed(state, stmt, "file")
    if not journeys:
        state.err("E205", "no journey in this file", Span(file, 1, 1, 1, 1),
                  'a .copis file holds one `journey ID "Title" { ... }`')
        return _outcome(state)
    for extra in journeys[1:]:
        state.err("E205", f"more than one journey in a file: '{extra.id.name}' follows "
                  f"'{journeys[0].id.name}' (line {journeys[0].span.line})", extra.head,
                  "put each journey in a file of its own")
    _journey(state, journeys[0])
    infer_kinds(state.model)
    return _outcome(state)


def _outcome(state: ResolveState) -> tuple[Model | None, list[Diagnostic]]:
    """A statement where it may not stand is a syntax error too, and after
    one only syntax errors are reported (the reference, section 6): no
    model, so no checks and no data read."""
    if any(d.code == "E100" for d in state.diags):
        return None, [d for d in state.diags if d.code == "E100"]
    return state.model, state.diags


def _journey(state: ResolveState, j: n.Journey) -> None:
    body = placed_body(state, j.body, "journey")
    framework = elements.framework(state, [s for s in body if isinstance(s, n.Framework)])
    m = state.model = Model(j.id.name, j.title or j.id.name, state.file, framework, j)
    elements.meta(state, m, body)
    # Declarations first, so that references can point forward.
    for stmt in body:
        if isinstance(stmt, n.Persona):
            symbols.persona(state, stmt)
        elif isinstance(stmt, n.Segment):
            symbols.segment(state, stmt)
        elif isinstance(stmt, n.Data):
            if symbols.declare(state, "data", stmt.id):
                m.data[stmt.id.name] = options.data(state, stmt)
        elif isinstance(stmt, n.Clv):
            _clv(state, stmt)
    m.elements = elements.elements(state, body, "journey")
    m.support = _support(body)
    m.journey_objectives = elements.objectives(state, body, "journey", m.id)
    m.journey_kpis = elements.kpis(state, body, "journey", m.id)
    order = 0
    for stmt in body:
        if isinstance(stmt, n.Stage) and _stage(state, stmt, order):
            order += 1
    # Statement order within a block does not matter, but the model lists
    # objectives and KPIs in source order.
    m.objectives.sort(key=lambda o: (o.node.span.line, o.node.span.column))
    m.kpis.sort(key=lambda k: (k.node.span.line, k.node.span.column))
    for i, o in enumerate(m.objectives):
        o.index = i
    for i, k in enumerate(m.kpis):
        k.index = i
    for stmt in body:
        if isinstance(stmt, n.Flow):
            symbols.flow(state, stmt)
        elif isinstance(stmt, n.Tradeoff):
            m.tradeoffs.append((stmt.a.name, stmt.b.name, stmt))
    mark_loops(list(m.touchpoints), m.flows)
    symbols.persona_refs(state)


def _clv(state: ResolveState, c: n.Clv) -> None:
    m = state.model
    if m.has_clv_block:
        state.err("E200", f"the clv block is given twice; the first is at "
                  f"{m.clv.node.span.where()}", c.head)
        return
    m.has_clv_block = True
    m.clv = options.clv(state, c)


def _stage(state: ResolveState, s: n.Stage, order: int) -> bool:
    """Resolve a stage; False when its ID is taken (E200). The touchpoints
    of such a stage are still declared and checked, so that one duplicate
    ID does not make them unknown everywhere."""
    declared = symbols.declare_place(state, "stage", s.id)
    stage = Stage(s.id.name, s.title or s.id.name, order, s)
    body = placed_body(state, s.body, "stage")
    elements.meta(state, stage, body)
    stage.elements = elements.elements(state, body, "stage")
    stage.support = _support(body)
    stage.objectives = elements.objectives(state, body, "stage", stage.id)
    stage.kpis = elements.kpis(state, body, "stage", stage.id)
    if declared:
        state.model.stages.append(stage)
    for st in body:
        if isinstance(st, n.Touchpoint):
            _touchpoint(state, st, stage)
    return declared


_SINGLES = (n.Channel, n.Emotion, n.Marker)  # given at most once per touchpoint
NOTE_FIELDS = {"pain": "pains", "opportunity": "opportunities"}  # other notes fill the field of their name


def _support(body) -> list[str]:
    """The `support` lane written directly in a journey or stage body."""
    return [text for st in body if isinstance(st, n.Note) and st.kind == "support" for text in st.texts]


def _touchpoint(state: ResolveState, t: n.Touchpoint, stage: Stage) -> None:
    m = state.model
    if not symbols.declare_place(state, "touchpoint", t.id):
        return
    tp = Touchpoint(t.id.name, t.title or t.id.name, stage.id, len(m.touchpoints), t)
    m.touchpoints[tp.id] = tp
    stage.touchpoints.append(tp)
    body = placed_body(state, t.body, "touchpoint")
    elements.meta(state, tp, body)
    singles: dict[tuple, n.Statement] = {}
    for st in body:
        if isinstance(st, _SINGLES):
            key = (type(st), getattr(st, "kind", None))
            if key in singles:
                state.err("E200", f"'{n.statement_keyword(st)}' is given twice in touchpoint "
                          f"'{tp.id}'; the first is at {singles[key].span.where()}", st.span)
                continue
            singles[key] = st
        if isinstance(st, n.Channel):
            tp.channel = st.name.name
        elif isinstance(st, n.Emotion):
            tp.emotion = elements.emotion(state, st)
        elif isinstance(st, n.Marker):
            setattr(tp, st.kind, st.text if st.text is not None else True)
            if st.kind == "moment_of_truth":
                tp.moment_of_truth_span = st.span
            elif st.kind == "fail_point":
                tp.fail_point_span = st.span
        elif isinstance(st, n.Note):
            getattr(tp, NOTE_FIELDS.get(st.kind, st.kind)).extend(st.texts)
    own = elements.elements(state, body, "touchpoint")
    own_objectives = elements.objectives(state, body, "touchpoint", tp.id)
    tp.kpis = elements.kpis(state, body, "touchpoint", tp.id)
    inherit(m, stage, tp, own, own_objectives)
