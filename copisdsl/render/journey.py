"""The journey view: stages left to right as columns of cards, the flow.

Drawn in two passes (see docs/rendering.md): Graphviz measures the cards,
``layout`` places them on a grid (stages as columns, wrapped when long, in
declaration order), ``loops`` routes every flow along the free channels
and corridors of the grid, and ``neato -n2`` draws it as placed. Loops
(back edges of the flow, see ``semantic.loops``) are dashed. With an event
log, cards show their reach and flows are as wide as their customers, with
their figures on hover and a legend under the title (``render.reach``).
"""

from __future__ import annotations

from copisdsl.data.figures import Figures
from copisdsl.semantic.model import FlowEdge, Model, Touchpoint
from copisdsl.render import palette
from copisdsl.render.dot import FONT, INK, LINE, MUTED, PANEL, Graph, Html, text, wrap, wrapped
from copisdsl.render.format import format_value
from copisdsl.render.lanes import pill_cell
from copisdsl.render.layout import fmt, make_grid
from copisdsl.render.loops import Flow, route
from copisdsl.render.reach import arrow_size, flow_tooltip, largest, legend_steps, pen_width, reach_text

CARD_WIDTH = 150  # points; titles wrap at about this width
MAX_CARD_KPIS = 4
EDGE_LABEL = (20, 2)  # characters per line, lines


def node_id(tp: Touchpoint) -> str:
    return f"tp_{tp.id}"


def card(tp: Touchpoint, figures: Figures | None) -> Html:
    """A touchpoint's card: title on the emotion tint, channel and mood,
    marker pills, known KPI values."""
    strong, tint = palette.emotion_colours(tp.emotion)
    rows = [f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{tint}" WIDTH="{CARD_WIDTH}">'
            f'<FONT POINT-SIZE="12"><B>{wrapped(tp.title, 20, 3)}</B></FONT></TD></TR>']
    facts = []
    if tp.channel:
        facts.append(text(tp.channel))
    if tp.emotion is not None:
        facts.append(f"mood {tp.emotion}/5")
    if facts:
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="{MUTED}">'
                    f'{" · ".join(facts)}</FONT></TD></TR>')
    reach = figures.reach.get(tp.id) if figures is not None and figures.reach is not None else None
    if reach is not None:
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10"><B>Reach {text(reach_text(reach))}</B>'
                    f'</FONT></TD></TR>')
    pills = []
    if tp.moment_of_truth is not None:
        pills.append(_pill("Moment of truth", palette.MOMENT))
    if tp.repurchase is not None:
        pills.append(_pill("Re-purchase", palette.REPURCHASE))
    if pills:
        rows.append('<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2"><TR>'
                    + "".join(pills) + "</TR></TABLE></TD></TR>")
    kpis = _kpi_rows(tp, figures)
    if kpis:
        rows.append('<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">'
                    + kpis + "</TABLE></TD></TR>")
    body = "".join(rows)
    return Html(f'<TABLE BORDER="1" COLOR="{LINE}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="5" '
                f'BGCOLOR="white"><TR><TD WIDTH="6" BGCOLOR="{strong}" ROWSPAN="{len(rows)}"></TD>'
                f'{body[4:]}</TABLE>')


def _pill(label: str, colour: str) -> str:
    return pill_cell(label, colour, 10)


def _kpi_rows(tp: Touchpoint, figures: Figures | None) -> str:
    if figures is None:
        return ""
    rows = []
    for kpi in tp.kpis:
        figure = figures.kpi(kpi.index)
        if figure is None or figure.value is None:
            continue
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="{MUTED}">{wrapped(kpi.name, 22, 1)}'
                    f'</FONT></TD><TD ALIGN="RIGHT"><FONT POINT-SIZE="10"><B>'
                    f'{text(format_value(figure.value, figure.kind))}</B></FONT></TD></TR>')
        if len(rows) == MAX_CARD_KPIS:
            break
    return "".join(rows)


def _edge_label(edge: FlowEdge, colour: str) -> Html:
    return Html(f'<FONT POINT-SIZE="10" COLOR="{colour}">{wrapped(edge.label or "", *EDGE_LABEL)}</FONT>')


