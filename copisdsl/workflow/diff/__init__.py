"""Semantic diff of two resolved journeys (``copis diff``).

``diff_models(old, new)`` compares what two versions of a journey *say*,
not how they are written: spans, comments, whitespace and the order of
statements inside a block never make a difference. Order counts only where
it means something: stages, the touchpoints of a stage, segments (first
match wins), the values of an element (a process is a sequence of steps)
and the steps of a flow (compared as edges).

Entities are matched by id. An entity whose id disappeared and another that
appeared with the same content (everything but the id) is a rename; failing
that, the same title as written (unique on both sides) is a rename with
changes. References to a renamed stage, touchpoint, persona or segment are
followed, so a rename is reported once, not again in every flow, KPI or
persona that names it.

Values are shown as ``.copis`` source: strings quoted, numbers normalised
(``12.50%`` and ``12.5%`` are the same value), lists joined with ``, ``.
Renderers for the result live in ``copisdsl.workflow.diff.render``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from copisdsl.syntax import nodes as n
from copisdsl.diagnostics import plural
from copisdsl.workflow.fmt import quote
from copisdsl.semantic.model import ElementValue, KpiM, Model, ObjectiveM

__all__ = ["GROUPS", "Change", "FieldChange", "JourneyDiff", "diff_models", "expr_text"]

#: the groups of a diff, in the order they are shown, with their headings
GROUPS = {
    "journey": "Journey",
    "stages": "Stages",
    "touchpoints": "Touchpoints",
    "moments": "Moments of truth and re-purchase",
    "objectives": "Objectives",
    "kpis": "KPIs",
    "flows": "Flows",
    "segments": "Segments",
    "personas": "Personas",
    "data": "Data and CLV",
}
KINDS = ("added", "removed", "renamed", "changed")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One property with its old and new value (``None``: not set)."""

    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Change:
    """One difference.

    ``kind`` is ``added``, ``removed``, ``renamed`` or ``changed``; ``what``
    the kind of entity (``touchpoint``, ``kpi``, ``stage order`` ...).
    ``name`` is an identifier (or ``a -> b`` for a flow), ``title`` a quoted
    user string, ``where`` the scope as (kind, id), ``detail`` the entity's
    main value as source text, ``old_name`` the id before a rename and
    ``fields`` what changed.
    """

    group: str
    kind: str
    what: str
    name: str | None = None
    title: str | None = None
    where: tuple[str, str] | None = None
    detail: str | None = None
    old_name: str | None = None
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class JourneyDiff:
    """The differences between two versions of one journey, grouped and in
    a stable order (groups as ``GROUPS``, then declaration order)."""

    old_id: str | None
    new_id: str | None
    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        """How many changes of each kind (``added`` ... ``changed``)."""
        tally = Counter(c.kind for c in self.changes)
        return {kind: tally[kind] for kind in KINDS}

    def by_group(self) -> list[tuple[str, list[Change]]]:
        """(group, its changes) for the groups that have any."""
        return [(g, [c for c in self.changes if c.group == g]) for g in GROUPS
                if any(c.group == g for c in self.changes)]


# ------------------------------------------------------------------ values


def _number(value: float) -> str:
    return f"{float(value):.12g}"


def literal_text(lit: n.Literal) -> str:
    """A literal as source text, numbers normalised (``12.50%`` -> ``12.5%``)."""
    if lit.kind == "string":
        return quote(lit.value)
    if lit.kind == "number":
        return _number(lit.value)
    if lit.kind == "percent":
        return f"{float(lit.value) * 100:.10g}%"
    if lit.kind == "duration":
        amount, unit = lit.value
        return f"{_number(amount)}{unit}"
    return str(lit.value) if lit.kind == "name" else lit.text


def expr_text(e) -> str:
    """A KPI expression or condition as normalised source text (one line),
    with the parentheses its structure needs and no others: `(1 + (2 * 3))`
    and `1 + 2 * 3` are one expression, `(1 + 2) * 3` another."""
    if isinstance(e, n.Paren):
        return expr_text(e.inner)
    if isinstance(e, (n.BinOp, n.BoolOp)):
        level = n.PRECEDENCE[e.op]
        return f"{_operand(e.left, level, False)} {e.op} {_operand(e.right, level, True)}"
    if isinstance(e, n.Neg):
        inner = n.unparen(e.operand)
        text = expr_text(inner)
        return f"-({text})" if isinstance(inner, (n.BinOp, n.Neg)) else f"-{text}"
    return _leaf_text(e)


