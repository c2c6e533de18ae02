"""Resolution: AST -> ``Model``, with the diagnostics found on the way.

Implements the scope rules of the reference (section 4.1): where each
statement may stand (E100), one namespace per kind of declaration (E200),
references to personas, segments and flow endpoints (E201), the framework
(E202, E203), one journey per file (E205), and element and objective
defaults from the journey and the stage, replaced (not merged) by a
touchpoint's own statement.
"""

from __future__ import annotations

from typing import Callable

from copisdsl.syntax import nodes as n
from copisdsl.diagnostics import Diagnostic, error
from copisdsl.language import BUILTIN, DEFAULT, RESERVED_KEYS, STATEMENT_KEYWORDS, FrameworkDef
from copisdsl.hints import closest, did_you_mean
from copisdsl.semantic.model import (
    ClvSettings, DataM, ElementValue, FlowEdge, KpiM, Model, ObjectiveM, PersonaM, SegmentM,
    StageM, TouchpointM,
)
from copisdsl.source import Span
from copisdsl.semantic.values import date_problem, duration_months, number_of

_EVERYWHERE = ("journey", "stage", "touchpoint")
PLACES: dict[type, tuple[str, ...]] = {
    n.Journey: ("file",),
    n.Stage: ("journey",), n.Persona: ("journey",), n.Data: ("journey",), n.Clv: ("journey",),
    n.Segment: ("journey",), n.Framework: ("journey",), n.Flow: ("journey",),
    n.Tradeoff: ("journey",),
    n.Touchpoint: ("stage",),
    n.Channel: ("touchpoint",), n.Emotion: ("touchpoint",), n.Marker: ("touchpoint",),
    n.Note: ("touchpoint",),
    n.Meta: _EVERYWHERE, n.Objective: _EVERYWHERE, n.Kpi: _EVERYWHERE, n.Generic: _EVERYWHERE,
}
PERSONA_KEYS = ("needs", "pains", "goals")
DATA_OPTIONS = ("kind", "customer", "date", "amount", "until", "sheet", "delimiter")
CLV_SETTINGS = ("margin", "discount", "horizon", "model", "unit")
MAX_HORIZON_MONTHS = 1200  # a CLV looks a few years ahead; a longer horizon only exhausts memory


def _where(places: tuple[str, ...]) -> str:
    names = {"file": "at the top of the file", "journey": "a journey", "stage": "a stage",
             "touchpoint": "a touchpoint"}
    words = [names[p] for p in places]
    if places == ("file",):
        return words[0]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return "in " + text


