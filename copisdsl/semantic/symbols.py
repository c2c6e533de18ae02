"""Symbol tables and references: one namespace per kind of declaration
(E200), and the references to personas, segments and flow endpoints (E201)."""

from __future__ import annotations

from copisdsl.hints import did_you_mean
from copisdsl.semantic.model import FlowEdge, Persona, Segment
from copisdsl.semantic.placement import belongs
from copisdsl.semantic.state import ResolveState
from copisdsl.syntax import nodes as n

PERSONA_KEYS = ("needs", "pains", "goals")
#: the kinds whose plural is not KIND + "s" (in E200 hints)
_PLURAL = {"data": "data sources"}


def declare(state: ResolveState, kind: str, ident: n.Ident) -> bool:
    """Enter ``ident`` in the table of ``kind``; False (E200) when it is taken."""
    table = state.tables[kind]
    first = table.get(ident.name)
    if first is not None:
        state.err("E200", f"duplicate {kind} '{ident.name}'; the first is at {first.span.where()}",
                  ident.span, f"rename one of the two {_PLURAL.get(kind, kind + 's')}")
        return False
    table[ident.name] = ident
    return True


def declare_place(state: ResolveState, kind: str, ident: n.Ident) -> bool:
    """Enter a stage or touchpoint ID; the two share one namespace."""
    first = state.places.get(ident.name)
    if first is not None:
        first_kind, first_ident = first
        state.err("E200", f"duplicate identifier '{ident.name}': a {first_kind} with this ID is "
                  f"declared at {first_ident.span.where()}", ident.span,
                  "stage and touchpoint IDs share one namespace; rename one of them")
        return False
    state.places[ident.name] = (kind, ident)
    return True


def persona(state: ResolveState, p: n.Persona) -> None:
    if not declare(state, "persona", p.id):
        return
    person = Persona(p.id.name, p.title or p.id.name, p)
    for stmt in p.body or ():
        if isinstance(stmt, n.Segment) and stmt.title is None and stmt.condition is None:
            if person.segment is not None:
                state.err("E200", "a persona belongs to one segment; 'segment' is given twice",
                          stmt.span)
            person.segment = stmt.id.name
            state.segment_refs.append(stmt.id)
        elif isinstance(stmt, n.Generic) and stmt.key.name in PERSONA_KEYS:
            values = getattr(person, stmt.key.name)
            for v in stmt.values:
                if v.kind == "string":
                    values.append(v.value)
                else:
                    state.err("E204", f"'{stmt.key.name}' takes text; got {v.text}", v.span,
                              f'write it in double quotes: "{v.text}"')
        elif isinstance(stmt, n.Meta) and stmt.key == "description":
            person.description = " ".join(stmt.values)
        else:
            keyword = n.statement_keyword(stmt)
            span = stmt.key.span if isinstance(stmt, n.Generic) else stmt.span
            hint = did_you_mean(keyword, PERSONA_KEYS + ("segment", "description"))
            # An element (or a word that is none, `need`) belongs nowhere in particular.
            where = "" if isinstance(stmt, n.Generic) else f"; it belongs {belongs(stmt)}"
            state.err("E100", f"'{keyword}' is not allowed in a persona{where}", span,
                      hint or "a persona holds `segment ID`, `needs`, `pains`, `goals` and `description`")
    state.model.personas[person.id] = person


def segment(state: ResolveState, s: n.Segment) -> None:
    if not declare(state, "segment", s.id):
        return
    state.model.segments[s.id.name] = Segment(s.id.name, s.title or s.id.name, s.condition, s)


def persona_refs(state: ResolveState) -> None:
    """E201 for each persona's segment that is not declared (segments may follow personas)."""
    segments = state.model.segments
    for ident in state.segment_refs:
        if ident.name not in segments:
            state.err("E201", f"unknown segment '{ident.name}'", ident.span,
                      did_you_mean(ident.name, segments) or f'declare it: `segment {ident.name} "..."`')


def _endpoint(state: ResolveState, ident: n.Ident) -> tuple[str | None, str | None]:
    """A flow endpoint as (the touchpoint it arrives at, the one it leaves from)."""
    m = state.model
    name = ident.name
    if name in m.touchpoints:
        return name, name
    stage = m.stage(name)
    if stage is not None:
        if stage.touchpoints:
            return stage.touchpoints[0].id, stage.touchpoints[-1].id
        if not any(isinstance(st, n.Touchpoint) for st in stage.node.body):  # else only E200s emptied it
            state.err("E201", f"stage '{name}' has no touchpoints to flow to or from", ident.span,
                      "add a touchpoint to the stage, or name a touchpoint")
        return None, None
    candidates = list(m.touchpoints) + [s.id for s in m.stages]
    state.err("E201", f"unknown flow endpoint '{name}'", ident.span,
              did_you_mean(name, candidates) or "a flow connects touchpoint or stage IDs")
    return None, None


def flow(state: ResolveState, f: n.Flow) -> None:
    """Resolve a flow's endpoints into edges between touchpoints."""
    m = state.model
    m.flow_nodes.append(f)
    ends = [_endpoint(state, ident) for ident in f.path]
    for (_, source), (target, _) in zip(ends, ends[1:]):
        if source is None or target is None:
            continue
        m.flows.append(FlowEdge(source, target, f.label, f))  # `back` is set once all flows are known
