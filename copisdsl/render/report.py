"""What the report shows, as plain values for the templates.

Everything is computed here (formatting included) so that the Jinja
templates only lay things out; every string stays raw text and is escaped
by Jinja's autoescape where it lands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from copisdsl import __version__
from copisdsl.diagnostics import Diagnostic
from copisdsl.data.figures import Figures
from copisdsl.locations import mask
from copisdsl.semantic.model import ElementValue, Model, Objective, Stage, Touchpoint
from copisdsl.render import palette
from copisdsl.render.format import NO_DATA, format_change, format_target, format_value
from copisdsl.render.map import kpi_target, kpi_targets
from copisdsl.render.segment_bars import segment_bars

STATUS_TEXT = {"met": "met", "not_met": "not met", "no_data": "no data"}


@dataclass
class Cell:
    """One COPIS matrix cell: its values, whether inherited, or missing."""

    values: list[str]
    inherited: bool = False

    @property
    def missing(self) -> bool:
        return not self.values


@dataclass
class Row:
    touchpoint: Touchpoint
    cells: list[Cell]
    tint: str
    strong: str


@dataclass
class StageRows:
    id: str
    title: str
    stage: Stage
    rows: list[Row] = field(default_factory=list)


@dataclass
class Diagram:
    """An inline SVG, whether it starts fitted to the page width, and the
    width (px) below which fitting it would make its text too small."""

    markup: str
    fit: bool
    min_width: int = 0


def _where(model: Model, scope_kind: str, scope: str) -> str:
    if scope_kind == "touchpoint":
        return model.touchpoints[scope].title
    if scope_kind == "stage":
        stage = model.stage(scope)
        return f"stage {stage.title}" if stage else scope
    return "whole journey"


def _texts(values: list[ElementValue]) -> list[str]:
    return [v.text for v in values]


def matrix_rows(model: Model) -> list[StageRows]:
    """The COPIS matrix, stage by stage."""
    out = []
    for stage in model.stages:
        group = StageRows(stage.id, stage.title, stage)
        for tp in stage.touchpoints:
            cells = [Cell(_texts(tp.elements.get(key) or []),
                          tp.element_origin.get(key, "touchpoint") != "touchpoint")
                     for key in model.framework.keys]
            strong, tint = palette.emotion_colours(tp.emotion)
            group.rows.append(Row(tp, cells, tint, strong))
        out.append(group)
    return out


def sipoc_rows(model: Model) -> list[dict] | None:
    """Under ``framework sipoc``: Supplier → Input → Process → Output →
    Customer per touchpoint (label and values of each step)."""
    from copisdsl.render.matrix import SIPOC_ORDER

    fw = model.framework
    if fw.name != "sipoc":
        return None
    return [{"tp": tp, "steps": [(fw.label(key), _texts(tp.elements.get(key) or [])) for key in SIPOC_ORDER]}
            for stage in model.stages for tp in stage.touchpoints]


def objective_rows(model: Model, figures: Figures | None) -> list[dict]:
    rows = []
    for obj in model.objectives:
        kpi = model.measuring_kpi(obj)
        kind = kpi.kind if kpi is not None else None
        status = figures.objectives.get(obj.index) if figures is not None else None
        value = status.value if status is not None else None
        if figures is not None and kpi is not None and value is None:
            figure = figures.kpi(kpi.index)
            value = figure.value if figure is not None else None
        state = status.status if status is not None else ("no_data" if obj.target is not None else None)
        rows.append({
            "text": obj.text,
            "where": _where(model, obj.scope_kind, obj.scope),
            "metric": obj.metric or "",
            "direction": obj.direction or "",
            "target": format_target(obj.target, obj.target_text, kind),
            "by": obj.by or "",
            "value": format_value(value, kind or "number") if obj.metric else "",
            "status": state,
            "status_text": STATUS_TEXT.get(state or "", ""),
            "measured_by": _where(model, kpi.scope_kind, kpi.scope) if kpi is not None else "",
        })
    return rows


def _wanted(model: Model) -> dict[int, str]:
    """KPI index -> the direction its objectives want (``increase`` or
    ``decrease``); the first objective measured by a KPI decides."""
    out: dict[int, str] = {}
    for obj in model.objectives:
        kpi = model.measuring_kpi(obj)
        if kpi is not None and obj.direction in ("increase", "decrease"):
            out.setdefault(kpi.index, obj.direction)
    return out


def change_tone(change: float | None, wanted: str | None) -> str:
    """``good``, ``bad`` or ``""`` (neutral) for a KPI's change against its
    baseline: rising churn against "decrease churn_rate" is bad. Without an
    increase or decrease objective a change is neither."""
    if not change or wanted is None:
        return ""
    return "good" if (change > 0) == (wanted == "increase") else "bad"


def segment_chart(model: Model, kpi, figures: Figures | None) -> str | None:
    """The bar chart of a KPI by segment (SVG markup, every user string
    escaped), or None for a KPI without `by segment` or a journey without figures."""
    figure = figures.kpi(kpi.index) if figures is not None else None
    if figure is None or figure.by_segment is None or not figure.by_segment:
        return None
    titles = {seg.id: seg.title for seg in model.segments.values()}
    return segment_bars(kpi.name, figure.kind, figure.by_segment, titles)


def kpi_rows(model: Model, figures: Figures | None) -> list[dict]:
    rows = []
    wanted = _wanted(model)
    for kpi in model.kpis:
        figure = figures.kpi(kpi.index) if figures is not None else None
        kind = figure.kind if figure is not None else kpi.kind
        value = figure.value if figure is not None else None
        baseline = kpi.baseline
        change = value - baseline if value is not None and baseline is not None else None
        rows.append({
            "name": kpi.name,
            "where": _where(model, kpi.scope_kind, kpi.scope),
            "kind": kind,
            "value": format_value(value, kind),
            "has_value": value is not None,
            "baseline": format_value(baseline, kind) if baseline is not None else "",
            "change": format_change(change, kind),
            "direction": "up" if change and change > 0 else "down" if change and change < 0 else "",
            "tone": change_tone(change, wanted.get(kpi.index)),
            "wanted": wanted.get(kpi.index, ""),
            "note": (figure.note or "") if figure is not None else "",
            "by_segment": segment_chart(model, kpi, figures),
        })
    return rows


def _tp_kpis(tp: Touchpoint, figures: Figures | None) -> list[str]:
    out = []
    for kpi in tp.kpis:
        figure = figures.kpi(kpi.index) if figures is not None else None
        shown = format_value(figure.value, figure.kind) if figure is not None else NO_DATA
        out.append(f"{kpi.name} {shown}")
    return out


#: how many touchpoints not marked as moments of truth the ranking shows below them
OTHERS_SHOWN = 5


def _stake_key(figures: Figures, order: dict[str, int]):
    """The ranking of §12.2: value at stake (highest first; none last),
    then reach, then file order."""
    def key(tp: Touchpoint) -> tuple:
        reach = figures.reach.get(tp.id) if figures.reach is not None else None
        stake = reach.value_at_stake if reach is not None else None
        customers = reach.customers if reach is not None else -1
        return (stake is None, -(stake or 0.0), -customers, order[tp.id])
    return key


def _stake_row(model: Model, figures: Figures, targets: dict[int, Objective], tp: Touchpoint,
               rank: int) -> dict:
    assert figures.reach is not None
    reach = figures.reach.get(tp.id)
    segments = model.segments
    kpis = []
    for kpi in tp.kpis:
        figure = figures.kpi(kpi.index)
        target, status = kpi_target(targets, figures, kpi)
        kpis.append({"name": kpi.name,
                     "value": format_value(figure.value if figure else None, figure.kind if figure else kpi.kind),
                     "target": target, "status": status, "status_text": STATUS_TEXT.get(status or "", "")})
    return {
        "rank": rank, "tp": tp,
        "reach": format_value(reach.customers, "count") if reach is not None else NO_DATA,
        "share": format_value(reach.share, "rate") if reach is not None else "",
        "share_pct": round(reach.share * 100, 1) if reach is not None else 0.0,
        "stake": format_value(reach.value_at_stake, "money")
        if reach is not None and reach.value_at_stake is not None else "",
        "segments": [{"title": segments[sid].title if sid in segments else sid,
                      "customers": format_value(count, "count")}
                     for sid, count in (reach.segments.items() if reach is not None else ())],
        "kpis": kpis,
    }


def stake_context(model: Model, figures: Figures | None) -> dict | None:
    """The "Moments of truth by value at stake" table (reference §12.2),
    None without an event log: the moments of truth ranked by the value
    at stake of the customers they reach (ties: reach, then file order),
    and below them the first ``OTHERS_SHOWN`` other touchpoints that reach
    anyone, ranked the same way. Without CLV there is no value at stake:
    the ranking is by reach, and ``by`` says so."""
    if figures is None or figures.reach is None:
        return None
    touchpoints = [tp for stage in model.stages for tp in stage.touchpoints]
    order = {tp.id: k for k, tp in enumerate(touchpoints)}
    key = _stake_key(figures, order)
    moments = sorted((tp for tp in touchpoints if tp.moment_of_truth is not None), key=key)
    reached = [tp for tp in touchpoints if tp.moment_of_truth is None
               and (figures.reach.get(tp.id) is not None and figures.reach[tp.id].customers > 0)]
    others = sorted(reached, key=key)
    has_stake = any(r.value_at_stake is not None for r in figures.reach.values())
    targets = kpi_targets(model)
    return {
        "by": "value at stake" if has_stake else "reach",
        "has_stake": has_stake,
        "rows": [_stake_row(model, figures, targets, tp, k) for k, tp in enumerate(moments, 1)],
        "others": [_stake_row(model, figures, targets, tp, k) for k, tp in enumerate(others[:OTHERS_SHOWN], 1)],
        "others_left": max(len(others) - OTHERS_SHOWN, 0),
        "segments": bool(model.segments),
    }


def _tp_charts(model: Model, tp: Touchpoint, figures: Figures | None) -> list[tuple[str, str]]:
    """(KPI name, bar chart) of the touchpoint's KPIs by segment."""
    charts = ((kpi.name, segment_chart(model, kpi, figures)) for kpi in tp.kpis)
    return [(name, chart) for name, chart in charts if chart is not None]


