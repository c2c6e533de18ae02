"""Placing the journey view's cards: stage columns on a grid.

Graphviz measures the cards (``dot -Tjson0`` of the cards alone); the
places are computed here. Every stage is a column of cards in declaration
order (so removing a card never moves the others), wrapped into several
columns when it is long; all columns share the rows, chosen so that the
picture stays about 8:5. Between the columns run vertical *channels* and
between the rows horizontal *corridors*: no card is in either, so flows
routed along them (``loops``) never cross a card.

Coordinates are points, y growing downwards; ``Placed.graphviz`` flips them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

Point = tuple[float, float]

TARGET_ASPECT = 1.6  # width : height the rows are chosen for
MARGIN = 12.0  # stage box to its cards
STAGE_GAP = 16.0  # between two stage boxes, when no flow runs there
INNER_GAP = 22.0  # between two columns of one stage
ROW_GAP = 22.0  # between two rows of cards
TRACK = 8.0  # between two flows side by side
PAD = 12.0  # a channel's or corridor's outer tracks to its edges


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
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2


@dataclass
class Cell:
    """Where a card sits: its column and row on the grid."""

    column: int
    row: int


@dataclass
class Grid:
    """The grid before coordinates: cells of the cards, the stages'
    columns, and each column's and row's size."""

    cells: dict[str, Cell]
    stage_columns: list[tuple[str, int, int]]  # cluster, first column, last column
    sizes: dict[str, tuple[float, float]]
    widths: list[float]
    heights: list[float]

    @property
    def columns(self) -> int:
        return len(self.widths)

    @property
    def rows(self) -> int:
        return len(self.heights)

    def boundary(self, channel: int) -> bool:
        """Whether ``channel`` (0 .. columns) runs between two stages or
        outside them, rather than between two columns of one stage."""
        return any(channel in (first, last + 1) for _, first, last in self.stage_columns)


@dataclass
class Placed:
    """The grid with coordinates: card boxes, stage boxes, the x of each
    channel's tracks and the y of each corridor's tracks."""

    grid: Grid
    header: float  # height of the stage titles
    top: float  # where the stage boxes start (below the journey's title)
    boxes: dict[str, Box] = field(default_factory=dict)
    stages: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)  # left, top, right, bottom
    channel_tracks: list[list[float]] = field(default_factory=list)
    corridor_tracks: list[list[float]] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0

    def gv(self, point: Point) -> Point:
        """A point in Graphviz's coordinates (y up)."""
        return point[0], self.height - point[1]


def read_sizes(data: bytes) -> dict[str, tuple[float, float]]:
    """(width, height) in points of every node in ``dot -Tjson0`` output."""
    doc = json.loads(data)
    return {obj["name"]: (float(obj["width"]) * 72, float(obj["height"]) * 72)
            for obj in doc.get("objects", []) if "width" in obj and "nodes" not in obj}


def choose_rows(stage_sizes: list[int], card: tuple[float, float]) -> int:
    """The number of rows that brings the picture nearest ``TARGET_ASPECT``
    (fewer rows on a tie): ``stage_sizes`` cards per stage, ``card`` a
    typical card's (width, height)."""
    longest = max(stage_sizes, default=1) or 1
    width, height = card[0] + 2 * MARGIN + STAGE_GAP, card[1] + ROW_GAP
    best, best_cost = 1, math.inf
    for rows in range(1, longest + 1):
        columns = sum(max(1, math.ceil(n / rows)) for n in stage_sizes)
        aspect = columns * width / (rows * height + 60)
        cost = abs(math.log(aspect / TARGET_ASPECT))
        if cost < best_cost - 1e-9:
            best, best_cost = rows, cost
    return best


def make_grid(stages: list[tuple[str, list[str]]], sizes: dict[str, tuple[float, float]]) -> Grid:
    """Cells for ``(cluster, [node ...])`` stages: each stage's nodes fill
    its columns top to bottom, left to right."""
    ordered = [sizes[node] for _, nodes in stages for node in nodes]
    typical = (max((w for w, _ in ordered), default=100.0),
               sorted(h for _, h in ordered)[len(ordered) // 2] if ordered else 60.0)
    rows = choose_rows([len(nodes) for _, nodes in stages], typical)
    cells: dict[str, Cell] = {}
    stage_columns = []
    column = 0
    for cluster, nodes in stages:
        used = max(1, math.ceil(len(nodes) / rows))
        stage_columns.append((cluster, column, column + used - 1))
        for k, node in enumerate(nodes):
            cells[node] = Cell(column + k // rows, k % rows)
        column += used
    widths = [0.0] * column
    heights = [0.0] * min(rows, max((c.row + 1 for c in cells.values()), default=1))
    for node, cell in cells.items():
        w, h = sizes[node]
        widths[cell.column] = max(widths[cell.column], w)
        heights[cell.row] = max(heights[cell.row], h)
    return Grid(cells, stage_columns, sizes, widths, heights)


def _tracks(start: float, count: int) -> list[float]:
    return [start + PAD + k * TRACK for k in range(count)]


def place(grid: Grid, channel_use: list[int], corridor_bands: list[list[float]], top: float,
          header: float) -> Placed:
    """Coordinates for ``grid`` when channel ``k`` holds ``channel_use[k]``
    tracks and corridor ``k`` (above row ``k``; the last one below the last
    row) holds one track per entry of ``corridor_bands[k]``, each with room
    below it of that many points (for a label)."""
    out = Placed(grid, header, top)
    firsts = {first for _, first, _ in grid.stage_columns}
    lasts = {last for _, _, last in grid.stage_columns}
    x = 0.0
    column_left: list[float] = []
    for k in range(grid.columns + 1):
        used = channel_use[k]
        free = 2 * PAD + (used - 1) * TRACK if used else 0.0
        if k - 1 in lasts:  # inside the stage on the left
            x += MARGIN
        if grid.boundary(k):
            if 0 < k < grid.columns:
                free = max(free, STAGE_GAP)
        else:
            free = max(free, INNER_GAP)
        out.channel_tracks.append([x + free / 2 + (t - (used - 1) / 2) * TRACK for t in range(used)])
        x += free
        if k in firsts:
            x += MARGIN
        if k < grid.columns:
            column_left.append(x)
            x += grid.widths[k]
    out.width = x
    y = top + header
    row_top: list[float] = []
    for k in range(grid.rows + 1):
        bands = corridor_bands[k]
        tracks = []
        inner = PAD if bands else 0.0
        for band in bands:
            tracks.append(y + inner)
            inner += band + TRACK
        height = inner - TRACK + PAD if bands else 0.0
        least = ROW_GAP if 0 < k < grid.rows else 4.0
        shift = max(0.0, (least - height) / 2)
        out.corridor_tracks.append([t + shift for t in tracks])
        y += max(height, least)
        if k < grid.rows:
            row_top.append(y)
            y += grid.heights[k]
    bottom = y + MARGIN / 2
    out.height = bottom
    for node, cell in grid.cells.items():
        w, h = grid.sizes[node]
        left = column_left[cell.column] + (grid.widths[cell.column] - w) / 2
        out.boxes[node] = Box(left + w / 2, row_top[cell.row] + h / 2, w, h)
    for cluster, first, last in grid.stage_columns:
        out.stages[cluster] = (column_left[first] - MARGIN, top,
                               column_left[last] + grid.widths[last] + MARGIN, bottom)
    return out


def fmt(value: float) -> str:
    """A coordinate as Graphviz writes it: at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
