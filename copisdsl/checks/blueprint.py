"""The service blueprint lanes (reference §11): frontstage actions have
something behind them (W307), and a fail point is measured (W308)."""

from __future__ import annotations

from copisdsl.checks import check
from copisdsl.diagnostics import Diagnostic, warning
from copisdsl.semantic.model import Model


@check("W307")
def unsupported_frontstage(model: Model) -> list[Diagnostic]:
    """In a journey that uses blueprint lanes, a touchpoint with `frontstage`
    actions but neither `backstage` nor `support` (after the stage's and the
    journey's support defaults): what the customer sees has nothing behind it."""
    if not model.uses_blueprint:
        return []
    return [warning("W307", f"touchpoint '{tp.id}' has frontstage actions but neither backstage nor support",
                    tp.node.head, "add `backstage \"...\"` for what the customer does not see, or `support "
                    "\"...\"` here, in its stage or in the journey")
            for tp in model.touchpoints.values() if tp.frontstage and not tp.backstage and not tp.support]


@check("W308")
def unmeasured_fail_points(model: Model) -> list[Diagnostic]:
    """A `fail_point` with no KPI at its touchpoint: a place where the
    service is likely to fail, and nobody would see it fail."""
    return [warning("W308", f"fail point at '{tp.id}' has no KPI at that touchpoint", tp.fail_point_span,
                    "add a `kpi NAME = ...` to the touchpoint to see when it fails")
            for tp in model.touchpoints.values()
            if tp.fail_point is not None and not tp.kpis and tp.fail_point_span is not None]
