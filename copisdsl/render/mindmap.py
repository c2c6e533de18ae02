"""The mindmap view: the journey at the centre, then stages, touchpoints,
and as leaves the elements, objectives and KPIs, each attached where it is
written (a journey default hangs from the journey, not from every
touchpoint).

Drawn by ``twopi`` with straight edges. ``twopi`` gives every leaf of the
tree the same angle and puts each node in the middle of its leaves' arc;
asking it to remove overlaps afterwards is slow (``overlap=prism``: 29 s for
1,000 touchpoints) or blows the picture up (``scale``). So the radii are
computed here instead, from the estimated size of every node and the arc
twopi will give it:

- every leaf sits on the outermost ring (a leaf of the journey or of a
  stage reaches it through invisible joints), since a leaf on an inner ring
  would get the same small angle at a smaller radius;
- when that ring is crowded, the leaves take turns on two, three or four
  rings (every other leaf one ring further out, and so on), which divides
  the circumference each ring needs; the fewest rings that give the
  smallest picture win.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from copisdsl.data.figures import Figures
from copisdsl.semantic.model import ElementValue, KpiM, Model, ObjectiveM
from copisdsl.render import palette
from copisdsl.render.dot import FONT, INK, LINE, MUTED, Graph, Html, text, wrap
from copisdsl.render.format import format_target, format_value

LEAF_WIDTH = 18  # characters per line: squarish leaves fit a circle best
TITLE_WIDTH = 16
EM = 0.6 / 72  # inches per character per point: Helvetica bold averages 0.55 em
GAP = 0.12  # inches between neighbours on a ring
RING_MARGIN = 0.5  # inches between the boxes of two rings
KPI_COLOUR = "#1a7f37"
STAGE_FILL, STAGE_LINE = "#ddf4ff", "#54aeff"
STAGGER = (1, 2, 3, 4)  # how many rings the leaves may take turns on


@dataclass(eq=False)
class _Node:
    id: str
    attrs: dict[str, object]
    lines: list[tuple[str, int]]  # (text, point size), for the size estimate
    edge: dict[str, object] = field(default_factory=dict)  # attributes of the edge from the parent
    children: list[_Node] = field(default_factory=list)
    leaf: bool = False  # an element, objective or KPI (joints lead it to the outer ring)
    depth: int = 0
    leaves: int = 1  # leaves under it (itself when it has no children)
    extent: float = field(init=False)  # the larger side of its box, inches

    def __post_init__(self) -> None:
        self.extent = max(self.size())

    def size(self) -> tuple[float, float]:
        """Estimated (width, height) in inches."""
        if not self.lines:
            return 0.0, 0.0
        width = max(len(line) * points * EM for line, points in self.lines) + 0.3
        return width, sum(points * 1.25 / 72 for _, points in self.lines) + 0.2


def _leaf_label(kind: str, head: str, body_lines: list[str], colour: str, bold_tail: str = "") -> Html:
    body = "<BR/>".join(text(line) for line in body_lines)
    if bold_tail:
        body += f" <B>{text(bold_tail)}</B>"
    return Html(f'<TABLE BORDER="1" COLOR="{colour}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
                f'BGCOLOR="white" STYLE="rounded"><TR><TD ALIGN="LEFT" BALIGN="LEFT">'
                f'<FONT POINT-SIZE="8" COLOR="{MUTED}"><B>{text(kind)}</B> {text(head)}</FONT><BR/>'
                f'<FONT POINT-SIZE="10">{body}</FONT></TD></TR></TABLE>')


def _box(node_id: str, title: str, points: int, width: int, fill: str, line: str, **extra: object) -> _Node:
    lines = wrap(title, width, 3)
    label = Html(f'<FONT POINT-SIZE="{points}"><B>{"<BR/>".join(text(x) for x in lines)}</B></FONT>')
    attrs: dict[str, object] = {"id": f"mindmap_{node_id}", "shape": "box", "style": "rounded,filled",
                                "fillcolor": fill, "color": line, "label": label, **extra}
    return _Node(node_id, attrs, [(x, points) for x in lines])


class _Tree:
    """The mind map's tree, built from the model."""

    def __init__(self, model: Model, figures: Figures | None) -> None:
        self.model, self.figures = model, figures
        self.root = _box("journey", model.title, 16, 26, INK, INK, fontcolor="white", margin="0.2,0.12")
        for stage in model.stages:
            snode = _box(f"stage_{stage.id}", stage.title, 13, TITLE_WIDTH, STAGE_FILL, STAGE_LINE)
            snode.edge = {"penwidth": 2.2, "color": STAGE_LINE}
            self.root.children.append(snode)
            for tp in stage.touchpoints:
                strong, tint = palette.emotion_colours(tp.emotion)
                tnode = _box(f"tp_{tp.id}", tp.title, 11, TITLE_WIDTH, tint, strong, penwidth=1.5)
                tnode.edge = {"penwidth": 1.6, "color": strong}
                snode.children.append(tnode)
                own = {k: v for k, v in tp.elements.items() if tp.element_origin.get(k) == "touchpoint"}
                mine = [o for o in tp.objectives if o.scope_kind == "touchpoint"]
                self.leaves(tnode, own, mine, tp.kpis)
            self.leaves(snode, stage.elements, stage.objectives, stage.kpis)
        self.leaves(self.root, model.elements, model.journey_objectives, model.journey_kpis)

    def leaves(self, parent: _Node, elements: dict[str, list[ElementValue]], objectives: list[ObjectiveM],
               kpis: list[KpiM]) -> None:
        fw = self.model.framework
        for key in fw.keys:
            values = elements.get(key)
            if values and key != fw.objective_key:
                self.leaf(parent, f"{parent.id}__{key}", fw.label(key), "",
                          wrap(", ".join(v.text for v in values), LEAF_WIDTH, 4), LINE)
        for obj in objectives:
            self.leaf(parent, f"{parent.id}__objective_{obj.index}", "Objective", self._goal(obj),
                      wrap(obj.text, LEAF_WIDTH, 4), palette.MOMENT)
        for kpi in kpis:
            figure = self.figures.kpi(kpi.index) if self.figures is not None else None
            shown = format_value(figure.value, figure.kind) if figure is not None else "no data"
            self.leaf(parent, f"{parent.id}__kpi_{kpi.index}", "KPI", "", wrap(kpi.name, LEAF_WIDTH, 2),
                      KPI_COLOUR, shown)

    def leaf(self, parent: _Node, node_id: str, kind: str, head: str, lines: list[str], colour: str,
             tail: str = "") -> None:
        shown = [(f"{kind} {head}", 8)] + [(line, 10) for line in lines[:-1]]
        shown.append((lines[-1] + (" = " + tail if tail else ""), 10))
        attrs = {"id": f"mindmap_{node_id}", "shape": "plain",
                 "label": _leaf_label(kind, head, lines, colour, tail)}
        parent.children.append(_Node(node_id, attrs, shown, leaf=True))

    def _goal(self, obj: ObjectiveM) -> str:
        if not (obj.direction and obj.metric):
            return ""
        kpi = self.model.measuring_kpi(obj)
        target = format_target(obj.target, obj.target_text, kpi.kind if kpi else None)
        return f"{obj.direction} {obj.metric}" + (f" to {target}" if target else "")