def _reason(value: str | bool | None) -> str:
    return value if isinstance(value, str) else ""


def clv_context(figures: Figures | None) -> dict | None:
    clv = figures.clv if figures is not None else None
    if clv is None:
        return None
    unit = "weeks" if clv.unit == "week" else "days"
    return {
        "model": {"bgnbd": "BG/NBD + Gamma-Gamma", "pareto": "Pareto/NBD + Gamma-Gamma"}.get(clv.model, "historic"),
        "unit": unit,
        "margin": format_value(clv.margin, "rate"),
        "discount": format_value(clv.discount, "rate"),
        "horizon": f"{clv.horizon_months:g} months",
        "mean_clv": format_value(clv.mean_clv, "money"),
        "customers": format_value(clv.customers, "count"),
        "params": [(name, f"{value:.4g}") for name, value in clv.params.items()],
        **_clv_model_context(clv),
        "segments": [{
            "id": s.id, "title": s.title,
            "customers": format_value(s.customers, "count"),
            "share": format_value(s.share, "rate"), "share_pct": round(s.share * 100, 1),
            "revenue": format_value(s.revenue, "money"),
            "clv_total": format_value(s.clv_total, "money"),
            "clv_mean": format_value(s.clv_mean, "money"),
            "clv_share": format_value(s.clv_share, "rate"), "clv_share_pct": round(s.clv_share * 100, 1),
            "clv_total_interval": _range(s.clv_total_interval),
        } for s in clv.segments],
    }


