"""Values that must make sense for what they measure (E204): rate targets
and baselines are fractions in 0..100%, NPS is in points."""

from __future__ import annotations

from copisdsl.checks import check
from copisdsl.diagnostics import Diagnostic, error
from copisdsl.semantic.model import Model


def _rate_problem(value: float, text: str, percent: bool) -> str | None:
    if 0 <= value <= 1:
        return None
    if percent:
        return f"{text} is outside 0..100%"
    return f"{text} is not a rate; rates are fractions"


@check("E204")
def measured_values(model: Model) -> list[Diagnostic]:
    """Objective targets and KPI baselines fit the kind of their KPI: a rate
    is a fraction (write 4% or 0.04), NPS is in points (write 40, not 40%)."""
    out: list[Diagnostic] = []
    for o in model.objectives:
        lit = o.node.target
        if lit is None or o.target is None:
            continue
        kpi = model.measuring_kpi(o)
        kind = kpi.kind if kpi else None
        percent = lit.kind == "percent"
        if kind == "points" and percent:
            out.append(error("E204", f"'{o.metric}' is measured in points, not percent ({lit.text})",
                             lit.span, f"write the target in points, e.g. to {lit.text.rstrip('%')}"))
        elif kind == "rate":
            problem = _rate_problem(o.target, lit.text, percent)
            if problem:
                out.append(error("E204", f"target of '{o.metric}': {problem}", lit.span,
                                 "write a rate as a percent (4%) or a fraction (0.04)"))
        elif percent and not 0 <= o.target <= 1:
            out.append(error("E204", f"target {lit.text} is outside 0..100%", lit.span))
    for k in model.kpis:
        lit = k.node.baseline
        if lit is None:
            continue
        percent = lit.kind == "percent"
        if lit.kind == "duration":
            out.append(error("E204", f"a baseline is a number or a percent; got {lit.text}", lit.span))
        elif k.kind == "points" and (percent or not -100 <= k.baseline <= 100):
            out.append(error("E204", f"baseline of '{k.name}' is in points from -100 to 100; got {lit.text}",
                             lit.span))
        elif k.kind == "rate":
            problem = _rate_problem(k.baseline, lit.text, percent)
            if problem:
                out.append(error("E204", f"baseline of '{k.name}': {problem}", lit.span,
                                 "write a rate as a percent (4%) or a fraction (0.04)"))
    return out
