"""Routing the journey's flows along the grid's channels and corridors.

Graphviz routes a back edge through every rank it spans (on a 1,000-card
journey that took 7-8 s, and crashed ``dot`` 2.43 outright), and its
routes cross cards. Here every flow is drawn by hand, as orthogonal lines
with rounded corners that keep to the free space of ``layout``'s grid:

- a flow leaves a card by a side: forward steps leave on the right and
  enter on the left, loops (back edges) leave on the left and enter on the
  right, so a loop reads right to left;
- it runs vertically in the channel beside the card and, to reach another
  column, horizontally in the corridor next to the card's row;
- a step to the next card of a column, a labelled step within a row and a
  loop on one card run under the card instead, through the corridor below;
- flows sharing a channel or corridor take tracks of their own (interval
  colouring), and the channels and corridors widen to hold them; a label
  sits under its flow's track in the corridor, which makes room for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from copisdsl.render.layout import Grid, Placed, Point, fmt, place

ARROW = 7.0  # arrowsize 0.7
CORNER = 8.0
LABEL_LINE = 12.0  # a line of a label (10 pt text)
LABEL_CHAR = 5.6  # points per character of a label
SIDE_END = 10.0  # ports keep this far from a card's corners


@dataclass
class Flow:
    """A flow step to draw: its end nodes, whether it is a loop, and its
    label's lines (none: no label)."""

    source: str
    target: str
    back: bool
    label: list[str]


@dataclass
class Routed:
    """A drawn flow: Graphviz ``pos`` and label position (Graphviz
    coordinates), and the polyline it follows (y down), for tests."""

    pos: str
    label_pos: Point | None
    points: list[Point]


@dataclass
class _Plan:
    kind: str  # "side" (through a channel) or "under" (through a corridor, top and bottom ports)
    out_side: str
    in_side: str
    out_channel: int = -1
    in_channel: int = -1
    corridor: int = -1  # -1: none
    out_port: float = 0.0  # offset along the card's side, points
    in_port: float = 0.0
    v_tracks: tuple[int, ...] = ()
    h_track: int = -1


def _plan(grid: Grid, flow: Flow) -> _Plan:
    s, t = grid.cells[flow.source], grid.cells[flow.target]
    labelled = bool(flow.label)
    below = s.row + 1
    toward = s.row + 1 if t.row > s.row else s.row  # the corridor next to the source, toward the target
    if flow.source == flow.target or (s.row == t.row and labelled):
        return _Plan("under", "bottom", "bottom", corridor=below)
    if not flow.back and s.column == t.column and t.row == s.row + 1:
        return _Plan("under", "bottom", "top", corridor=below)
    if s.column == t.column:
        channel = s.column if flow.back else s.column + 1
        side = "left" if flow.back else "right"
        return _Plan("side", side, side, channel, channel, toward if labelled else -1)
    if t.column > s.column:
        out_channel, in_channel, out_side, in_side = s.column + 1, t.column, "right", "left"
    else:
        out_channel, in_channel, out_side, in_side = s.column, t.column + 1, "left", "right"
    if s.row == t.row:
        toward = below
    corridor = toward if out_channel != in_channel or labelled else -1
    return _Plan("side", out_side, in_side, out_channel, in_channel, corridor)


def _colour(intervals: list[tuple[float, float]]) -> tuple[list[int], int]:
    """A track per interval such that overlapping intervals never share
    one (greedy by start: the fewest tracks); and the number of tracks."""
    order = sorted(range(len(intervals)), key=lambda i: (intervals[i][0], intervals[i][1], i))
    ends: list[float] = []
    result = [0] * len(intervals)
    for i in order:
        lo, hi = intervals[i]
        for k, end in enumerate(ends):
            if end < lo:
                ends[k] = hi
                result[i] = k
                break
        else:
            ends.append(hi)
            result[i] = len(ends) - 1
    return result, len(ends)