def _operand(e, level: int, right: bool) -> str:
    inner = n.unparen(e)
    text = expr_text(inner)
    if isinstance(inner, (n.BinOp, n.BoolOp)):
        own = n.PRECEDENCE[inner.op]
        if own < level or (right and own == level):
            return f"({text})"
    return text


def _leaf_text(e) -> str:
    if isinstance(e, n.Number):
        return literal_text(e.literal)
    if isinstance(e, n.KpiRef):
        return e.name.name
    if isinstance(e, n.Column):
        text = f"{e.data.name}.{e.column.name}"
        return text + (f" where {expr_text(e.where)}" if e.where is not None else "")
    if isinstance(e, n.Call):
        return f"{e.func.name}({', '.join(expr_text(a) for a in e.args)})"
    if isinstance(e, n.Compare):
        return f"{e.column.name} {e.op} {literal_text(e.value)}"
    raise TypeError(f"not an expression: {type(e).__name__}")


def _text(value: str | None) -> str | None:
    return quote(value) if value is not None else None


def _list(values, ordered: bool = True) -> str | None:
    items = list(values)
    if not items:
        return None
    return ", ".join(items if ordered else sorted(items))


def _strings(values, ordered: bool = False) -> str | None:
    return _list((quote(v) for v in values), ordered)


def _marker(value: str | bool | None) -> str | None:
    if value is None:
        return None
    return "(marked)" if value is True else quote(value)


def _percent(value: float) -> str:
    return f"{value * 100:.10g}%"


def _months(value: float) -> str:
    if float(value).is_integer() and value % 12 == 0:
        return f"{int(value) // 12}y"
    return f"{value:.10g}m" if float(value).is_integer() else f"{value:.4g} months"


# ------------------------------------------------------------------ entities


@dataclass
class _Item:
    """An entity reduced to displayable fields (the display is the value
    compared, so two values are equal exactly when they read the same)."""

    id: str
    title: str | None  # as written, for matching renames by title
    fields: dict[str, str | None]
    content: tuple = ()  # what else it holds, for matching renames by content
    label: dict = field(default_factory=dict)  # Change keyword arguments
    inherited: dict[str, str] = field(default_factory=dict)  # shown where a field is not set

    def signature(self) -> tuple:
        return (tuple(self.fields.items()), self.content)


def _element_field(key: str) -> str:
    return f"element:{key}"


def _field_name(name: str) -> str:
    return name.split(":", 1)[1] if name.startswith("element:") else name


class _Renames(dict):
    """old id -> new id, one table per kind of entity."""

    def __call__(self, kind: str, ident: str | None) -> str | None:
        return self.get(kind, {}).get(ident, ident) if ident is not None else None


def _elements(values: dict[str, list[ElementValue]], keys, ren: _Renames) -> dict[str, str | None]:
    out = {}
    for key in keys:
        if key in values:
            out[_element_field(key)] = _list(
                ren("persona", v.persona) if v.persona is not None else quote(v.text) for v in values[key])
    return out


def _inherited(values: dict[str, list[ElementValue]], origins: dict[str, str], own: dict,
               keys, ren: _Renames) -> dict[str, str]:
    """How an element a block does not set itself reads there (its default
    from an outer block), to show next to a change of the block's own."""
    shown = _elements(values, keys, ren)
    return {k: f"{v} (from the {origins[_field_name(k)]})" for k, v in shown.items()
            if k not in own and v is not None and origins.get(_field_name(k), "touchpoint") != "touchpoint"}


def _own_keys(body) -> set[str]:
    """Element keys a block writes itself (not the objective element that
    objectives fill, nor a default from an outer block)."""
    return {st.key.name for st in body if isinstance(st, n.Generic)}


