"""The framework (E202, E203), metadata, COPIS element values, objectives
and KPIs of a journey, stage or touchpoint block."""

from __future__ import annotations

from copisdsl.hints import closest, did_you_mean
from copisdsl.language import BUILTIN, DEFAULT, RESERVED_KEYS, STATEMENT_KEYWORDS, FrameworkDef
from copisdsl.semantic.model import ElementValue, Kpi, Objective
from copisdsl.semantic.state import ResolveState
from copisdsl.semantic.values import date_problem, number_of
from copisdsl.syntax import nodes as n


def framework(state: ResolveState, stmts: list[n.Framework]) -> FrameworkDef:
    """The journey's framework: a built-in one by name, or one defined in place."""
    if not stmts:
        return DEFAULT
    first = stmts[0]
    for later in stmts[1:]:
        state.err("E200", f"the framework is set twice; the first is at {first.span.where()}",
                  later.name.span, "keep one `framework` statement per journey")
    name = first.name.name
    if first.keys is None:
        if name in BUILTIN:
            return BUILTIN[name]
        state.err("E202", f"unknown framework '{name}'", first.name.span,
                  did_you_mean(name, BUILTIN) or f"the frameworks are {', '.join(BUILTIN)}; "
                  "or define one: framework NAME { KEY \"Label\" ... }")
        return DEFAULT
    if name in BUILTIN:
        state.err("E200", f"'{name}' is a built-in framework and cannot be redefined",
                  first.name.span, "give the custom framework a name of its own")
    keys: list[str] = []
    labels: list[str] = []
    seen: dict[str, n.FrameworkKey] = {}
    for entry in first.keys:
        key = entry.key.name
        if key in RESERVED_KEYS:
            state.err("E203", f"'{key}' is a statement keyword and cannot be an element key",
                      entry.key.span, "rename the element (customer, objective, process and "
                      "information are the keywords that may be keys)")
            continue
        if key in seen:
            state.err("E200", f"element key '{key}' is listed twice; the first is at "
                      f"{seen[key].span.where()}", entry.key.span)
            continue
        seen[key] = entry
        keys.append(key)
        labels.append(entry.label)
    return FrameworkDef(name, tuple(keys), tuple(labels), builtin=False)


def meta(state: ResolveState, target, body) -> None:
    """``title``-like metadata onto ``target``; ``tags`` accumulate, others are given once."""
    seen: dict[str, n.Meta] = {}
    for stmt in body:
        if not isinstance(stmt, n.Meta):
            continue
        if stmt.key in seen and stmt.key != "tags":
            state.err("E200", f"'{stmt.key}' is given twice; the first is at {seen[stmt.key].span.where()}",
                      stmt.span)
            continue
        seen[stmt.key] = stmt
        if stmt.key == "tags":
            target.tags.extend(stmt.values)
        else:
            setattr(target, stmt.key, " ".join(stmt.values) if len(stmt.values) > 1 else stmt.values[0])


def elements(state: ResolveState, body, where: str) -> dict[str, list[ElementValue]]:
    """A block's own element values by framework key."""
    fw = state.model.framework
    out: dict[str, list[ElementValue]] = {}
    for st in body:
        if not isinstance(st, n.Generic):
            continue
        key = st.key.name
        if key not in fw.keys:
            _unknown_element(state, st)
            continue
        values = out.setdefault(key, [])
        for v in st.values:
            value = _element_value(state, key, v)
            if value is not None:
                values.append(value)
    return out


def _unknown_element(state: ResolveState, st: n.Generic) -> None:
    fw = state.model.framework
    key = st.key.name
    keywords = [k for k in STATEMENT_KEYWORDS if k != "journey"]
    # A key of another built-in framework says more than a near miss
    # (`supplier` is not a misspelt `support`).
    in_fw = next((name for name, f in BUILTIN.items() if key in f.keys), None)
    suggestion = None if in_fw else closest(key, list(fw.keys) + keywords)
    lead = f"did you mean '{suggestion}'? " if suggestion else ""
    hint = (f"{lead}statements: {', '.join(keywords)}; elements of the '{fw.name}' framework: "
            f"{', '.join(fw.keys) or '(none)'}")
    if in_fw:
        hint = f"'{key}' is an element of the '{in_fw}' framework, not of '{fw.name}'; " + hint
    state.err("E203", f"'{key}' is not an element of the '{fw.name}' framework", st.key.span, hint)


def _element_value(state: ResolveState, key: str, v: n.Literal) -> ElementValue | None:
    m = state.model
    if v.kind == "string":
        return ElementValue(v.value, None, v.span)
    if v.kind == "name":
        name = v.value
        if key == m.framework.customer_key:
            if name in m.personas:
                return ElementValue(m.personas[name].title, name, v.span)
            state.err("E201", f"unknown persona '{name}'", v.span,
                      did_you_mean(name, m.personas) or f'declare `persona {name} "..."`, or write text in '
                      f'double quotes: "{name}"')
            return None
        hint = f'element values are text in double quotes: "{name}"'
        if name in m.personas:
            hint = f"personas go in the '{m.framework.customer_key}' element; " + hint \
                if m.framework.customer_key else hint
        state.err("E201", f"unknown reference '{name}' in element '{key}'", v.span, hint)
        return None
    state.err("E204", f"element values are text or persona IDs; got {v.text}", v.span,
              f'write it in double quotes: "{v.text}"')
    return None


def emotion(state: ResolveState, st: n.Emotion) -> int | None:
    """A touchpoint's emotion: a whole number from 1 to 5."""
    v = st.value
    if v.kind == "number" and float(v.value).is_integer() and 1 <= v.value <= 5:
        return int(v.value)
    state.err("E204", f"emotion must be a whole number from 1 (worst) to 5 (best); got {v.text}",
              v.span)
    return None


def objectives(state: ResolveState, body, scope_kind: str, scope: str) -> list[Objective]:
    """A block's objectives, also entered in the model's list."""
    out = []
    for st in body:
        if not isinstance(st, n.Objective):
            continue
        target = target_text = None
        if st.target is not None:
            target = number_of(st.target)
            target_text = st.target.text
            if st.target.kind == "duration":
                state.err("E204", f"an objective's target is a number or a percent; got {st.target.text}",
                          st.target.span)
                target = None
        by = None
        if st.by is not None:
            problem = date_problem(st.by)
            if problem is None:
                by = st.by.value
            else:
                state.diags.append(problem)
        o = Objective(st.text, st.direction, st.metric.name if st.metric else None, target,
                       target_text, by, scope, scope_kind, state.objective_index, st)
        state.objective_index += 1
        out.append(o)
        state.model.objectives.append(o)
    return out


def kpis(state: ResolveState, body, scope_kind: str, scope: str) -> list[Kpi]:
    """A block's KPIs (names unique per block), also entered in the model's list."""
    out: list[Kpi] = []
    seen: dict[str, Kpi] = {}
    for st in body:
        if not isinstance(st, n.Kpi):
            continue
        name = st.name.name
        if name in seen:
            state.err("E200", f"duplicate KPI '{name}' in {scope_kind} '{scope}'; the first is at "
                      f"{seen[name].node.name.span.where()}", st.name.span,
                      "KPI names are unique per touchpoint, stage and journey")
            continue
        baseline = number_of(st.baseline) if st.baseline is not None else None
        k = Kpi(name, st.expr, baseline, scope, scope_kind, state.kpi_index, st)
        state.kpi_index += 1
        seen[name] = k
        out.append(k)
        state.model.kpis.append(k)
    return out
