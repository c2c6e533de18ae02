"""The resolved journey with its figures as JSON (the reference, section 10).

``export_dict`` builds the document (plain dicts and lists in the
reference's key order); ``export_json`` serialises it deterministically:
the same journey and data give byte-identical output. Numbers are rounded
to 12 significant digits, so that floating-point noise (0.30000000000000004)
never reaches the file; KPI values, targets and baselines that are whole
numbers are written as integers, as in the reference's example.
"""

from __future__ import annotations

import json
import math
from typing import Any

from copisdsl.diagnostics import Diagnostic, to_json_dict
from copisdsl.data.figures import ClvFigures, Figures, FitSummary, FlowVolume, HoldoutFigures, Reach
from copisdsl.semantic.model import ElementValue, FlowEdge, Model, Stage, Touchpoint

SIGNIFICANT_DIGITS = 12


def number(value: float | None) -> float | None:
    """A float rounded to 12 significant digits; None for no value."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    rounded = float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return 0.0 if rounded == 0 else rounded


def measure(value: float | None) -> int | float | None:
    """Like ``number``, but a whole number is written as an integer."""
    rounded = number(value)
    if rounded is not None and rounded.is_integer() and abs(rounded) < 2**53:
        return int(rounded)
    return rounded


def export_dict(model: Model, figures: Figures, diagnostics: list[Diagnostic] = ()) -> dict[str, Any]:
    """The export document of one journey (section 10 of the reference)."""
    return {
        "journey": {
            "id": model.id,
            "title": model.title,
            "framework": model.framework.name,
            "owner": model.owner,
            "description": model.description,
            "tags": list(model.tags),
        },
        "stages": [
            {"id": s.id, "title": s.title,
             "touchpoints": [_touchpoint(model, tp, figures) for tp in s.touchpoints],
             **_meta(s)}
            for s in model.stages
        ],
        "flows": [_flow(f, figures.flow_volumes[i] if figures.flow_volumes is not None else None)
                  for i, f in enumerate(model.flows)],
        "objectives": [_objective(o, figures) for o in model.objectives],
        "kpis": [_kpi(k, figures) for k in model.kpis],
        "clv": _clv(figures.clv),
        "diagnostics": [to_json_dict(d) for d in diagnostics],
    }


def export_json(model: Model, figures: Figures, diagnostics: list[Diagnostic] = ()) -> str:
    """``export_dict`` as indented UTF-8 JSON text, ending with a newline."""
    return json.dumps(export_dict(model, figures, diagnostics), indent=2, ensure_ascii=False) + "\n"


def _element(value: ElementValue) -> str:
    return value.persona if value.persona is not None else value.text


def _marker(value: str | bool | None) -> str | bool | None:
    # True: marked without a reason; a string: the reason; None: not marked.
    return value if value is not None else None


def _touchpoint(model: Model, tp: Touchpoint, figures: Figures) -> dict[str, Any]:
    return {
        "id": tp.id,
        "title": tp.title,
        "channel": tp.channel,
        "emotion": tp.emotion,
        "elements": {key: [_element(v) for v in tp.elements.get(key, [])] for key in model.framework.keys},
        "moment_of_truth": _marker(tp.moment_of_truth),
        "repurchase": _marker(tp.repurchase),
        "pains": list(tp.pains),
        "opportunities": list(tp.opportunities),
        "evidence": list(tp.evidence),
        "frontstage": list(tp.frontstage),
        "backstage": list(tp.backstage),
        "support": list(tp.support),
        "fail_point": _marker(tp.fail_point),
        **_meta(tp),
        "reach": _reach(figures.reach.get(tp.id) if figures.reach is not None else None),
    }


def _reach(reach: Reach | None) -> dict[str, Any] | None:
    if reach is None:
        return None
    return {"customers": int(reach.customers), "share": number(reach.share),
            "value_at_stake": number(reach.value_at_stake),
            "segments": {k: int(v) for k, v in reach.segments.items()}}


def _flow(flow: FlowEdge, volume: FlowVolume | None) -> dict[str, Any]:
    return {"from": flow.source, "to": flow.target, "label": flow.label,
            "customers": int(volume.customers) if volume is not None else None,
            "conversion": number(volume.conversion) if volume is not None else None,
            "median_days": measure(volume.median_days) if volume is not None else None}


def _meta(item: Stage | Touchpoint) -> dict[str, Any]:
    return {"owner": item.owner, "description": item.description, "tags": list(item.tags)}


def _objective(o, figures: Figures) -> dict[str, Any]:
    status = figures.objectives.get(o.index)
    return {
        "text": o.text,
        "scope": o.scope,
        "direction": o.direction,
        "metric": o.metric,
        "target": measure(o.target),
        "value": measure(status.value) if status else None,
        "status": status.status if status else None,
    }


def _kpi(k, figures: Figures) -> dict[str, Any]:
    value = figures.kpis.get(k.index)
    return {
        "name": k.name,
        "scope": k.scope,
        "value": measure(value.value) if value else None,
        "baseline": measure(k.baseline),
        "kind": value.kind if value else k.kind,
        "by_segment": ({seg: measure(v) for seg, v in value.by_segment.items()}
                       if value is not None and value.by_segment is not None else None),
    }


def _fit(fit: FitSummary | None) -> dict[str, Any] | None:
    if fit is None:
        return None
    return {"log_likelihood": number(fit.log_likelihood), "converged": bool(fit.converged),
            "standard_errors": {k: number(v) for k, v in fit.standard_errors.items()}}


def _clv(clv: ClvFigures | None) -> dict[str, Any] | None:
    if clv is None:
        return None
    known = clv.mean_clv is not None
    return {
        "model": clv.model,
        "unit": clv.unit,
        "margin": number(clv.margin),
        "discount": number(clv.discount),
        "horizon_months": measure(clv.horizon_months),
        "params": {k: number(v) for k, v in clv.params.items()},
        "fit": _fit(clv.fit),
        "mean_clv": number(clv.mean_clv),
        "mean_clv_interval": _interval(clv.mean_clv_interval),
        "holdout": _holdout(clv.holdout),
        "segments": [
            {
                "id": s.id,
                "customers": int(s.customers),
                "share": number(s.share),
                "revenue": number(s.revenue),
                "clv_total": number(s.clv_total) if known else None,
                "clv_mean": number(s.clv_mean) if known else None,
                "clv_share": number(s.clv_share) if known else None,
                "clv_total_interval": _interval(s.clv_total_interval) if known else None,
            }
            for s in clv.segments
        ],
    }


def _interval(bounds: tuple[float, float] | None) -> list[float] | None:
    return None if bounds is None else [number(bounds[0]), number(bounds[1])]


def _holdout(h: HoldoutFigures | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {"days": int(h.days), "customers": int(h.customers), "predicted": number(h.predicted),
            "actual": int(h.actual), "mae": number(h.mae)}