def _objective_detail(o: ObjectiveM) -> str | None:
    node = o.node
    if node.direction is None:
        return None
    text = f"{node.direction} {node.metric.name}"
    if node.target is not None:
        text += f" to {literal_text(node.target)}"
    if node.by is not None:
        text += f" by {node.by.text}"
    return text


def _kpi_detail(k: KpiM) -> str:
    text = f"= {expr_text(k.expr)}"
    if k.node.baseline is not None:
        text += f" baseline {literal_text(k.node.baseline)}"
    return text


def _scope_content(objectives: list[ObjectiveM], kpis: list[KpiM]) -> tuple:
    return (tuple(sorted(f"{quote(o.text)} {_objective_detail(o)}" for o in objectives)),
            tuple(sorted(f"{k.name} {_kpi_detail(k)}" for k in kpis)))


def _own_objectives(model: Model, kind: str, scope: str) -> list[ObjectiveM]:
    return [o for o in model.objectives if o.scope_kind == kind and o.scope == scope]


def _journey_item(m: Model, ren: _Renames) -> _Item:
    fw = m.framework
    framework = fw.name if fw.builtin else (
        f"{fw.name} {{{', '.join(f'{k} {quote(label)}' for k, label in zip(fw.keys, fw.labels))}}}")
    fields = {"title": quote(m.title), "framework": framework, "owner": _text(m.owner),
              "description": _text(m.description), "tags": _strings(m.tags)}
    fields.update(_elements(m.elements, fw.keys, ren))
    return _Item(m.id, m.node.title, fields)


def _stages(m: Model, ren: _Renames) -> dict[str, _Item]:
    out = {}
    for s in m.stages:
        fields = {"title": quote(s.title), "owner": _text(s.owner), "description": _text(s.description),
                  "tags": _strings(s.tags)}
        own = _elements(s.elements, m.framework.keys, ren)
        fields.update(own)
        content = _scope_content(_own_objectives(m, "stage", s.id), s.kpis)
        inherited = _inherited(m.elements, dict.fromkeys(m.elements, "journey"), own, m.framework.keys, ren)
        out[s.id] = _Item(s.id, s.node.title, fields, content, {"title": quote(s.title)}, inherited)
    return out


def _touchpoints(m: Model, ren: _Renames) -> dict[str, _Item]:
    out = {}
    for tp in m.touchpoints.values():
        own = _own_keys(tp.node.body)
        fields = {"title": quote(tp.title), "stage": ren("place", tp.stage), "channel": tp.channel,
                  "emotion": str(tp.emotion) if tp.emotion is not None else None}
        own_fields = _elements({k: v for k, v in tp.elements.items() if k in own}, m.framework.keys, ren)
        fields.update(own_fields)
        fields.update({"pain": _strings(tp.pains), "opportunity": _strings(tp.opportunities),
                       "owner": _text(tp.owner), "description": _text(tp.description),
                       "tags": _strings(tp.tags)})
        content = (_marker(tp.moment_of_truth), _marker(tp.repurchase),
                   _scope_content(_own_objectives(m, "touchpoint", tp.id), tp.kpis))
        inherited = _inherited(tp.elements, tp.element_origin, own_fields, m.framework.keys, ren)
        out[tp.id] = _Item(tp.id, tp.node.title, fields, content,
                           {"title": quote(tp.title), "where": ("stage", ren("place", tp.stage))}, inherited)
    return out


def _personas(m: Model, ren: _Renames) -> dict[str, _Item]:
    return {p.id: _Item(p.id, p.node.title, {
        "title": quote(p.title), "segment": ren("segment", p.segment), "needs": _strings(p.needs),
        "pains": _strings(p.pains), "goals": _strings(p.goals), "description": _text(p.description),
    }, label={"title": quote(p.title)}) for p in m.personas.values()}


def _segments(m: Model) -> dict[str, _Item]:
    out = {}
    for s in m.segments.values():
        when = f"when {expr_text(s.condition)}" if s.condition is not None else "(everyone else)"
        out[s.id] = _Item(s.id, s.node.title, {"title": quote(s.title), "condition": when},
                          label={"title": quote(s.title), "detail": when})
    return out


