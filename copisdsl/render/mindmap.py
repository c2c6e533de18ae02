"""The mindmap view: the journey in the middle, its stages branching to the
right and to the left, then the touchpoints, each with one box of its own
elements, objectives and KPIs (a default is attached where it is written: a
journey default hangs from the journey, not from every touchpoint).

A balanced two-sided tree, drawn by ``dot`` from left to right: the stages
of the right half hang from the journey as usual, those of the left half
are written child to parent, which puts them on the ranks before the
journey. The stages are split in declaration order where the two halves
hold about as many lines; the right half reads top to bottom, then the left.
A radial layout (``twopi``) put 30 touchpoints on a circle 3,400 pt wide,
mostly white; this one stays about as wide as it is tall. Text wraps between
words, never inside one.
"""

from __future__ import annotations

from copisdsl.data.figures import Figures
from copisdsl.semantic.model import ElementValue, Kpi, Model, Objective
from copisdsl.render import palette
from copisdsl.render.dot import FONT, INK, LINE, MUTED, Graph, Html, text, wrap
from copisdsl.render.format import format_target, format_value

DETAIL_WIDTH = 30  # characters per line in a details box
TITLE_WIDTH = 18
KPI_COLOUR = "#1a7f37"
STAGE_FILL, STAGE_LINE = "#ddf4ff", "#54aeff"
MAX_LINES = 4  # of one value in a details box


def _lines(value: str, width: int, max_lines: int | None = None) -> list[str]:
    return wrap(value, width, max_lines, break_words=False)


def _title(node_id: str, title: str, points: int, fill: str, line: str, width: int = TITLE_WIDTH,
           max_lines: int = 3, **extra: object) -> dict[str, object]:
    label = Html(f'<FONT POINT-SIZE="{points}"><B>{"<BR/>".join(text(x) for x in _lines(title, width, max_lines))}'
                 f'</B></FONT>')
    return {"id": f"mindmap_{node_id}", "shape": "box", "style": "rounded,filled", "fillcolor": fill,
            "color": line, "label": label, **extra}


class _Details:
    """The rows of one details box: (kind, head, lines, colour, value)."""

    def __init__(self, model: Model, figures: Figures | None) -> None:
        self.model, self.figures = model, figures

    def rows(self, elements: dict[str, list[ElementValue]], objectives: list[Objective],
             kpis: list[Kpi]) -> list[tuple[str, str, list[str], str, str]]:
        fw = self.model.framework
        out = []
        for key in fw.keys:
            values = elements.get(key)
            if values and key != fw.objective_key:
                out.append((fw.label(key), "", _lines(", ".join(v.text for v in values), DETAIL_WIDTH, MAX_LINES),
                            MUTED, ""))
        for obj in objectives:
            out.append(("Objective", self._goal(obj), _lines(obj.text, DETAIL_WIDTH, MAX_LINES), palette.MOMENT, ""))
        for kpi in kpis:
            figure = self.figures.kpi(kpi.index) if self.figures is not None else None
            shown = format_value(figure.value, figure.kind) if figure is not None else "no data"
            out.append(("KPI", "", _lines(kpi.name, DETAIL_WIDTH, 2), KPI_COLOUR, shown))
        return out

    def _goal(self, obj: Objective) -> str:
        if not (obj.direction and obj.metric):
            return ""
        kpi = self.model.measuring_kpi(obj)
        target = format_target(obj.target, obj.target_text, kpi.kind if kpi else None)
        return f"{obj.direction} {obj.metric}" + (f" to {target}" if target else "")


def _box(rows: list[tuple[str, str, list[str], str, str]]) -> Html:
    cells = []
    for kind, head, lines, colour, value in rows:
        body = "<BR/>".join(text(line) for line in lines)
        if value:
            body += f' <B>{text(value)}</B>'
        heading = f'<FONT POINT-SIZE="9" COLOR="{colour}"><B>{text(kind)}</B></FONT>'
        if head:
            heading += f'<FONT POINT-SIZE="9" COLOR="{MUTED}"> {"<BR/>".join(text(x) for x in _lines(head, 36))}</FONT>'
        cells.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{heading}<BR/><FONT POINT-SIZE="10">{body}</FONT></TD></TR>')
    return Html(f'<TABLE BORDER="1" COLOR="{LINE}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
                f'BGCOLOR="white" STYLE="rounded">{"".join(cells)}</TABLE>')


