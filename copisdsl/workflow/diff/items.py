"""Entity extraction for the diff: each stage, touchpoint, persona,
segment and data source of a model reduced to displayable fields (the
display is the value compared, so two values are equal exactly when they
read the same)."""

from __future__ import annotations

from copisdsl.locations import mask

from dataclasses import dataclass, field

from copisdsl.semantic.model import ElementValue, Kpi, Model, Objective
from copisdsl.syntax import nodes as n
from copisdsl.syntax.unparse import expr_text, literal_text, objective_clause, quote


def text_of(value: str | None) -> str | None:
    """A user string quoted as source, or None."""
    return quote(value) if value is not None else None


def _list(values, ordered: bool = True) -> str | None:
    items = list(values)
    if not items:
        return None
    return ", ".join(items if ordered else sorted(items))


def _strings(values, ordered: bool = False) -> str | None:
    return _list((quote(v) for v in values), ordered)


def marker(value: str | bool | None) -> str | None:
    """A moment-of-truth or re-purchase marker: its reason quoted, or ``(marked)``."""
    if value is None:
        return None
    return "(marked)" if value is True else quote(value)


def months(value: float) -> str:
    """A CLV horizon in months as a duration (``36`` -> ``3y``)."""
    if float(value).is_integer() and value % 12 == 0:
        return f"{int(value) // 12}y"
    return f"{value:.10g}m" if float(value).is_integer() else f"{value:.4g} months"


@dataclass
class Item:
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


def field_name(name: str) -> str:
    return name.split(":", 1)[1] if name.startswith("element:") else name


class Renames(dict):
    """old id -> new id, one table per kind of entity."""

    def __call__(self, kind: str, ident: str | None) -> str | None:
        return self.get(kind, {}).get(ident, ident) if ident is not None else None


def _elements(values: dict[str, list[ElementValue]], keys, ren: Renames) -> dict[str, str | None]:
    out = {}
    for key in keys:
        if key in values:
            out[_element_field(key)] = _list(
                ren("persona", v.persona) if v.persona is not None else quote(v.text) for v in values[key])
    return out


def _inherited(values: dict[str, list[ElementValue]], origins: dict[str, str], own: dict,
               keys, ren: Renames) -> dict[str, str]:
    """How an element a block does not set itself reads there (its default
    from an outer block), to show next to a change of the block's own."""
    shown = _elements(values, keys, ren)
    return {k: f"{v} (from the {origins[field_name(k)]})" for k, v in shown.items()
            if k not in own and v is not None and origins.get(field_name(k), "touchpoint") != "touchpoint"}


def _own_keys(body) -> set[str]:
    """Element keys a block writes itself (not the objective element that
    objectives fill, nor a default from an outer block)."""
    return {st.key.name for st in body if isinstance(st, n.Generic)}


def objective_detail(o: Objective) -> str | None:
    """An objective's metric, target and date, its target normalised."""
    return objective_clause(o.node, literal_text)


def kpi_detail(k: Kpi) -> str:
    text = f"= {expr_text(k.expr)}"
    if k.node.segmented:
        text += " by segment"
    if k.node.baseline is not None:
        text += f" baseline {literal_text(k.node.baseline)}"
    return text


def _scope_content(objectives: list[Objective], kpis: list[Kpi]) -> tuple:
    return (tuple(sorted(f"{quote(o.text)} {objective_detail(o)}" for o in objectives)),
            tuple(sorted(f"{k.name} {kpi_detail(k)}" for k in kpis)))


def _own_objectives(model: Model, kind: str, scope: str) -> list[Objective]:
    return [o for o in model.objectives if o.scope_kind == kind and o.scope == scope]


def journey_item(m: Model, ren: Renames) -> Item:
    fw = m.framework
    framework = fw.name if fw.builtin else (
        f"{fw.name} {{{', '.join(f'{k} {quote(label)}' for k, label in zip(fw.keys, fw.labels))}}}")
    fields = {"title": quote(m.title), "framework": framework, "owner": text_of(m.owner),
              "description": text_of(m.description), "tags": _strings(m.tags), "support": _strings(m.support)}
    fields.update(_elements(m.elements, fw.keys, ren))
    return Item(m.id, m.node.title, fields)


def stages(m: Model, ren: Renames) -> dict[str, Item]:
    out = {}
    for s in m.stages:
        fields = {"title": quote(s.title), "owner": text_of(s.owner), "description": text_of(s.description),
                  "tags": _strings(s.tags), "support": _strings(s.support)}
        own = _elements(s.elements, m.framework.keys, ren)
        fields.update(own)
        content = _scope_content(_own_objectives(m, "stage", s.id), s.kpis)
        inherited = _inherited(m.elements, dict.fromkeys(m.elements, "journey"), own, m.framework.keys, ren)
        out[s.id] = Item(s.id, s.node.title, fields, content, {"title": quote(s.title)}, inherited)
    return out


def touchpoints(m: Model, ren: Renames) -> dict[str, Item]:
    out = {}
    for tp in m.touchpoints.values():
        own = _own_keys(tp.node.body)
        fields = {"title": quote(tp.title), "stage": ren("place", tp.stage), "channel": tp.channel,
                  "emotion": str(tp.emotion) if tp.emotion is not None else None}
        own_fields = _elements({k: v for k, v in tp.elements.items() if k in own}, m.framework.keys, ren)
        fields.update(own_fields)
        fields.update({"pain": _strings(tp.pains), "opportunity": _strings(tp.opportunities),
                       "owner": text_of(tp.owner), "description": text_of(tp.description),
                       "tags": _strings(tp.tags),
                       # blueprint lanes as written here (an inherited support is the stage's or journey's)
                       "evidence": _strings(tp.evidence), "frontstage": _strings(tp.frontstage),
                       "backstage": _strings(tp.backstage),
                       "support": _strings(tp.support) if tp.support_origin == "touchpoint" else None})
        content = (marker(tp.moment_of_truth), marker(tp.repurchase), marker(tp.fail_point),
                   _scope_content(_own_objectives(m, "touchpoint", tp.id), tp.kpis))
        inherited = _inherited(tp.elements, tp.element_origin, own_fields, m.framework.keys, ren)
        out[tp.id] = Item(tp.id, tp.node.title, fields, content,
                           {"title": quote(tp.title), "where": ("stage", ren("place", tp.stage))}, inherited)
    return out


def personas(m: Model, ren: Renames) -> dict[str, Item]:
    return {p.id: Item(p.id, p.node.title, {
        "title": quote(p.title), "segment": ren("segment", p.segment), "needs": _strings(p.needs),
        "pains": _strings(p.pains), "goals": _strings(p.goals), "description": text_of(p.description),
    }, label={"title": quote(p.title)}) for p in m.personas.values()}


def segments(m: Model) -> dict[str, Item]:
    out = {}
    for s in m.segments.values():
        when = f"when {expr_text(s.condition)}" if s.condition is not None else "(everyone else)"
        out[s.id] = Item(s.id, s.node.title, {"title": quote(s.title), "condition": when},
                          label={"title": quote(s.title), "detail": when})
    return out


def data_sources(m: Model) -> dict[str, Item]:
    out = {}
    for d in m.data.values():
        fields = {"path": quote(mask(d.path)), "kind": d.kind}
        if d.is_transactions:
            fields.update(customer=d.customer, date=d.date, amount=d.amount, until=d.until)
        fields.update(sheet=text_of(d.sheet), delimiter=text_of(d.delimiter))
        out[d.id] = Item(d.id, None, fields, label={"detail": quote(mask(d.path))})
    return out
