"""Touchpoints have every element of their framework (W300), and a moment
of truth is measured (W303)."""

from __future__ import annotations

from copisdsl.checks import check
from copisdsl.diagnostics import Diagnostic, warning
from copisdsl.semantic.model import Model


@check("W300")
def missing_elements(model: Model) -> list[Diagnostic]:
    """A touchpoint lacks framework elements after the journey's and the
    stage's defaults are applied. One warning per touchpoint names them all."""
    fw = model.framework
    out = []
    for tp in model.touchpoints.values():
        # An element given with only bad values is not missing: E201/E204 say what is wrong.
        missing = [k for k in fw.keys if k not in tp.elements]
        if missing:
            names = ", ".join(f"{k} ({fw.label(k)})" if fw.label(k).lower() != k else k for k in missing)
            hint = "add " + "; ".join(f'`{k} "..."`' for k in missing)
            if fw.objective_key in missing:
                hint += " (an `objective` statement fills the objective element)"
            hint += ", or give a default at the stage or journey level"
            out.append(warning("W300", f"touchpoint '{tp.id}' lacks {names}", tp.node.head, hint))
    return out


@check("W303")
def unmeasured_moments(model: Model) -> list[Diagnostic]:
    """A moment of truth with no KPI at its touchpoint: a make-or-break
    interaction that nobody measures."""
    out = []
    for tp in model.touchpoints.values():
        if tp.moment_of_truth is not None and not tp.kpis and tp.moment_of_truth_span is not None:
            out.append(warning("W303", f"moment of truth at '{tp.id}' has no KPI at that touchpoint",
                               tp.moment_of_truth_span,
                               "add a `kpi NAME = ...` to the touchpoint to measure it"))
    return out