def _weight(rows: list) -> int:
    return sum(len(lines) + 1 for _, _, lines, _, _ in rows)


def mindmap_dot(model: Model, figures: Figures | None = None) -> str:
    """The mind map as DOT (``dot`` engine)."""
    details = _Details(model, figures)
    g = Graph(f"{model.id}_mindmap")
    g.defaults("graph", id="mindmap", rankdir="LR", ranksep=0.35, nodesep=0.12, fontname=FONT, pad=0.3,
               bgcolor="white", outputorder="edgesfirst", splines=True)
    g.defaults("node", fontname=FONT, fontcolor=INK)
    g.defaults("edge", color="#afb8c1", penwidth=1.0, dir="none")
    g.node("journey", **_title("journey", model.title, 16, INK, INK, 24, 4, fontcolor="white", margin="0.2,0.12"))
    branches = []  # per stage: (weight, [(node, attrs, edge attrs, parent)])
    for stage in model.stages:
        parts: list[tuple[str, dict[str, object], dict[str, object], str]] = []
        sid = f"stage_{stage.id}"
        parts.append((sid, _title(sid, stage.title, 13, STAGE_FILL, STAGE_LINE),
                      {"penwidth": 2.2, "color": STAGE_LINE}, "journey"))
        weight = 2
        own = details.rows(stage.elements, stage.objectives, stage.kpis)
        if own:
            parts.append((f"{sid}__details", {"id": f"mindmap_{sid}__details", "shape": "plain", "label": _box(own)},
                          {}, sid))
            weight += _weight(own)
        for tp in stage.touchpoints:
            strong, tint = palette.emotion_colours(tp.emotion)
            tid = f"tp_{tp.id}"
            parts.append((tid, _title(tid, tp.title, 11, tint, strong, penwidth=1.5),
                          {"penwidth": 1.6, "color": strong}, sid))
            mine = {k: v for k, v in tp.elements.items() if tp.element_origin.get(k) == "touchpoint"}
            rows = details.rows(mine, [o for o in tp.objectives if o.scope_kind == "touchpoint"], tp.kpis)
            if rows:
                parts.append((f"{tid}__details", {"id": f"mindmap_{tid}__details", "shape": "plain",
                                                  "label": _box(rows)}, {}, tid))
            weight += max(2, _weight(rows))
        branches.append((weight, parts))
    right = _split([w for w, _ in branches])
    journey_rows = details.rows(model.elements, model.journey_objectives, model.journey_kpis)
    for k, (_, parts) in enumerate(branches):
        for node, attrs, _, _ in parts:
            g.node(node, **attrs)
    if journey_rows:
        g.node("journey__details", id="mindmap_journey__details", shape="plain", label=_box(journey_rows))
    for k, (_, parts) in enumerate(branches):
        for node, _, edge, parent in parts:
            if k < right:
                g.edge(parent, node, id=f"mindmap_edge_{node}", **edge)
            else:
                g.edge(node, parent, id=f"mindmap_edge_{node}", **edge)
    if journey_rows:  # on the lighter side
        weights = [w for w, _ in branches]
        if sum(weights[:right]) <= sum(weights[right:]):
            g.edge("journey", "journey__details", id="mindmap_edge_journey__details")
        else:
            g.edge("journey__details", "journey", id="mindmap_edge_journey__details")
    return g.source()


def _split(weights: list[int]) -> int:
    """How many stages, in order, go to the right: the split that makes the
    two halves nearest in weight (the right one on a tie)."""
    total = sum(weights)
    best, best_gap = len(weights), total
    running = 0
    for k in range(len(weights) + 1):
        gap = abs(total - 2 * running)
        if gap < best_gap or (gap == best_gap and k > best):
            best, best_gap = k, gap
        if k < len(weights):
            running += weights[k]
    return best