def _data(m: Model) -> dict[str, _Item]:
    out = {}
    for d in m.data.values():
        fields = {"path": quote(d.path), "kind": d.kind}
        if d.is_transactions:
            fields.update(customer=d.customer, date=d.date, amount=d.amount, until=d.until)
        fields.update(sheet=_text(d.sheet), delimiter=_text(d.delimiter))
        out[d.id] = _Item(d.id, None, fields, label={"detail": quote(d.path)})
    return out


# ------------------------------------------------------------------ matching


def _changed_fields(old: _Item, new: _Item) -> tuple[FieldChange, ...]:
    names = list(new.fields) + [k for k in old.fields if k not in new.fields]
    return tuple(FieldChange(_field_name(k), old.fields.get(k) or old.inherited.get(k),
                             new.fields.get(k) or new.inherited.get(k))
                 for k in names if old.fields.get(k) != new.fields.get(k))


def _match(old: dict[str, _Item], new: dict[str, _Item], by_title: bool = True):
    """Pairs (old, new) by id, then renames by content, then by title.

    Returns (same id, renamed, removed, added), each in declaration order.
    """
    same = [(old[i], new[i]) for i in new if i in old]
    gone = [o for i, o in old.items() if i not in new]
    came = [x for i, x in new.items() if i not in old]
    renamed = []
    for sig in dict.fromkeys(o.signature() for o in gone):
        olds = [o for o in gone if o.signature() == sig]
        news = [x for x in came if x.signature() == sig]
        for o, x in zip(olds, news):
            renamed.append((o, x))
            gone.remove(o)
            came.remove(x)
    if by_title:
        for o in list(gone):
            if o.title is None:
                continue
            olds = [g for g in gone if g.title == o.title]
            news = [x for x in came if x.title == o.title]
            if len(olds) == 1 and len(news) == 1:
                renamed.append((o, news[0]))
                gone.remove(o)
                came.remove(news[0])
    order = {x.id: i for i, x in enumerate(new.values())}
    renamed.sort(key=lambda pair: order[pair[1].id])
    return same, renamed, gone, came