def journey_dot(model: Model, figures: Figures | None = None) -> str:
    """The journey view as DOT for ``dot``, loops included (with
    ``constraint=false``): what ``copis render --format dot`` writes. The
    drawing itself is ``positioned_dot``, placed on a grid of stage columns."""
    g = _start(model, figures)
    for stage in model.stages:
        g.open(f"cluster_{stage.id}", id=f"journey_stage_{stage.id}", label=_stage_label(stage.title, 40),
               labeljust="l", style="rounded,filled", fillcolor=PANEL, color=LINE, margin=12)
        for tp in stage.touchpoints:
            g.node(node_id(tp), id=f"journey_tp_{tp.id}", label=card(tp, figures))
        if not stage.touchpoints:
            g.node(_empty_id(stage.id), id=f"journey_empty_{stage.id}", label=_EMPTY)
        g.close()
    _order_edges(g, model)
    volumes = _volumes(model, figures)
    for i, edge in enumerate(model.flows, 1):
        items: dict[str, object] = {"id": f"journey_flow_{i}"}
        if edge.back:
            items.update(style="dashed", color=palette.REPURCHASE, constraint=False)
        if edge.label:
            items["label"] = _edge_label(edge, palette.REPURCHASE if edge.back else MUTED)
        items.update(volumes[i - 1])
        g.edge(node_id(model.touchpoints[edge.source]), node_id(model.touchpoints[edge.target]), **items)
    if figures is not None and figures.flow_volumes is not None:
        g.node(LEGEND, id="journey_flow_legend", label=flow_legend(figures))
    return g.source()


LEGEND = "flow_legend"


def _volumes(model: Model, figures: Figures | None) -> list[dict[str, object]]:
    """Per flow, the attributes its volume adds (none without an event
    log): a pen width for its customers and its figures on hover."""
    if figures is None or figures.flow_volumes is None:
        return [{} for _ in model.flows]
    most = largest(figures.flow_volumes)
    out: list[dict[str, object]] = []
    for edge, volume in zip(model.flows, figures.flow_volumes):
        tip = flow_tooltip(model.touchpoints[edge.source].title, model.touchpoints[edge.target].title, volume)
        pen = pen_width(volume.customers, most)
        out.append({"penwidth": pen, "arrowsize": arrow_size(pen), "tooltip": tip})
    return out + [{} for _ in model.flows[len(out):]]


def flow_legend(figures: Figures) -> Html:
    """The key to the flows' widths: a sample line per step of the scale
    with the customers it stands for."""
    rows = [f'<TR><TD ALIGN="LEFT" COLSPAN="2"><FONT POINT-SIZE="10" COLOR="{MUTED}"><B>Flow width: customers '
            f'who took the step</B></FONT></TD></TR>']
    for width, label in legend_steps(largest(figures.flow_volumes or [])):
        rows.append(f'<TR><TD WIDTH="40"><TABLE BORDER="0" CELLSPACING="0" '
                    f'CELLPADDING="0"><TR><TD WIDTH="36" HEIGHT="{fmt(width)}" FIXEDSIZE="TRUE" '
                    f'BGCOLOR="#6e7781"></TD></TR></TABLE></TD><TD ALIGN="LEFT"><FONT POINT-SIZE="10">'
                    f'{text(label)}</FONT></TD></TR>')
    rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="2"><FONT POINT-SIZE="10" COLOR="{MUTED}">hover a flow for its '
                f'customers, conversion and median days</FONT></TD></TR>')
    return Html(f'<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="1" BGCOLOR="white">{"".join(rows)}</TABLE>')


_EMPTY = Html(f'<FONT POINT-SIZE="10" COLOR="{MUTED}"><I>no touchpoints</I></FONT>')


def cards_dot(model: Model, figures: Figures | None = None) -> str:
    """Pass one: the cards alone, for ``dot -Tjson0`` to measure."""
    g = Graph(model.id)
    g.defaults("node", shape="plain", fontname=FONT, fontcolor=INK)
    for name, label in _cards(model, figures):
        g.node(name, label=label)
    if figures is not None and figures.flow_volumes is not None:
        g.node(LEGEND, label=flow_legend(figures))
    return g.source()


def _cards(model: Model, figures: Figures | None) -> list[tuple[str, Html]]:
    out = []
    for stage in model.stages:
        out += [(node_id(tp), card(tp, figures)) for tp in stage.touchpoints]
        if not stage.touchpoints:
            out.append((_empty_id(stage.id), _EMPTY))
    return out


def _start(model: Model, figures: Figures | None, title_width: int = 70, **extra: object) -> Graph:
    g = Graph(model.id)
    g.defaults("graph", id="journey", rankdir="LR", newrank=True, fontname=FONT, fontcolor=INK, nodesep=0.25,
               ranksep=0.45, pad=0.2, bgcolor="white", outputorder="edgesfirst",
               label=Html(f'<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR><TD ALIGN="LEFT" BALIGN="LEFT">'
                          f'<FONT POINT-SIZE="18"><B>{wrapped(model.title, title_width, 2)}</B></FONT></TD></TR>'
                          f'</TABLE>'),
               labelloc="t", labeljust="l", **extra)
    g.defaults("node", shape="plain", fontname=FONT, fontcolor=INK)
    g.defaults("edge", fontname=FONT, color="#6e7781", arrowsize=0.7, penwidth=1.2)
    return g


def _title_points(title: str, width: int) -> float:
    """About how wide the journey's title is drawn (18 pt bold)."""
    return 10.5 * max(len(line) for line in wrap(title, width, 2))