def _walk(root: _Node) -> list[_Node]:
    """Every node, parents before children in drawing order; sets depths."""
    out: list[_Node] = []
    root.depth = 0
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(node)
        for child in reversed(node.children):
            child.depth = node.depth + 1
            stack.append(child)
    return out


def _joint(node: _Node, child: _Node) -> _Node:
    return _Node(f"{child.id}__j{node.depth + 1}", {"shape": "point", "width": 0.01, "style": "invis"},
                 [], dict(child.edge), [child])


def _reach(root: _Node, ring: int, rings: int) -> None:
    """Insert joints so that the leaves sit on ``ring``, ``ring + 1`` ...
    ``ring + rings - 1`` in turn."""
    nodes = _walk(root)
    leaves = [n for n in nodes if n.leaf]
    extra = {id(leaf): k % rings for k, leaf in enumerate(leaves)}
    for node in nodes:
        for i, child in enumerate(node.children):
            if not child.leaf:
                continue
            target = ring + extra[id(child)]
            top = child
            for _ in range(target - node.depth - 1):
                top = _joint(node, top)
            node.children[i] = top
    for node in reversed(_walk(root)):
        node.leaves = sum(child.leaves for child in node.children) if node.children else 1


def _places(root: _Node) -> list[tuple[int, float, float, int]]:
    """Every node but the root, before joints: (depth, the angle twopi will
    give it, extent, its number among the leaves or -1)."""
    nodes = _walk(root)
    for node in reversed(nodes):
        node.leaves = sum(child.leaves for child in node.children) if node.children else 1
    unit = 2 * math.pi / max(root.leaves, 1)
    start = {id(root): 0.0}
    places = []
    leaf = 0
    for node in nodes:
        offset = start[id(node)]
        if node is not root:
            places.append((node.depth, offset + node.leaves * unit / 2, node.extent, leaf if node.leaf else -1))
            leaf += node.leaf
        for child in node.children:
            start[id(child)] = offset
            offset += child.leaves * unit
    return places


