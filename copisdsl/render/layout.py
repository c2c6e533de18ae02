"""Positions from a Graphviz layout (``-Tjson0``), and moving them.

The journey view is laid out by ``dot`` without its loops, then drawn by
``neato -n2`` from these positions with the loops added (see ``loops``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass
class Box:
    """A node: centre and size in points."""

    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> Point:
        return self.x, self.y

    @property
    def bottom(self) -> float:
        return self.y - self.height / 2

    @property
    def top(self) -> float:
        return self.y + self.height / 2


@dataclass
class Layout:
    """What pass two needs: boxes of nodes and clusters, edge splines and
    label positions, the drawing's bounding box."""

    bb: tuple[float, float, float, float]
    label_pos: Point | None = None
    clusters: dict[str, tuple[tuple[float, float, float, float], Point | None]] = field(default_factory=dict)
    nodes: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, tuple[str, Point | None]] = field(default_factory=dict)  # id -> (pos, label pos)

    def shift(self, dy: float) -> None:
        """Move everything up by ``dy`` points and grow the box below."""
        if dy == 0:
            return
        llx, lly, urx, ury = self.bb
        self.bb = (llx, lly, urx, ury + dy)
        self.label_pos = _up(self.label_pos, dy)
        self.clusters = {name: ((a, b + dy, c, d + dy), _up(lp, dy))
                         for name, ((a, b, c, d), lp) in self.clusters.items()}
        for box in self.nodes.values():
            box.y += dy
        self.edges = {eid: (shift_spline(pos, dy), _up(lp, dy)) for eid, (pos, lp) in self.edges.items()}


def _up(point: Point | None, dy: float) -> Point | None:
    return None if point is None else (point[0], point[1] + dy)


def _point(text: str | None) -> Point | None:
    if not text:
        return None
    x, y = text.split(",")[:2]
    return float(x), float(y)


def _bb(text: str) -> tuple[float, float, float, float]:
    a, b, c, d = (float(v) for v in text.split(","))
    return a, b, c, d


def shift_spline(pos: str, dy: float) -> str:
    """A Graphviz spline (``e,x,y x,y ...``) moved up by ``dy``."""
    out = []
    for token in pos.split():
        parts = token.split(",")
        if parts[0] in ("e", "s"):
            out.append(f"{parts[0]},{fmt(float(parts[1]))},{fmt(float(parts[2]) + dy)}")
        else:
            out.append(f"{fmt(float(parts[0]))},{fmt(float(parts[1]) + dy)}")
    return " ".join(out)


def fmt(value: float) -> str:
    """A coordinate as Graphviz writes it: at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def read_layout(data: bytes) -> Layout:
    """The positions in ``dot -Tjson0`` output."""
    doc = json.loads(data)
    layout = Layout(_bb(doc["bb"]), _point(doc.get("lp")))
    names: dict[int, str] = {}
    for obj in doc.get("objects", []):
        if "nodes" in obj or obj.get("name", "").startswith("cluster"):
            if "bb" in obj:
                layout.clusters[obj["name"]] = (_bb(obj["bb"]), _point(obj.get("lp")))
            continue
        names[obj["_gvid"]] = obj["name"]
        x, y = _point(obj["pos"]) or (0.0, 0.0)
        layout.nodes[obj["name"]] = Box(x, y, float(obj["width"]) * 72, float(obj["height"]) * 72)
    for edge in doc.get("edges", []):
        if "id" in edge and "pos" in edge:
            layout.edges[edge["id"]] = (edge["pos"], _point(edge.get("lp")))
    return layout