class _Resolver:
    def __init__(self, doc: n.Document, file: str) -> None:
        self.doc = doc
        self.file = file
        self.diags: list[Diagnostic] = []
        self.model: Model | None = None

    def err(self, code: str, message: str, span, hint: str | None = None, related=()) -> None:
        self.diags.append(error(code, message, span, hint, related))

    # ------------------------------------------------------------ placement
    def placed(self, stmt: n.Statement, where: str) -> bool:
        """Report E100 when ``stmt`` may not stand in a ``where`` block."""
        places = PLACES[type(stmt)]
        if where in places:
            return True
        keyword = n.statement_keyword(stmt)
        if isinstance(stmt, n.Generic) and where == "file":
            self.err("E100", f"'{keyword}' outside a journey", stmt.key.span,
                     "everything in a .copis file goes inside `journey ID \"Title\" { ... }`")
            return False
        here = {"file": "at the top of the file", "journey": "directly in a journey",
                "stage": "in a stage", "touchpoint": "in a touchpoint"}[where]
        span = getattr(stmt, "head", None) or stmt.span
        span = Span(span.file, span.line, span.column, span.line, span.column + len(keyword)) \
            if not isinstance(stmt, n.Generic) else stmt.key.span
        self.err("E100", f"'{keyword}' is not allowed {here}; it belongs {_where(places)}", span)
        return False

    # ------------------------------------------------------------ entry
    def run(self) -> Model | None:
        journeys = []
        for stmt in self.doc.body:
            if isinstance(stmt, n.Journey):
                journeys.append(stmt)
            else:
                self.placed(stmt, "file")
        if not journeys:
            self.err("E205", "no journey in this file", Span(self.file, 1, 1, 1, 1),
                     'a .copis file holds one `journey ID "Title" { ... }`')
            return None
        for extra in journeys[1:]:
            self.err("E205", f"more than one journey in a file: '{extra.id.name}' follows "
                     f"'{journeys[0].id.name}' (line {journeys[0].span.line})", extra.head,
                     "put each journey in a file of its own")
        self.journey(journeys[0])
        return self.model

    def journey(self, j: n.Journey) -> None:
        body = [s for s in j.body if self.placed(s, "journey")]
        framework = self.framework([s for s in body if isinstance(s, n.Framework)])
        m = self.model = Model(j.id.name, j.title or j.id.name, self.file, framework, j)
        self.meta(m, body)
        self.seen_ids: dict[str, tuple[str, n.Ident]] = {}  # stage + touchpoint namespace
        self.tables: dict[str, dict[str, n.Ident]] = {"persona": {}, "segment": {}, "data": {}}
        self.segment_refs: list[n.Ident] = []
        order = 0
        # Declarations first, so that references can point forward.
        for stmt in body:
            if isinstance(stmt, n.Persona):
                self.persona(stmt)
            elif isinstance(stmt, n.Segment):
                self.segment(stmt)
            elif isinstance(stmt, n.Data):
                self.data(stmt)
            elif isinstance(stmt, n.Clv):
                self.clv(stmt)
        self.kpi_index = 0
        self.objective_index = 0
        m.elements = self.elements(body, "journey")
        m.journey_objectives = self.objectives(body, "journey", m.id)
        m.journey_kpis = self.kpis(body, "journey", m.id)
        for stmt in body:
            if isinstance(stmt, n.Stage) and self.stage(stmt, order):
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
                self.flow(stmt)
            elif isinstance(stmt, n.Tradeoff):
                m.tradeoffs.append((stmt.a.name, stmt.b.name, stmt))
        self.persona_refs()

    # ------------------------------------------------------------ framework
    def framework(self, stmts: list[n.Framework]) -> FrameworkDef:
        if not stmts:
            return DEFAULT
        first = stmts[0]
        for later in stmts[1:]:
            self.err("E200", f"the framework is set twice; the first is at {first.span.where()}",
                     later.name.span, "keep one `framework` statement per journey")
        name = first.name.name
        if first.keys is None:
            if name in BUILTIN:
                return BUILTIN[name]
            self.err("E202", f"unknown framework '{name}'", first.name.span,
                     did_you_mean(name, BUILTIN) or f"the frameworks are {', '.join(BUILTIN)}; "
                     "or define one: framework NAME { KEY \"Label\" ... }")
            return DEFAULT
        if name in BUILTIN:
            self.err("E200", f"'{name}' is a built-in framework and cannot be redefined",
                     first.name.span, "give the custom framework a name of its own")
        keys: list[str] = []
        labels: list[str] = []
        seen: dict[str, n.FrameworkKey] = {}
        for entry in first.keys:
            key = entry.key.name
            if key in RESERVED_KEYS:
                self.err("E203", f"'{key}' is a statement keyword and cannot be an element key",
                         entry.key.span, "rename the element (customer, objective, process and "
                         "information are the keywords that may be keys)")
                continue
            if key in seen:
                self.err("E200", f"element key '{key}' is listed twice; the first is at "
                         f"{seen[key].span.where()}", entry.key.span)
                continue
            seen[key] = entry
            keys.append(key)
            labels.append(entry.label)
        return FrameworkDef(name, tuple(keys), tuple(labels), builtin=False)

    # ------------------------------------------------------------ metadata
    def meta(self, target, body) -> None:
        seen: dict[str, n.Meta] = {}
        for stmt in body:
            if not isinstance(stmt, n.Meta):
                continue
            if stmt.key in seen and stmt.key != "tags":
                self.err("E200", f"'{stmt.key}' is given twice; the first is at {seen[stmt.key].span.where()}",
                         stmt.span)
                continue
            seen[stmt.key] = stmt
            if stmt.key == "tags":
                target.tags.extend(stmt.values)
            else:
                setattr(target, stmt.key, " ".join(stmt.values) if len(stmt.values) > 1 else stmt.values[0])

    # ------------------------------------------------------------ declarations
    def declare(self, kind: str, ident: n.Ident) -> bool:
        table = self.tables[kind]
        first = table.get(ident.name)
        if first is not None:
            self.err("E200", f"duplicate {kind} '{ident.name}'; the first is at {first.span.where()}",
                     ident.span, f"rename one of the two {kind}s")
            return False
        table[ident.name] = ident
        return True

    def declare_place(self, kind: str, ident: n.Ident) -> bool:
        first = self.seen_ids.get(ident.name)
        if first is not None:
            first_kind, first_ident = first
            self.err("E200", f"duplicate identifier '{ident.name}': a {first_kind} with this ID is "
                     f"declared at {first_ident.span.where()}", ident.span,
                     "stage and touchpoint IDs share one namespace; rename one of them")
            return False
        self.seen_ids[ident.name] = (kind, ident)
        return True

    def persona(self, p: n.Persona) -> None:
        if not self.declare("persona", p.id):
            return
        persona = PersonaM(p.id.name, p.title or p.id.name, p)
        for stmt in p.body or ():
            if isinstance(stmt, n.Segment) and stmt.title is None and stmt.condition is None:
                if persona.segment is not None:
                    self.err("E200", "a persona belongs to one segment; 'segment' is given twice",
                             stmt.span)
                persona.segment = stmt.id.name
                self.segment_refs.append(stmt.id)
            elif isinstance(stmt, n.Generic) and stmt.key.name in PERSONA_KEYS:
                values = getattr(persona, stmt.key.name)
                for v in stmt.values:
                    if v.kind == "string":
                        values.append(v.value)
                    else:
                        self.err("E204", f"'{stmt.key.name}' takes text; got {v.text}", v.span,
                                 f'write it in double quotes: "{v.text}"')
            elif isinstance(stmt, n.Meta) and stmt.key == "description":
                persona.description = " ".join(stmt.values)
            else:
                keyword = n.statement_keyword(stmt)
                span = stmt.key.span if isinstance(stmt, n.Generic) else stmt.span
                hint = did_you_mean(keyword, PERSONA_KEYS + ("segment", "description"))
                self.err("E100", f"'{keyword}' is not allowed in a persona", span,
                         hint or "a persona holds `segment ID`, `needs`, `pains`, `goals` and `description`")
        self.model.personas[persona.id] = persona

    def persona_refs(self) -> None:
        for ident in self.segment_refs:
            if ident.name not in self.model.segments:
                self.err("E201", f"unknown segment '{ident.name}'", ident.span,
                         did_you_mean(ident.name, self.model.segments) or _declare_hint("segment", ident.name))

    def segment(self, s: n.Segment) -> None:
        if not self.declare("segment", s.id):
            return
        self.model.segments[s.id.name] = SegmentM(s.id.name, s.title or s.id.name, s.condition, s)

    def data(self, d: n.Data) -> None:
        if not self.declare("data", d.id):
            return
        data = DataM(d.id.name, d.path.value, d)
        for key, v in self.block_options(d.options or (), DATA_OPTIONS, "data option", "options"):
            data.option_spans[key] = v.span
            if key == "kind":
                if v.kind == "name" and v.value == "transactions":
                    data.kind = "transactions"
                else:
                    self.err("E204", f"unknown data kind {v.text}", v.span,
                             "the only kind is `transactions` (one row per order); leave `kind` out "
                             "for other tables")
            elif key in ("customer", "date", "amount"):
                if v.kind in ("name", "string"):
                    setattr(data, key, v.value)
                else:
                    self.err("E204", f"'{key}' names a column; got {v.text}", v.span)
            elif key == "until":
                problem = date_problem(v)
                if problem is None:
                    data.until = v.value
                else:
                    self.diags.append(problem)
            elif key == "sheet":
                if v.kind == "string":
                    data.sheet = v.value
                else:
                    self.err("E204", "'sheet' takes the sheet's name in double quotes", v.span)
            elif key == "delimiter":
                if v.kind == "string" and len(v.value) == 1:
                    data.delimiter = v.value
                else:
                    self.err("E204", f"'delimiter' takes one character in double quotes; got {v.text}",
                             v.span, 'for example: delimiter ";"')
        self.model.data[data.id] = data

    def block_options(self, items, allowed, noun: str, plural: str):
        """The ``key value`` statements of a ``data`` or ``clv`` block, as
        (key, value); other statements, unknown keys and several values are
        reported and skipped."""
        for item in items:
            if not isinstance(item, n.Generic):
                self.err("E100", f"'{n.statement_keyword(item)}' is not a {noun}", item.span,
                         f"the {plural} are {', '.join(allowed)}")
                continue
            key = item.key.name
            if key not in allowed:
                self.err("E100", f"unknown {noun} '{key}'", item.key.span,
                         did_you_mean(key, allowed) or f"the {plural} are {', '.join(allowed)}")
                continue
            if len(item.values) != 1:
                self.err("E204", f"'{key}' takes one value", item.values[1].span)
                continue
            yield key, item.values[0]

    def clv(self, c: n.Clv) -> None:
        m = self.model
        if m.has_clv_block:
            self.err("E200", f"the clv block is given twice; the first is at "
                     f"{m.clv.node.span.where()}", c.head)
            return
        m.has_clv_block = True
        settings = ClvSettings(node=c)
        for key, v in self.block_options(c.settings, CLV_SETTINGS, "clv setting", "settings"):
            if key in ("margin", "discount"):
                value = _fraction(v)
                if value is None or not 0 <= value <= 1:
                    self.err("E204", f"{key} must be a percent from 0% to 100%; got {v.text}", v.span,
                             f"for example: {key} {'35%' if key == 'margin' else '10%'}")
                else:
                    setattr(settings, key, value)
            elif key == "horizon":
                months = duration_months(v) if v.kind == "duration" else None
                if months is None or months <= 0:
                    self.err("E204", f"horizon must be a positive duration; got {v.text}", v.span,
                             "for example: horizon 3y, horizon 18m")
                elif months > MAX_HORIZON_MONTHS:
                    self.err("E204", f"horizon must be at most {MAX_HORIZON_MONTHS // 12} years; got {v.text}",
                             v.span,
                             "a customer lifetime value looks a few years ahead: horizon 3y, horizon 5y")
                else:
                    settings.horizon_months = months
            elif key == "model":
                if v.kind == "name" and v.value in ("historic", "bgnbd"):
                    settings.model = v.value
                else:
                    self.err("E204", f"unknown clv model {v.text}", v.span,
                             did_you_mean(str(v.value), ("historic", "bgnbd")) or "the models are historic and bgnbd")
            elif key == "unit":
                if v.kind == "name" and v.value in ("day", "week"):
                    settings.unit = v.value
                else:
                    self.err("E204", f"unknown clv unit {v.text}", v.span, "the units are day and week")
        m.clv = settings

    # ------------------------------------------------------------ stages
    def stage(self, s: n.Stage, order: int) -> bool:
        """Resolve a stage; False when its ID is taken (E200). The touchpoints
        of such a stage are still declared and checked, so that one
        duplicate ID does not make them unknown everywhere."""
        m = self.model
        declared = self.declare_place("stage", s.id)
        stage = StageM(s.id.name, s.title or s.id.name, order, s)
        body = [st for st in s.body if self.placed(st, "stage")]
        self.meta(stage, body)
        stage.elements = self.elements(body, "stage")
        stage.objectives = self.objectives(body, "stage", stage.id)
        stage.kpis = self.kpis(body, "stage", stage.id)
        if declared:
            m.stages.append(stage)
        for st in body:
            if isinstance(st, n.Touchpoint):
                self.touchpoint(st, stage)
        return declared

    def touchpoint(self, t: n.Touchpoint, stage: StageM) -> None:
        m = self.model
        if not self.declare_place("touchpoint", t.id):
            return
        tp = TouchpointM(t.id.name, t.title or t.id.name, stage.id, len(m.touchpoints), t)
        m.touchpoints[tp.id] = tp
        stage.touchpoints.append(tp)
        body = [st for st in t.body if self.placed(st, "touchpoint")]
        self.meta(tp, body)
        singles: dict[type, n.Statement] = {}
        for st in body:
            if isinstance(st, (n.Channel, n.Emotion, n.Marker)):
                key = (type(st), getattr(st, "kind", None))
                if key in singles:
                    self.err("E200", f"'{n.statement_keyword(st)}' is given twice in touchpoint "
                             f"'{tp.id}'; the first is at {singles[key].span.where()}", st.span)
                    continue
                singles[key] = st
            if isinstance(st, n.Channel):
                tp.channel = st.name.name
            elif isinstance(st, n.Emotion):
                self.emotion(st, tp)
            elif isinstance(st, n.Marker):
                setattr(tp, st.kind, st.text if st.text is not None else True)
                if st.kind == "moment_of_truth":
                    tp.moment_of_truth_span = st.span
            elif isinstance(st, n.Note):
                (tp.pains if st.kind == "pain" else tp.opportunities).extend(st.texts)
        own = self.elements(body, "touchpoint")
        own_objectives = self.objectives(body, "touchpoint", tp.id)
        tp.kpis = self.kpis(body, "touchpoint", tp.id)
        for key in m.framework.keys:
            for origin, source in (("touchpoint", own), ("stage", stage.elements), ("journey", m.elements)):
                if key in source:
                    tp.elements[key] = source[key]
                    tp.element_origin[key] = origin
                    break
        tp.objectives = own_objectives or stage.objectives or m.journey_objectives
        okey = m.framework.objective_key
        if okey and okey not in tp.elements and tp.objectives:
            tp.elements[okey] = [ElementValue(o.text, None, o.span) for o in tp.objectives]
            tp.element_origin[okey] = ("touchpoint" if own_objectives else
                                       "stage" if stage.objectives else "journey")

    def emotion(self, st: n.Emotion, tp: TouchpointM) -> None:
        v = st.value
        if v.kind == "number" and float(v.value).is_integer() and 1 <= v.value <= 5:
            tp.emotion = int(v.value)
        else:
            self.err("E204", f"emotion must be a whole number from 1 (worst) to 5 (best); got {v.text}",
                     v.span)

    # ------------------------------------------------------------ elements
    def elements(self, body, where: str) -> dict[str, list[ElementValue]]:
        m = self.model
        fw = m.framework
        out: dict[str, list[ElementValue]] = {}
        for st in body:
            if not isinstance(st, n.Generic):
                continue
            key = st.key.name
            if key not in fw.keys:
                self.unknown_element(st, where)
                continue
            values = out.setdefault(key, [])
            for v in st.values:
                value = self.element_value(key, v)
                if value is not None:
                    values.append(value)
        return out

    def unknown_element(self, st: n.Generic, where: str) -> None:
        fw = self.model.framework
        key = st.key.name
        keywords = [k for k in STATEMENT_KEYWORDS if k != "journey"]
        suggestion = closest(key, list(fw.keys) + keywords)
        lead = f"did you mean '{suggestion}'? " if suggestion else ""
        hint = (f"{lead}statements: {', '.join(keywords)}; elements of the '{fw.name}' framework: "
                f"{', '.join(fw.keys) or '(none)'}")
        in_fw = next((name for name, f in BUILTIN.items() if key in f.keys), None)
        if in_fw and not suggestion:
            hint = f"'{key}' is an element of the '{in_fw}' framework, not of '{fw.name}'; " + hint
        self.err("E203", f"'{key}' is not an element of the '{fw.name}' framework", st.key.span, hint)

    def element_value(self, key: str, v: n.Literal) -> ElementValue | None:
        m = self.model
        if v.kind == "string":
            return ElementValue(v.value, None, v.span)
        if v.kind == "name":
            name = v.value
            if key == m.framework.customer_key:
                if name in m.personas:
                    return ElementValue(m.personas[name].title, name, v.span)
                self.err("E201", f"unknown persona '{name}'", v.span,
                         did_you_mean(name, m.personas) or f'declare `persona {name} "..."`, or write text in '
                         f'double quotes: "{name}"')
                return None
            hint = f'element values are text in double quotes: "{name}"'
            if name in m.personas:
                hint = f"personas go in the '{m.framework.customer_key}' element; " + hint \
                    if m.framework.customer_key else hint
            self.err("E201", f"unknown reference '{name}' in element '{key}'", v.span, hint)
            return None
        self.err("E204", f"element values are text or persona IDs; got {v.text}", v.span,
                 f'write it in double quotes: "{v.text}"')
        return None

    # ------------------------------------------------------------ objectives, KPIs
    def objectives(self, body, scope_kind: str, scope: str) -> list[ObjectiveM]:
        out = []
        for st in body:
            if not isinstance(st, n.Objective):
                continue
            target = target_text = None
            if st.target is not None:
                target = number_of(st.target)
                target_text = st.target.text
                if st.target.kind == "duration":
                    self.err("E204", f"an objective's target is a number or a percent; got {st.target.text}",
                             st.target.span)
                    target = None
            by = None
            if st.by is not None:
                problem = date_problem(st.by)
                if problem is None:
                    by = st.by.value
                else:
                    self.diags.append(problem)
            o = ObjectiveM(st.text, st.direction, st.metric.name if st.metric else None, target,
                           target_text, by, scope, scope_kind, self.objective_index, st)
            self.objective_index += 1
            out.append(o)
            self.model.objectives.append(o)
        return out

    def kpis(self, body, scope_kind: str, scope: str) -> list[KpiM]:
        out: list[KpiM] = []
        seen: dict[str, KpiM] = {}
        for st in body:
            if not isinstance(st, n.Kpi):
                continue
            name = st.name.name
            if name in seen:
                self.err("E200", f"duplicate KPI '{name}' in {scope_kind} '{scope}'; the first is at "
                         f"{seen[name].span.where()}", st.name.span,
                         "KPI names are unique per touchpoint, stage and journey")
                continue
            baseline = number_of(st.baseline) if st.baseline is not None else None
            k = KpiM(name, st.expr, baseline, scope, scope_kind, self.kpi_index, st)
            self.kpi_index += 1
            seen[name] = k
            out.append(k)
            self.model.kpis.append(k)
        return out

    # ------------------------------------------------------------ flows
    def flow(self, f: n.Flow) -> None:
        m = self.model
        m.flow_nodes.append(f)
        stage_index = {s.id: s.index for s in m.stages}
        ends: list[tuple[str | None, str | None]] = []  # (as target, as source)
        for ident in f.path:
            name = ident.name
            if name in m.touchpoints:
                ends.append((name, name))
                continue
            stage = m.stage(name)
            if stage is not None:
                if not stage.touchpoints:
                    self.err("E201", f"stage '{name}' has no touchpoints to flow to or from", ident.span,
                             "add a touchpoint to the stage, or name a touchpoint")
                    ends.append((None, None))
                else:
                    ends.append((stage.touchpoints[0].id, stage.touchpoints[-1].id))
                continue
            candidates = list(m.touchpoints) + [s.id for s in m.stages]
            self.err("E201", f"unknown flow endpoint '{name}'", ident.span,
                     did_you_mean(name, candidates) or "a flow connects touchpoint or stage IDs")
            ends.append((None, None))
        for (_, source), (target, _) in zip(ends, ends[1:]):
            if source is None or target is None:
                continue
            s_stage = stage_index[m.touchpoints[source].stage]
            t_stage = stage_index[m.touchpoints[target].stage]
            back = t_stage < s_stage or (
                t_stage == s_stage and m.touchpoints[target].index <= m.touchpoints[source].index)
            m.flows.append(FlowEdge(source, target, f.label, f, back))


def _fraction(v: n.Literal) -> float | None:
    if v.kind == "percent":
        return float(v.value)
    if v.kind == "number" and 0 <= v.value <= 1:
        return float(v.value)
    return None


def _declare_hint(kind: str, name: str) -> str:
    return f'declare it: `{kind} {name} "..."`'


def resolve(doc: n.Document, file: str = "<input>") -> tuple[Model | None, list[Diagnostic]]:
    """Resolve a parsed document into a ``Model``.

    Returns ``None`` as the model when the file holds no journey.
    """
    r = _Resolver(doc, file)
    model = r.run()
    return model, r.diags


Check = Callable[[Model], list[Diagnostic]]