def ring_radii(places: list[tuple[int, float, float, int]], root_extent: float, ring: int,
               rings: int) -> list[float]:
    """Radii (inches) of rings 1, 2 ... when the leaves take turns on
    ``ring`` ... ``ring + rings - 1``: far enough from the previous ring for
    the largest boxes, and for every two neighbours on a ring to be apart by
    their extent along the circle (twice their larger side, to hold at any
    angle) at the angle twopi gives them. Joints take no room."""
    by_ring: dict[int, list[tuple[float, float]]] = {}
    for depth, angle, extent, leaf in places:
        by_ring.setdefault(ring + leaf % rings if leaf >= 0 else depth, []).append((angle, extent))
    radii: list[float] = []
    previous, previous_half = 0.0, root_extent / 2
    for depth in range(1, max(by_ring, default=0) + 1):
        boxes = by_ring.get(depth, [])
        half = max((extent for _, extent in boxes), default=0.0) / 2
        radius = previous + previous_half + half + RING_MARGIN
        for (angle, extent), (other_angle, other_extent) in zip(boxes, boxes[1:] + boxes[:1]):
            apart = (other_angle - angle) % (2 * math.pi) or 2 * math.pi
            radius = max(radius, ((extent + other_extent) / 2 + GAP) / apart)
        radii.append(round(radius, 2))
        previous, previous_half = radius, half
    return radii


def mindmap_dot(model: Model, figures: Figures | None = None) -> str:
    """The mind map as DOT (``twopi`` engine)."""
    root = _Tree(model, figures).root
    places = _places(root)
    outer = max((depth for depth, _, _, leaf in places if leaf >= 0), default=1)
    # more rings pay when the leaves' ring is set by its circumference
    radii, rings = min(((ring_radii(places, root.extent, outer, rings), rings) for rings in STAGGER),
                       key=lambda item: (item[0][-1] if item[0] else 0.0, item[1]))
    _reach(root, outer, rings)
    gaps = [radii[0]] + [round(b - a, 2) for a, b in zip(radii, radii[1:])] if radii else [1.0]
    g = Graph(f"{model.id}_mindmap")
    g.defaults("graph", id="mindmap", layout="twopi", root="journey", ranksep=":".join(f"{x:g}" for x in gaps),
               splines=False, overlap=True, fontname=FONT, pad=0.3, bgcolor="white", outputorder="edgesfirst")
    g.defaults("node", fontname=FONT, fontcolor=INK)
    g.defaults("edge", color="#afb8c1", penwidth=1.0, arrowhead="none")
    for node in _walk(root):
        g.node(node.id, **node.attrs)
    for node in _walk(root):
        for child in node.children:
            g.edge(node.id, child.id, id=f"mindmap_edge_{child.id}", **child.edge)
    return g.source()
