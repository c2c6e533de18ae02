"""Objectives: conflicts (E301), inconsistent targets (W302), unmeasured
metrics (W304). Objectives are grouped by metric, so the checks are linear
in the number of objectives."""

from __future__ import annotations

from collections import defaultdict

from copisdsl.checks import check
from copisdsl.diagnostics import Diagnostic, error, warning
from copisdsl.hints import did_you_mean
from copisdsl.semantic.model import Model, Objective

_OPPOSITE = {"increase": ("decrease", "maintain"), "decrease": ("increase", "maintain"),
             "maintain": ("increase", "decrease")}


def _where(o: Objective) -> str:
    return f"{o.span.line}:{o.span.column}"


def _describe(o: Objective) -> str:
    return f"'{o.text}' ({o.direction} {o.metric})"


@check("E301")
def conflicting(model: Model) -> list[Diagnostic]:
    """Two objectives pull one metric in opposite directions (increase
    against decrease, maintain against either), or push both sides of a
    `tradeoff` the same way. Reported at the later objective, naming the
    earlier one."""
    partners: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, b, _ in model.tradeoffs:
        if a != b:
            partners[a].append((b, f"tradeoff {a} {b}"))
            partners[b].append((a, f"tradeoff {a} {b}"))
    first: dict[tuple[str, str], Objective] = {}
    out = []
    for o in model.objectives:
        if not o.direction or not o.metric:
            continue
        other, why = None, ""
        for opposite in _OPPOSITE[o.direction]:
            prior = first.get((o.metric, opposite))
            if prior is not None and (other is None or prior.index < other.index):
                other, why = prior, f"the other objective {opposite}s {o.metric}"
        if other is None and o.direction in ("increase", "decrease"):
            for partner, declared in partners.get(o.metric, ()):
                prior = first.get((partner, o.direction))
                if prior is not None and (other is None or prior.index < other.index):
                    other = prior
                    why = f"{o.metric} and {partner} trade off ({declared}), and both are {o.direction}d"
        if other is not None:
            out.append(error(
                "E301", f"objective {_describe(o)} conflicts with {_describe(other)} at {_where(other)}: {why}",
                o.span, "settle on one direction, or drop one of the objectives",
                ((other.span, "the other objective is here"),)))
        first.setdefault((o.metric, o.direction), o)
    return out


@check("W302")
def inconsistent_targets(model: Model) -> list[Diagnostic]:
    """Objectives move a metric the same way to different `to` values."""
    first: dict[tuple[str, str], Objective] = {}
    out = []
    for o in model.objectives:
        if not o.direction or not o.metric or o.target is None:
            continue
        key = (o.metric, o.direction)
        prior = first.get(key)
        if prior is None:
            first[key] = o
        elif abs(prior.target - o.target) > 1e-12 * max(1.0, abs(prior.target)):
            out.append(warning(
                "W302", f"objective '{o.text}' sets {o.metric} to {o.target_text}, but '{prior.text}' at "
                f"{_where(prior)} sets it to {prior.target_text}", o.span,
                "use one target for the metric", ((prior.span, "the other target is here"),)))
    return out


@check("W304")
def unmeasured(model: Model) -> list[Diagnostic]:
    """An objective's metric is not measured by any KPI in the journey."""
    names = {k.name for k in model.kpis}
    out = []
    for o in model.objectives:
        if o.metric and o.metric not in names:
            hint = did_you_mean(o.metric, names) or f"add `kpi {o.metric} = ...` to measure it"
            out.append(warning("W304", f"no KPI measures '{o.metric}', the metric of objective '{o.text}'",
                               o.span, hint))
    return out