def _stage_label(title: str, width: int) -> Html:
    return Html(f'<FONT POINT-SIZE="14"><B>{wrapped(title, width, 2)}</B></FONT>')


def positioned_dot(model: Model, figures: Figures | None, sizes: dict[str, tuple[float, float]]) -> str:
    """Pass two: the cards (measured by pass one, ``sizes``) placed on the
    grid of ``layout`` and every flow routed by ``loops``, for ``neato -n2``."""
    stages = [(f"cluster_{s.id}", [node_id(tp) for tp in s.touchpoints] or [_empty_id(s.id)])
              for s in model.stages]
    grid = make_grid(stages, sizes)
    estimate = sum(grid.widths) + 40 * grid.columns
    title_width = max(20, min(70, int(estimate / 10.5)))
    title_lines = len(wrap(model.title, title_width, 2))
    narrowest = min((sum(grid.widths[a:b + 1]) for _, a, b in grid.stage_columns), default=200.0)
    stage_width = max(12, int(narrowest / 8.6))
    header = 18 * max(len(wrap(s.title, stage_width, 2)) for s in model.stages) + 14 if model.stages else 0
    top = 24.0 * title_lines + 10
    legend = sizes.get(LEGEND) if figures is not None and figures.flow_volumes is not None else None
    title_bottom = top
    if legend is not None:
        top += legend[1] + 8
    flows = [Flow(node_id(model.touchpoints[e.source]), node_id(model.touchpoints[e.target]), e.back,
                  wrap(e.label, *EDGE_LABEL) if e.label else []) for e in model.flows]
    placed, routed = route(grid, flows, top, header)
    # a journey narrower than the flow legend widens to hold it
    width = max(placed.width, 8 + legend[0]) if legend is not None else placed.width
    g = _start(model, figures, title_width, bb=f"0,0,{fmt(width)},{fmt(placed.height)}", splines=True,
               lp=_pos(placed.gv((4 + min(placed.width - 8, _title_points(model.title, title_width)) / 2,
                                  title_bottom / 2 - 2))))
    labels = dict(_cards(model, figures))
    for stage, (cluster, nodes) in zip(model.stages, stages):
        left, box_top, right, bottom = placed.stages[cluster]
        lines = wrap(stage.title, stage_width, 2)
        label_width = min(right - left - 16, 8.6 * max(len(line) for line in lines))
        g.open(cluster, id=f"journey_stage_{stage.id}", label=_stage_label(stage.title, stage_width),
               style="rounded,filled", fillcolor=PANEL, color=LINE,
               bb=",".join(fmt(v) for v in (left, placed.height - bottom, right, placed.height - box_top)),
               lp=_pos(placed.gv((left + 10 + label_width / 2, box_top + header / 2))))
        for name in nodes:
            prefix = "journey_tp_" + name[3:] if name.startswith("tp_") else "journey_" + name
            g.node(name, id=prefix, label=labels[name], pos=_pos(placed.gv(placed.boxes[name].centre)))
        g.close()
    volumes = _volumes(model, figures)
    for i, (edge, flow, path) in enumerate(zip(model.flows, flows, routed), 1):
        items: dict[str, object] = {"id": f"journey_flow_{i}", "pos": path.pos}
        if edge.back:
            items.update(style="dashed", color=palette.REPURCHASE)
        if edge.label and path.label_pos is not None:
            items.update(label=_edge_label(edge, palette.REPURCHASE if edge.back else MUTED),
                         lp=_pos(path.label_pos))
        items.update(volumes[i - 1])
        g.edge(flow.source, flow.target, **items)
    if legend is not None and figures is not None:
        g.node(LEGEND, id="journey_flow_legend", label=flow_legend(figures),
               pos=_pos(placed.gv((4 + legend[0] / 2, title_bottom + legend[1] / 2))))
    return g.source()


def _empty_id(stage_id: str) -> str:
    return f"empty_{stage_id}"


def _pos(point: tuple[float, float]) -> str:
    return f"{fmt(point[0])},{fmt(point[1])}"


def _order_edges(g: Graph, model: Model) -> None:
    """Invisible edges that keep stages in order and touchpoints in
    declaration order; two touchpoints of a stage may share a column only
    when the flow itself connects them (a branch)."""
    linked = {node_id(model.touchpoints[t]) for e in model.flows for t in (e.source, e.target)}
    previous: str | None = None
    for stage in model.stages:
        ids = [node_id(tp) for tp in stage.touchpoints] or [_empty_id(stage.id)]
        for k, current in enumerate(ids):
            if previous is not None:
                same_column_ok = k > 0 and current in linked and previous in linked
                g.edge(previous, current, style="invis", weight=0 if same_column_ok else 1,
                       minlen=0 if same_column_ok else 1)
            previous = current