class _Differ:
    def __init__(self, old: Model, new: Model) -> None:
        self.old, self.new = old, new
        self.ren = _Renames()
        self.changes: list[Change] = []

    def add(self, group: str, kind: str, what: str, **kw) -> None:
        self.changes.append(Change(group, kind, what, **kw))

    def entities(self, group: str, what: str, old: dict[str, _Item], new: dict[str, _Item],
                 rename_kind: str | None = None, by_title: bool = True) -> None:
        same, renamed, removed, added = _match(old, new, by_title)
        if rename_kind is not None:
            self.ren.setdefault(rename_kind, {}).update({o.id: x.id for o, x in renamed})
        for o, x in same:
            fields = _changed_fields(o, x)
            if fields:
                self.add(group, "changed", what, name=x.id, **x.label, fields=fields)
        for o, x in renamed:
            self.add(group, "renamed", what, name=x.id, old_name=o.id, **x.label,
                     fields=_changed_fields(o, x))
        for o in removed:
            self.add(group, "removed", what, name=o.id, **o.label)
        for x in added:
            self.add(group, "added", what, name=x.id, **x.label)

    def order(self, group: str, what: str, old_ids: list[str], new_ids: list[str], kind: str,
              where: tuple[str, str] | None = None) -> None:
        mapped = [self.ren(kind, i) for i in old_ids]
        before = [i for i in mapped if i in new_ids]
        after = [i for i in new_ids if i in mapped]
        if before != after:
            self.add(group, "changed", what, where=where,
                     fields=(FieldChange("order", ", ".join(before), ", ".join(after)),))

    def run(self) -> JourneyDiff:
        old, new = self.old, self.new
        self.entities("segments", "segment", _segments(old), _segments(new), "segment")
        self.order("segments", "segment order", list(old.segments), list(new.segments), "segment")
        self.entities("personas", "persona", _personas(old, self.ren), _personas(new, self.ren), "persona")
        self.journey()  # after personas: its element defaults may name them
        self.entities("data", "data", _data(old), _data(new), "data", by_title=False)
        self.clv()
        self.entities("stages", "stage", _stages(old, self.ren), _stages(new, _Renames()), "place")
        self.order("stages", "stage order", [s.id for s in old.stages], [s.id for s in new.stages], "place")
        self.entities("touchpoints", "touchpoint", _touchpoints(old, self.ren),
                      _touchpoints(new, _Renames()), "place")
        for stage in new.stages:
            before = next((s for s in old.stages if self.ren("place", s.id) == stage.id), None)
            if before is not None:
                self.order("stages", "touchpoint order", [t.id for t in before.touchpoints],
                           [t.id for t in stage.touchpoints], "place", where=("stage", stage.id))
        self.moments()
        self.objectives()
        self.kpis()
        self.flows()
        rank = list(GROUPS)
        changes = sorted(self.changes, key=lambda c: rank.index(c.group))  # stable within a group
        return JourneyDiff(old.id, new.id, tuple(changes))

    def journey(self) -> None:
        old, new = _journey_item(self.old, self.ren), _journey_item(self.new, _Renames())
        fields = _changed_fields(old, new)
        if old.id != new.id:
            self.add("journey", "renamed", "journey", name=new.id, old_name=old.id, fields=fields)
        elif fields:
            self.add("journey", "changed", "journey", name=new.id, fields=fields)
        before = Counter((a, b) for a, b, _ in self.old.tradeoffs)
        after = Counter((a, b) for a, b, _ in self.new.tradeoffs)
        for kind, pairs in (("removed", before - after), ("added", after - before)):
            for a, b in sorted(pairs.elements()):
                self.add("journey", kind, "tradeoff", name=f"{a} {b}")

    def clv(self) -> None:
        def settings(m: Model) -> _Item:
            c = m.clv
            return _Item("clv", None, {"margin": _percent(c.margin), "discount": _percent(c.discount),
                                       "horizon": _months(c.horizon_months), "model": c.model,
                                       "unit": c.unit})

        fields = _changed_fields(settings(self.old), settings(self.new))
        if fields:
            self.add("data", "changed", "clv settings", fields=fields)

    def moments(self) -> None:
        for attr, what in (("moment_of_truth", "moment of truth"), ("repurchase", "re-purchase")):
            before = {self.ren("place", tp.id): _marker(getattr(tp, attr))
                      for tp in self.old.touchpoints.values() if getattr(tp, attr) is not None}
            after = {tp.id: _marker(getattr(tp, attr))
                     for tp in self.new.touchpoints.values() if getattr(tp, attr) is not None}
            for tp_id, value in after.items():
                where = ("touchpoint", tp_id)
                if tp_id not in before:
                    self.add("moments", "added", what, where=where, detail=value)
                elif before[tp_id] != value:
                    self.add("moments", "changed", what, where=where,
                             fields=(FieldChange("reason", before[tp_id], value),))
            for tp_id, value in before.items():
                if tp_id not in after:
                    self.add("moments", "removed", what, where=("touchpoint", tp_id), detail=value)

    def scope(self, kind: str, scope: str, renamed: bool) -> tuple[str, str]:
        if kind == "journey":
            return ("journey", self.new.id)
        return (kind, self.ren("place", scope) if renamed else scope)

    def scopes(self) -> list[tuple[str, str]]:
        """Every scope of the new journey, in declaration order."""
        out = [("journey", self.new.id)]
        for s in self.new.stages:
            out.append(("stage", s.id))
            out += [("touchpoint", t.id) for t in s.touchpoints]
        return out

    def kpis(self) -> None:
        def items(m: Model, renamed: bool) -> dict[tuple, dict[str, _Item]]:
            out: dict[tuple, dict[str, _Item]] = {}
            for k in m.kpis:
                where = self.scope(k.scope_kind, k.scope, renamed)
                fields = {"expression": expr_text(k.expr),
                          "baseline": literal_text(k.node.baseline) if k.node.baseline else None}
                out.setdefault(where, {})[k.name] = _Item(
                    k.name, None, fields, label={"where": where, "detail": _kpi_detail(k)})
            return out

        before, after = items(self.old, True), items(self.new, False)
        for where in _ordered_scopes(self.scopes(), before, after):
            self.entities("kpis", "kpi", before.get(where, {}), after.get(where, {}), by_title=False)

    def objectives(self) -> None:
        def items(m: Model, renamed: bool) -> dict[tuple, list[ObjectiveM]]:
            out: dict[tuple, list[ObjectiveM]] = {}
            for o in m.objectives:
                out.setdefault(self.scope(o.scope_kind, o.scope, renamed), []).append(o)
            return out

        before, after = items(self.old, True), items(self.new, False)
        for where in _ordered_scopes(self.scopes(), before, after):
            self.objective_scope(where, before.get(where, []), after.get(where, []))

    def objective_scope(self, where, old: list[ObjectiveM], new: list[ObjectiveM]) -> None:
        def fields(o: ObjectiveM) -> dict[str, str | None]:
            node = o.node
            return {"text": quote(o.text), "direction": node.direction,
                    "metric": node.metric.name if node.metric else None,
                    "target": literal_text(node.target) if node.target else None,
                    "by": node.by.text if node.by else None}

        old_f, new_f = [fields(o) for o in old], [fields(o) for o in new]
        pairs: list[tuple[int, int]] = []
        free_old, free_new = list(range(len(old))), list(range(len(new)))
        for same in (lambda a, b: a == b, lambda a, b: a["text"] == b["text"],
                     lambda a, b: a["metric"] is not None and a["metric"] == b["metric"]):
            for i in list(free_old):
                j = next((j for j in free_new if same(old_f[i], new_f[j])), None)
                if j is not None:
                    pairs.append((i, j))
                    free_old.remove(i)
                    free_new.remove(j)
        for i, j in sorted(pairs, key=lambda p: p[1]):
            changed = tuple(FieldChange(k, old_f[i][k], v) for k, v in new_f[j].items() if old_f[i][k] != v)
            if changed:
                self.add("objectives", "changed", "objective", title=quote(new[j].text), where=where,
                         fields=changed)
        for i in free_old:
            self.add("objectives", "removed", "objective", title=quote(old[i].text), where=where,
                     detail=_objective_detail(old[i]))
        for j in free_new:
            self.add("objectives", "added", "objective", title=quote(new[j].text), where=where,
                     detail=_objective_detail(new[j]))

    def flows(self) -> None:
        before = Counter((self.ren("place", f.source), self.ren("place", f.target), f.label)
                         for f in self.old.flows)
        after = Counter((f.source, f.target, f.label) for f in self.new.flows)
        gone, came = list((before - after).elements()), list((after - before).elements())
        order = {(f.source, f.target, f.label): i for i, f in reversed(list(enumerate(self.new.flows)))}
        for edge in sorted(came, key=order.__getitem__):
            source, target, label = edge
            old = next((g for g in gone if g[:2] == edge[:2]), None)
            name = f"{source} -> {target}"
            if old is not None:
                gone.remove(old)
                self.add("flows", "changed", "flow", name=name,
                         fields=(FieldChange("label", _text(old[2]), _text(label)),))
            else:
                self.add("flows", "added", "flow", name=name, detail=_text(label))
        for source, target, label in gone:
            self.add("flows", "removed", "flow", name=f"{source} -> {target}", detail=_text(label))


def _ordered_scopes(known: list[tuple], before: dict, after: dict) -> list[tuple]:
    rest = [w for w in list(after) + list(before) if w not in known]
    return [w for w in known + list(dict.fromkeys(rest)) if w in before or w in after]


def diff_models(old: Model | None, new: Model | None) -> JourneyDiff:
    """What changed from ``old`` to ``new`` (either may be None: a journey
    that does not exist on that side, reported as added or removed)."""
    if old is None and new is None:
        return JourneyDiff(None, None)
    if old is None or new is None:
        m = new if old is None else old
        kind = "added" if old is None else "removed"
        size = f"{plural(len(m.stages), 'stage')}, {plural(len(m.touchpoints), 'touchpoint')}"
        return JourneyDiff(old.id if old else None, new.id if new else None,
                           (Change("journey", kind, "journey", name=m.id, title=quote(m.title), detail=size),))
    return _Differ(old, new).run()