class _Abstract:
    """Grid positions as numbers in the order of the drawing: channel ``k``
    is x = 2k, column ``c`` spans 2c .. 2c + 2; corridor ``k`` is y = 2k,
    row ``r`` spans 2r .. 2r + 2."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid

    def y(self, node: str, offset: float) -> float:
        row = self.grid.cells[node].row
        return 2 * row + 0.05 + 1.9 * offset / max(self.grid.heights[row], 1.0)

    def x(self, node: str, offset: float) -> float:
        column = self.grid.cells[node].column
        width = max(self.grid.widths[column], 1.0)
        left = (width - self.grid.sizes[node][0]) / 2
        return 2 * column + 0.05 + 1.9 * (left + offset) / width

    def span(self, points: float) -> float:
        widths = self.grid.widths or [1.0]
        return 2 * points / max(sum(widths) / len(widths), 1.0)


def _label_size(lines: list[str]) -> tuple[float, float]:
    return max(len(line) for line in lines) * LABEL_CHAR + 8, LABEL_LINE * len(lines) + 4


def _ports(grid: Grid, flows: list[Flow], plans: list[_Plan]) -> None:
    """Spread the flows that share a side of a card along it, ordered by
    where they go so that they do not cross at the card."""
    ab = _Abstract(grid)
    sides: dict[tuple[str, str], list[tuple[float, int, bool]]] = {}
    for i, (flow, plan) in enumerate(zip(flows, plans)):
        for node, side, other, is_out in ((flow.source, plan.out_side, flow.target, True),
                                          (flow.target, plan.in_side, flow.source, False)):
            if side in ("left", "right"):
                goes = 2 * plan.corridor if plan.corridor >= 0 and plan.out_channel != plan.in_channel \
                    else ab.y(other, grid.sizes[other][1] / 2)
            else:
                goes = ab.x(other, grid.sizes[other][0] / 2)
                if flow.source == flow.target:
                    goes += 0.01 if is_out else -0.01
            sides.setdefault((node, side), []).append((goes, i, is_out))
    for (node, side), ends in sides.items():
        w, h = grid.sizes[node]
        length = h if side in ("left", "right") else w
        ends.sort()
        for k, (_, i, is_out) in enumerate(ends):
            offset = length * (k + 1) / (len(ends) + 1)
            offset = min(max(offset, min(SIDE_END, length / 2)), length - min(SIDE_END, length / 2))
            if is_out:
                plans[i].out_port = offset
            else:
                plans[i].in_port = offset


def route(grid: Grid, flows: list[Flow], top: float, header: float) -> tuple[Placed, list[Routed]]:
    """Place the grid with room for ``flows`` and route them; the flows in
    order."""
    plans = [_plan(grid, flow) for flow in flows]
    _ports(grid, flows, plans)
    ab = _Abstract(grid)
    vertical: dict[int, list[tuple[int, float, float]]] = {}
    horizontal: dict[int, list[tuple[int, float, float, float]]] = {}
    for i, (flow, plan) in enumerate(zip(flows, plans)):
        sy = ab.y(flow.source, plan.out_port)
        ty = ab.y(flow.target, plan.in_port)
        band = _label_size(flow.label)[1] if flow.label else 0.0
        reach = ab.span(_label_size(flow.label)[0]) if flow.label else 0.0
        if plan.kind == "under":
            sx, tx = ab.x(flow.source, plan.out_port), ab.x(flow.target, plan.in_port)
            if flow.label or abs(sx - tx) > 1e-9:
                lo, hi = min(sx, tx), max(sx, tx)
                middle = (lo + hi) / 2
                horizontal.setdefault(plan.corridor, []).append(
                    (i, min(lo, middle - reach / 2), max(hi, middle + reach / 2), band))
            continue
        cy = 2.0 * plan.corridor
        if plan.out_channel == plan.in_channel:
            vertical.setdefault(plan.out_channel, []).append((i, min(sy, ty), max(sy, ty)))
            if flow.label:
                x = 2.0 * plan.out_channel
                horizontal.setdefault(plan.corridor, []).append((i, x - reach, x + reach, band))
            continue
        vertical.setdefault(plan.out_channel, []).append((i, min(sy, cy), max(sy, cy)))
        vertical.setdefault(plan.in_channel, []).append((i, min(ty, cy), max(ty, cy)))
        x1, x2 = 2.0 * plan.out_channel, 2.0 * plan.in_channel
        lo, hi = min(x1, x2), max(x1, x2)
        middle = (lo + hi) / 2
        horizontal.setdefault(plan.corridor, []).append(
            (i, min(lo, middle - reach / 2), max(hi, middle + reach / 2), band))
    channel_use = [0] * (grid.columns + 1)
    track_of: dict[tuple[int, int], int] = {}  # (channel, flow) -> track
    for channel, segments in vertical.items():
        tracks, count = _colour([(lo, hi) for _, lo, hi in segments])
        channel_use[channel] = count
        for (i, _, _), track in zip(segments, tracks):
            track_of[channel, i] = track
    bands: list[list[float]] = [[] for _ in range(grid.rows + 1)]
    for corridor, segments in horizontal.items():
        tracks, count = _colour([(lo, hi) for _, lo, hi, _ in segments])
        bands[corridor] = [0.0] * count
        for (i, _, _, band), track in zip(segments, tracks):
            bands[corridor][track] = max(bands[corridor][track], band)
            plans[i].h_track = track
    placed = place(grid, channel_use, bands, top, header)
    routed = []
    for i, (flow, plan) in enumerate(zip(flows, plans)):
        start = _port(placed, flow.source, plan.out_side, plan.out_port)
        end = _port(placed, flow.target, plan.in_side, plan.in_port)
        label_at = None
        if plan.kind == "under":
            y = placed.corridor_tracks[plan.corridor][plan.h_track] if plan.h_track >= 0 else start[1]
            points = [start, (start[0], y), (end[0], y), end]
            label_at = ((start[0] + end[0]) / 2, y)
        else:
            x1 = placed.channel_tracks[plan.out_channel][track_of[plan.out_channel, i]]
            x2 = placed.channel_tracks[plan.in_channel][track_of[plan.in_channel, i]]
            if plan.out_channel == plan.in_channel:
                points = [start, (x1, start[1]), (x1, end[1]), end]
                if flow.label:
                    y = placed.corridor_tracks[plan.corridor][plan.h_track]
                    width = _label_size(flow.label)[0]
                    side = 1 if x1 + 4 + width < placed.width else -1
                    label_at = (x1 + side * (4 + width / 2), y - LABEL_LINE / 2)
            else:
                y = placed.corridor_tracks[plan.corridor][plan.h_track]
                points = [start, (x1, start[1]), (x1, y), (x2, y), (x2, end[1]), end]
                label_at = ((x1 + x2) / 2, y)
        label_pos = None
        if flow.label and label_at is not None:
            height = _label_size(flow.label)[1]
            label_pos = placed.gv((label_at[0], label_at[1] + 2 + height / 2))
        points = _simplify(points)
        routed.append(Routed(_spline(placed, points), label_pos, points))
    return placed, routed


def _port(placed: Placed, node: str, side: str, offset: float) -> Point:
    box = placed.boxes[node]
    if side == "left":
        return box.left, box.top + offset
    if side == "right":
        return box.right, box.top + offset
    if side == "top":
        return box.left + offset, box.top
    return box.left + offset, box.bottom


def _simplify(points: list[Point]) -> list[Point]:
    """Without repeated points and without points in the middle of a
    straight run."""
    out: list[Point] = []
    for p in points:
        if out and abs(p[0] - out[-1][0]) < 1e-6 and abs(p[1] - out[-1][1]) < 1e-6:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            if (abs(a[0] - b[0]) < 1e-6 and abs(b[0] - p[0]) < 1e-6) or \
                    (abs(a[1] - b[1]) < 1e-6 and abs(b[1] - p[1]) < 1e-6):
                out[-1] = p
                continue
        out.append(p)
    return out


def _toward(a: Point, b: Point, distance: float) -> Point:
    length = abs(b[0] - a[0]) + abs(b[1] - a[1])  # legs are horizontal or vertical
    if length == 0:
        return a
    k = distance / length
    return a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k


def _spline(placed: Placed, points: list[Point]) -> str:
    """Graphviz ``pos`` of the polyline with rounded corners, ending an
    arrow's length before the last point (the arrowhead fills the rest)."""
    end = points[-1]
    last_leg = abs(end[0] - points[-2][0]) + abs(end[1] - points[-2][1])
    tip = _toward(end, points[-2], min(ARROW, last_leg / 2))
    legs = points[:-1] + [tip]
    curve = [legs[0]]
    current = legs[0]
    for k in range(1, len(legs) - 1):
        before, corner, after = legs[k - 1], legs[k], legs[k + 1]
        radius = min(CORNER, _length(before, corner) / 2, _length(corner, after) / 2)
        a, b = _toward(corner, before, radius), _toward(corner, after, radius)
        curve += _line(current, a) + _corner(a, corner, b)
        current = b
    curve += _line(current, legs[-1])
    flat = [placed.gv(p) for p in curve]
    e = placed.gv(end)
    return " ".join([f"e,{fmt(e[0])},{fmt(e[1])}"] + [f"{fmt(x)},{fmt(y)}" for x, y in flat])


def _length(a: Point, b: Point) -> float:
    return abs(b[0] - a[0]) + abs(b[1] - a[1])


def _line(a: Point, b: Point) -> list[Point]:
    return [((2 * a[0] + b[0]) / 3, (2 * a[1] + b[1]) / 3), ((a[0] + 2 * b[0]) / 3, (a[1] + 2 * b[1]) / 3), b]


def _corner(a: Point, corner: Point, b: Point) -> list[Point]:
    k = 0.55
    return [(a[0] + (corner[0] - a[0]) * k, a[1] + (corner[1] - a[1]) * k),
            (b[0] + (corner[0] - b[0]) * k, b[1] + (corner[1] - b[1]) * k), b]