def _range(bounds: tuple[float, float] | None) -> str | None:
    if bounds is None:
        return None
    return f"{format_value(bounds[0], 'money')} – {format_value(bounds[1], 'money')}"


def _clv_model_context(clv) -> dict:
    """The fit, the intervals, the holdout and P(alive) of a fitted model."""
    from markupsafe import Markup

    from copisdsl.render.clv_charts import p_alive_svg, tracking_svg

    holdout = None
    if clv.holdout is not None:
        h = clv.holdout
        chart = tracking_svg(h)
        holdout = {"days": format_value(h.days, "days"), "customers": format_value(h.customers, "count"),
                   "predicted": f"{h.predicted:,.1f}", "actual": format_value(h.actual, "count"),
                   "mae": f"{h.mae:.3f}", "chart": Markup(chart) if chart else None}
    alive = p_alive_svg(clv.p_alive_histogram) if clv.p_alive_histogram else None
    return {
        "fit": None if clv.fit is None else {
            "log_likelihood": f"{clv.fit.log_likelihood:,.3f}",
            "converged": "yes" if clv.fit.converged else "no (W406)",
            "standard_errors": [(name, f"{value:.3g}") for name, value in clv.fit.standard_errors.items()
                                if math.isfinite(value)],
        },
        "interval": format_value(clv.interval, "rate") if clv.interval is not None else None,
        "mean_clv_interval": _range(clv.mean_clv_interval),
        "interval_note": clv.interval_note,
        "holdout": holdout,
        "holdout_note": clv.holdout_note,
        "p_alive_chart": Markup(alive) if alive else None,
    }


