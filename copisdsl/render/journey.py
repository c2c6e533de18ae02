"""The journey view: stages left to right, touchpoints as cards, the flow.

Layout choices (see docs/rendering.md for the measurements behind them):
invisible edges keep every stage after the previous one and the cards of a
stage in declaration order; flow edges that point back to an earlier
touchpoint (re-purchase loops) are dashed and do not constrain the ranks, so
the picture stays left to right.
"""

from __future__ import annotations

from copisdsl.data.figures import Figures
from copisdsl.semantic.model import FlowEdge, Model, TouchpointM
from copisdsl.render import palette
from copisdsl.render.dot import FONT, INK, LINE, MUTED, PANEL, Graph, Html, text, wrap, wrapped
from copisdsl.render.format import format_value
from copisdsl.render.layout import Layout, fmt
from copisdsl.render.loops import route

CARD_WIDTH = 180  # points; titles wrap at about this width
MAX_CARD_KPIS = 4
EDGE_LABEL = (20, 2)  # characters per line, lines


def node_id(tp: TouchpointM) -> str:
    return f"tp_{tp.id}"


def card(tp: TouchpointM, figures: Figures | None) -> Html:
    """A touchpoint's card: title on the emotion tint, channel and mood,
    marker pills, known KPI values."""
    strong, tint = palette.emotion_colours(tp.emotion)
    rows = [f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" BGCOLOR="{tint}" WIDTH="{CARD_WIDTH}">'
            f'<FONT POINT-SIZE="12"><B>{wrapped(tp.title, 24, 3)}</B></FONT></TD></TR>']
    facts = []
    if tp.channel:
        facts.append(text(tp.channel))
    if tp.emotion is not None:
        facts.append(f"mood {tp.emotion}/5")
    if facts:
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="{MUTED}">'
                    f'{" · ".join(facts)}</FONT></TD></TR>')
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
    return f'<TD BGCOLOR="{colour}"><FONT POINT-SIZE="9" COLOR="white"><B> {label} </B></FONT></TD>'


def _kpi_rows(tp: TouchpointM, figures: Figures | None) -> str:
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
    ``constraint=false``): what ``copis render --format dot`` writes."""
    return _graph(model, figures, loops="graphviz")


def layout_dot(model: Model, figures: Figures | None = None) -> str:
    """Pass one: the graph without its loops, for ``dot -Tjson0``."""
    return _graph(model, figures, loops="none")


def positioned_dot(model: Model, figures: Figures | None, layout: Layout) -> str:
    """Pass two: every position fixed, loops routed by ``loops.route``, for
    ``neato -n2``."""
    return _graph(model, figures, loops="routed", layout=layout)


def _graph(model: Model, figures: Figures | None, *, loops: str, layout: Layout | None = None) -> str:
    back = [e for e in model.flows if e.back]
    routed = {}
    if layout is not None:
        paths = route(layout, [(node_id(model.touchpoints[e.source]), node_id(model.touchpoints[e.target]),
                                len(wrap(e.label, *EDGE_LABEL)) if e.label else 0) for e in back])
        routed = {id(e): path for e, path in zip(back, paths)}
    g = Graph(model.id)
    graph_attrs: dict[str, object] = dict(
        id="journey", rankdir="LR", newrank=True, fontname=FONT, fontcolor=INK, nodesep=0.25, ranksep=0.45,
        pad=0.2, bgcolor="white", outputorder="edgesfirst",
        label=Html(f'<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR><TD ALIGN="LEFT" BALIGN="LEFT">'
                   f'<FONT POINT-SIZE="18"><B>{wrapped(model.title, 70, 2)}</B></FONT></TD></TR></TABLE>'),
        labelloc="t", labeljust="l")
    if layout is not None:
        graph_attrs.update(bb=",".join(fmt(v) for v in layout.bb), splines=True)
        if layout.label_pos is not None:
            graph_attrs["lp"] = _pos(layout.label_pos)
    g.defaults("graph", **graph_attrs)
    g.defaults("node", shape="plain", fontname=FONT, fontcolor=INK)
    g.defaults("edge", fontname=FONT, color="#6e7781", arrowsize=0.7, penwidth=1.2)
    for stage in model.stages:
        cluster = f"cluster_{stage.id}"
        extra: dict[str, object] = {}
        if layout is not None and cluster in layout.clusters:
            bb, lp = layout.clusters[cluster]
            extra["bb"] = ",".join(fmt(v) for v in bb)
            if lp is not None:
                extra["lp"] = _pos(lp)
        g.open(cluster, id=f"journey_stage_{stage.id}",
               label=Html(f'<FONT POINT-SIZE="14"><B>{wrapped(stage.title, 40, 2)}</B></FONT>'),
               labeljust="l", style="rounded,filled", fillcolor=PANEL, color=LINE, margin=12, **extra)
        for tp in stage.touchpoints:
            items: dict[str, object] = {"id": f"journey_tp_{tp.id}", "label": card(tp, figures)}
            if layout is not None:
                items["pos"] = _pos(layout.nodes[node_id(tp)].centre)
            g.node(node_id(tp), **items)
        if not stage.touchpoints:
            items = {"id": f"journey_empty_{stage.id}", "label": Html(
                f'<FONT POINT-SIZE="10" COLOR="{MUTED}"><I>no touchpoints</I></FONT>')}
            if layout is not None:
                items["pos"] = _pos(layout.nodes[_empty_id(stage.id)].centre)
            g.node(_empty_id(stage.id), **items)
        g.close()
    if layout is None:
        _order_edges(g, model)
    for i, edge in enumerate(model.flows, 1):
        if edge.back and loops == "none":
            continue
        eid = f"journey_flow_{i}"
        items = {"id": eid}
        if edge.back:
            items.update(style="dashed", color=palette.REPURCHASE)
            if loops == "graphviz":
                items["constraint"] = False
        if edge.label:
            items["label"] = _edge_label(edge, palette.REPURCHASE if edge.back else MUTED)
        if layout is not None:
            pos, lp = (routed[id(edge)].pos, routed[id(edge)].label_pos) if edge.back else layout.edges[eid]
            items["pos"] = pos
            if lp is not None and edge.label:
                items["lp"] = _pos(lp)
        g.edge(node_id(model.touchpoints[edge.source]), node_id(model.touchpoints[edge.target]), **items)
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
