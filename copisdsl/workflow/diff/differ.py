"""The differ: two models compared group by group into a ``JourneyDiff``."""

from __future__ import annotations

from collections import Counter

from copisdsl.diagnostics import plural
from copisdsl.semantic.model import Model, Objective
from copisdsl.syntax.unparse import expr_text, literal_text, percent_text, quote
from copisdsl.workflow.diff import items as it
from copisdsl.workflow.diff.changes import GROUPS, Change, FieldChange, JourneyDiff
from copisdsl.workflow.diff.matching import changed_fields, match


class _Differ:
    def __init__(self, old: Model, new: Model) -> None:
        self.old, self.new = old, new
        self.ren = it.Renames()
        self.changes: list[Change] = []

    def add(self, group: str, kind: str, what: str, **kw) -> None:
        self.changes.append(Change(group, kind, what, **kw))

    def entities(self, group: str, what: str, old: dict[str, it.Item], new: dict[str, it.Item],
                 rename_kind: str | None = None, by_title: bool = True) -> None:
        same, renamed, removed, added = match(old, new, by_title)
        if rename_kind is not None:
            self.ren.setdefault(rename_kind, {}).update({o.id: x.id for o, x in renamed})
        for o, x in same:
            fields = changed_fields(o, x)
            if fields:
                self.add(group, "changed", what, name=x.id, **x.label, fields=fields)
        for o, x in renamed:
            self.add(group, "renamed", what, name=x.id, old_name=o.id, **x.label,
                     fields=changed_fields(o, x))
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
        self.entities("segments", "segment", it.segments(old), it.segments(new), "segment")
        self.order("segments", "segment order", list(old.segments), list(new.segments), "segment")
        self.entities("personas", "persona", it.personas(old, self.ren), it.personas(new, self.ren), "persona")
        self.journey()  # after personas: its element defaults may name them
        self.entities("data", "data", it.data_sources(old), it.data_sources(new), "data", by_title=False)
        self.clv()
        self.entities("stages", "stage", it.stages(old, self.ren), it.stages(new, it.Renames()), "place")
        self.order("stages", "stage order", [s.id for s in old.stages], [s.id for s in new.stages], "place")
        self.entities("touchpoints", "touchpoint", it.touchpoints(old, self.ren),
                      it.touchpoints(new, it.Renames()), "place")
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
        old, new = it.journey_item(self.old, self.ren), it.journey_item(self.new, it.Renames())
        fields = changed_fields(old, new)
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
        def settings(m: Model) -> it.Item:
            c = m.clv
            return it.Item("clv", None, {"margin": percent_text(c.margin), "discount": percent_text(c.discount),
                                       "horizon": it.months(c.horizon_months), "model": c.model,
                                       "unit": c.unit,
                                       "holdout": f"{c.holdout[0]}{c.holdout[1]}" if c.holdout else "none",
                                       "interval": percent_text(c.interval) if c.interval is not None
                                       else "none"})

        fields = changed_fields(settings(self.old), settings(self.new))
        if fields:
            self.add("data", "changed", "clv settings", fields=fields)

    def moments(self) -> None:
        for attr, what in (("moment_of_truth", "moment of truth"), ("repurchase", "re-purchase"),
                           ("fail_point", "fail point")):
            before = {self.ren("place", tp.id): it.marker(getattr(tp, attr))
                      for tp in self.old.touchpoints.values() if getattr(tp, attr) is not None}
            after = {tp.id: it.marker(getattr(tp, attr))
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
        def items(m: Model, renamed: bool) -> dict[tuple, dict[str, it.Item]]:
            out: dict[tuple, dict[str, it.Item]] = {}
            for k in m.kpis:
                where = self.scope(k.scope_kind, k.scope, renamed)
                fields = {"expression": expr_text(k.expr),
                          "by": "segment" if k.node.segmented else None,
                          "baseline": literal_text(k.node.baseline) if k.node.baseline else None}
                out.setdefault(where, {})[k.name] = it.Item(
                    k.name, None, fields, label={"where": where, "detail": it.kpi_detail(k)})
            return out

        before, after = items(self.old, True), items(self.new, False)
        for where in _ordered_scopes(self.scopes(), before, after):
            self.entities("kpis", "kpi", before.get(where, {}), after.get(where, {}), by_title=False)

    def objectives(self) -> None:
        def items(m: Model, renamed: bool) -> dict[tuple, list[Objective]]:
            out: dict[tuple, list[Objective]] = {}
            for o in m.objectives:
                out.setdefault(self.scope(o.scope_kind, o.scope, renamed), []).append(o)
            return out

        before, after = items(self.old, True), items(self.new, False)
        for where in _ordered_scopes(self.scopes(), before, after):
            self.objective_scope(where, before.get(where, []), after.get(where, []))

    def objective_scope(self, where, old: list[Objective], new: list[Objective]) -> None:
        def fields(o: Objective) -> dict[str, str | None]:
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
                     detail=it.objective_detail(old[i]))
        for j in free_new:
            self.add("objectives", "added", "objective", title=quote(new[j].text), where=where,
                     detail=it.objective_detail(new[j]))

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
                         fields=(FieldChange("label", it.text_of(old[2]), it.text_of(label)),))
            else:
                self.add("flows", "added", "flow", name=name, detail=it.text_of(label))
        for source, target, label in gone:
            self.add("flows", "removed", "flow", name=f"{source} -> {target}", detail=it.text_of(label))


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