def diagnostic_rows(diagnostics: list[Diagnostic]) -> list[dict]:
    return [{
        "code": d.code, "severity": d.severity.value, "message": d.message, "hint": d.hint or "",
        "where": f"{d.span.file}:{d.span.line}:{d.span.column}",
    } for d in diagnostics]


def report_context(model: Model, figures: Figures | None, diagnostics: list[Diagnostic],
                   diagrams: dict[str, Diagram | None]) -> dict:
    """Everything ``report.html.j2`` shows."""
    touchpoints = [tp for stage in model.stages for tp in stage.touchpoints]
    fw = model.framework
    return {
        "version": __version__,
        "journey": model,
        "framework": {"name": fw.name, "labels": list(fw.labels), "builtin": fw.builtin},
        "counts": {"stages": len(model.stages), "touchpoints": len(touchpoints),
                   "moments": sum(tp.moment_of_truth is not None for tp in touchpoints),
                   "repurchase": sum(tp.repurchase is not None for tp in touchpoints),
                   "kpis": len(model.kpis), "objectives": len(model.objectives)},
        "diagnostics": diagnostic_rows(diagnostics),
        "diagrams": diagrams,
        "matrix": matrix_rows(model),
        "sipoc": sipoc_rows(model),
        "personas": list(model.personas.values()),
        "segments_declared": [{"id": s.id, "title": s.title} for s in model.segments.values()],
        "objectives": objective_rows(model, figures),
        "kpis": kpi_rows(model, figures),
        # the charts' styles only where there are charts: other reports keep their bytes
        "by_segment": any(f.by_segment for f in figures.kpis.values()) if figures is not None else False,
        "moments": [{"tp": tp, "reason": _reason(tp.moment_of_truth), "kpis": _tp_kpis(tp, figures),
                     "charts": _tp_charts(model, tp, figures)}
                    for tp in touchpoints if tp.moment_of_truth is not None],
        "repurchase": [{"tp": tp, "reason": _reason(tp.repurchase), "kpis": _tp_kpis(tp, figures),
                        "charts": _tp_charts(model, tp, figures)}
                       for tp in touchpoints if tp.repurchase is not None],
        "notes": [{"tp": tp, "pains": tp.pains, "opportunities": tp.opportunities}
                  for tp in touchpoints if tp.pains or tp.opportunities],
        "clv": clv_context(figures),
        "stake": stake_context(model, figures),
        "volumes": figures is not None and figures.flow_volumes is not None,
        "data": [{"id": d.id, "path": mask(d.path), "kind": d.kind or "table"} for d in model.data.values()],
        "stage_titles": {s.id: s.title for s in model.stages},
    }
