"""Routing the journey's loops (flows back to an earlier touchpoint).

Graphviz routes a back edge through every rank it spans; on a 1,000-card
journey that took 7-8 s, and crashed ``dot`` 2.43 outright. Here the loops
are drawn by hand instead, as an arc diagram under the stages: each loop
leaves the bottom of its source card, runs left in a lane of its own below
the stages and enters the bottom of its target card. Shorter loops take
the lanes nearer the cards, so loops nest instead of crossing.
"""

from __future__ import annotations

from dataclasses import dataclass

from copisdsl.render.layout import Layout, Point, fmt

FIRST_LANE = 18.0  # points below the lowest stage
LANE_GAP = 12.0
LABEL_LINE = 12.0  # a line of a loop's label (10 pt text), which sits under its lane
ARROW = 7.0  # arrowsize 0.7
CORNER = 10.0
SPREAD = 8.0  # between loops that share a card


@dataclass
class Loop:
    """A routed loop: Graphviz ``pos`` and label position."""

    pos: str
    label_pos: Point


def _line(a: Point, b: Point) -> list[Point]:
    return [((2 * a[0] + b[0]) / 3, (2 * a[1] + b[1]) / 3), ((a[0] + 2 * b[0]) / 3, (a[1] + 2 * b[1]) / 3), b]


def _corner(a: Point, corner: Point, b: Point) -> list[Point]:
    k = 0.55
    return [(a[0] + (corner[0] - a[0]) * k, a[1] + (corner[1] - a[1]) * k),
            (b[0] + (corner[0] - b[0]) * k, b[1] + (corner[1] - b[1]) * k), b]


def _spline(points: list[Point], end: Point) -> str:
    return " ".join([f"e,{fmt(end[0])},{fmt(end[1])}"] + [f"{fmt(x)},{fmt(y)}" for x, y in points])


def assign_lanes(spans: list[tuple[float, float]]) -> list[int]:
    """A lane per span (left, right): the nearest lane where it overlaps no
    other, shorter spans first."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][1] - spans[i][0], spans[i][0], i))
    lanes: list[list[tuple[float, float]]] = []
    result = [0] * len(spans)
    for i in order:
        left, right = spans[i]
        for k, taken in enumerate(lanes):
            if all(right + 8 < a or left - 8 > b for a, b in taken):
                taken.append((left, right))
                result[i] = k
                break
        else:
            lanes.append([(left, right)])
            result[i] = len(lanes) - 1
    return result


def route(layout: Layout, loops: list[tuple[str, str, int]]) -> list[Loop]:
    """Route ``(source node, target node, lines of its label)`` loops;
    moves the layout up to make room below and returns the loops in order."""
    if not loops:
        return []
    ends = []
    for source, target, _ in loops:
        s, t = layout.nodes[source], layout.nodes[target]
        ends.append(((s.x + min(s.width / 4, 40), s.bottom), (t.x - min(t.width / 4, 40), t.bottom)))
    lanes = assign_lanes([(min(a[0], b[0]), max(a[0], b[0])) for a, b in ends])
    # Several loops at one card leave (enter) it side by side, outer lanes
    # further out, so that they nest instead of crossing.
    for end, side, sign in ((0, 0, 1), (1, 1, -1)):
        by_node: dict[str, list[int]] = {}
        for i, loop in enumerate(loops):
            by_node.setdefault(loop[side], []).append(i)
        for members in by_node.values():
            for k, i in enumerate(sorted(members, key=lambda i: (lanes[i], i))):
                x, y = ends[i][end]
                moved = (x + sign * k * SPREAD, y)
                ends[i] = (moved, ends[i][1]) if end == 0 else (ends[i][0], moved)
    label_lines = max(lines for *_, lines in loops)
    gap = LANE_GAP + 4 + LABEL_LINE * label_lines if label_lines else LANE_GAP
    floor = min([c[0][1] for c in layout.clusters.values()] + [b.bottom for b in layout.nodes.values()])
    lowest = floor - FIRST_LANE - max(lanes) * gap - (gap if label_lines else 0) - 8
    lift = max(0.0, layout.bb[1] - lowest)
    layout.shift(lift)
    routed = []
    for (start, end), lane, (*_, lines) in zip(ends, lanes, loops):
        start, end = (start[0], start[1] + lift), (end[0], end[1] + lift)
        y = floor + lift - FIRST_LANE - lane * gap
        routed.append(Loop(_path(start, end, y), ((start[0] + end[0]) / 2, y - 4 - LABEL_LINE * max(lines, 1) / 2)))
    return routed


def _path(start: Point, end: Point, y: float) -> str:
    sx, sy = start
    ex, ey = end
    step = -1 if ex < sx else 1
    r = min(CORNER, abs(sx - ex) / 2 or CORNER, (sy - y) / 2, (ey - ARROW - y) / 2)
    a = (sx, y + r)
    b = (sx + step * r, y)
    c = (ex - step * r, y)
    d = (ex, y + r)
    tip = (ex, ey - ARROW)
    points = [start] + _line(start, a) + _corner(a, (sx, y), b) + _line(b, c) + _corner(c, (ex, y), d) + _line(d, tip)
    return _spline(points, (ex, ey))
