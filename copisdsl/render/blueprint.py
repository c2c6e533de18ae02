"""The blueprint view: the service blueprint of a journey (reference §11).

Touchpoints are columns, grouped under their stages; the lanes are rows,
top to bottom: evidence, customer actions (the touchpoint's title and its
framework's `process` element), frontstage, backstage and support, with the
line of interaction, the line of visibility and the line of internal
interaction between them (Shostack; Bitner, Ostrom & Morgan). Arrows join
the cells of a column across the lines, and the customer actions in flow
order; fail points are marked on the customer action.

At most ``PER_BAND`` touchpoints sit side by side; more wrap into bands
below, so that the drawing never grows wider than the map.
"""

from __future__ import annotations

from dataclasses import dataclass

from copisdsl.data.figures import Figures
from copisdsl.semantic.model import Model, Stage, Touchpoint
from copisdsl.render.dot import INK, LINE, MUTED, PANEL
from copisdsl.render.lanes import MIN_FONT, PILL_ROW, Canvas, fit, font, height, pills, row
from copisdsl.render.map import FAIL, numbers

PER_BAND = 6  # touchpoints side by side
LABEL_W = 90.0
MIN_COL, MAX_COL = 128.0, 200.0
WIDTH_BUDGET = 768.0  # with the lane names, no wider than the map
PAD, INSET, GAP = 6.0, 5.0, 26.0  # column padding, box padding, the gap a line of the blueprint runs in
TITLE_SIZE, HEAD_SIZE, ACTION_SIZE = 15, 11, 10
LANES = (("evidence", "Evidence"), ("customer", "Customer actions"), ("frontstage", "Frontstage"),
         ("backstage", "Backstage"), ("support", "Support"))
# the line drawn above each lane, with its name
LINES = {"frontstage": "line of interaction", "backstage": "line of visibility",
         "support": "line of internal interaction"}
FILLS = {"evidence": "#fff8c5", "customer": "white", "frontstage": "#ddf4ff", "backstage": "#eef1f4",
         "support": "#fbefff"}
FAIL_TINT = "#ffebe9"


@dataclass
class Cell:
    cells: str
    used: float  # the content's height
    fill: str
    border: str = LINE

    @property
    def height(self) -> float:
        return self.used + 2 * INSET + 2


def _items(values: list[str], width: float) -> Cell | None:
    if not values:
        return None
    rows, used = [], 0.0
    for k, value in enumerate(values):
        lines = fit(value, width, MIN_FONT, max_lines=5)
        rows.append(row(font(lines, MIN_FONT), pad_top=3 if k else 0))
        used += height(len(lines), MIN_FONT) + (3 if k else 0)
    return Cell("".join(rows), used, "")


def _action(model: Model, tp: Touchpoint, number: int, width: float) -> Cell:
    title = fit(f"{number} · {tp.title}", width, ACTION_SIZE, bold=True, max_lines=3)
    rows = [row(font(title, ACTION_SIZE, bold=True))]
    used = height(len(title), ACTION_SIZE)
    steps = [v.text for v in tp.elements.get("process", [])] if "process" in model.framework.keys else []
    for step in steps:
        lines = fit(step, width, MIN_FONT, max_lines=3)
        rows.append(row(font(lines, MIN_FONT, MUTED), pad_top=2))
        used += height(len(lines), MIN_FONT) + 2
    if tp.fail_point is not None:
        pill_rows, count = pills([("Fail point", FAIL)], width)
        rows += pill_rows
        used += count * PILL_ROW
        if isinstance(tp.fail_point, str):
            lines = fit(tp.fail_point, width, MIN_FONT, max_lines=4)
            rows.append(row(font(lines, MIN_FONT, FAIL)))
            used += height(len(lines), MIN_FONT)
    return Cell("".join(rows), used, FAIL_TINT if tp.fail_point is not None else "white",
                FAIL if tp.fail_point is not None else LINE)


def _column(model: Model, tp: Touchpoint, number: int, width: float) -> dict[str, Cell | None]:
    inner = width - 2 * INSET - 2 - 6  # box padding, border, room for the width estimate
    out: dict[str, Cell | None] = {"customer": _action(model, tp, number, inner)}
    for key in ("evidence", "frontstage", "backstage", "support"):
        cell = _items(getattr(tp, key), inner)
        if cell is not None:
            cell.fill = FILLS[key]
        out[key] = cell
    return out


def blueprint_dot(model: Model, figures: Figures | None = None) -> str:
    """The blueprint view as DOT for ``neato -n2`` (every position fixed)."""
    nums = numbers(model)
    tps = [tp for stage in model.stages for tp in stage.touchpoints]
    shown = min(len(tps), PER_BAND) or 1
    col = max(MIN_COL, min(MAX_COL, WIDTH_BUDGET // shown))
    width = LABEL_W + shown * col
    box = col - 2 * PAD
    bands = [tps[k:k + PER_BAND] for k in range(0, len(tps), PER_BAND)]
    columns = {tp.id: _column(model, tp, nums[tp.id], box) for tp in tps}
    title = fit(f"Service blueprint: {model.title}", width, TITLE_SIZE, bold=True, max_lines=3)
    title_h = height(len(title), TITLE_SIZE) + 10
    head_h = height(2, HEAD_SIZE) + 2 * PAD
    heights = [{key: max([c.height for tp in band if (c := columns[tp.id][key]) is not None], default=20.0)
                + 2 * PAD for key, _ in LANES} for band in bands]
    total = title_h + sum(head_h + sum(h.values()) + GAP * len(LINES) + 18 for h in heights)
    if not bands:
        total += height(1, MIN_FONT)
    canvas = Canvas(model.id, "blueprint", width, total)
    canvas.block("blueprint_title", 0, 0, width, title_h, row(font(title, TITLE_SIZE, bold=True)), title_h - 10)
    if not bands:
        canvas.block("blueprint_empty", 0, title_h, width, height(1, MIN_FONT),
                     row(f'<FONT POINT-SIZE="{MIN_FONT}" COLOR="{MUTED}"><I>no touchpoints</I></FONT>'),
                     height(1, MIN_FONT))
    y = title_h
    for b, (band, lane_h) in enumerate(zip(bands, heights), 1):
        y = _band(canvas, model, b, band, columns, lane_h, col, head_h, y) + 18
    return canvas.source()


def _stage_runs(model: Model, band: list[Touchpoint]) -> list[tuple[Stage, int, int]]:
    """(stage, first column, count) for each stage's run of columns."""
    runs: list[tuple[Stage, int, int]] = []
    for k, tp in enumerate(band):
        if runs and runs[-1][0].id == tp.stage:
            stage, first, count = runs[-1]
            runs[-1] = (stage, first, count + 1)
        else:
            runs.append((model.stage(tp.stage), k, 1))
    return runs


def _band(canvas: Canvas, model: Model, b: int, band: list[Touchpoint], columns: dict, lane_h: dict,
          col: float, head_h: float, top: float) -> float:
    right = LABEL_W + len(band) * col
    body_h = sum(lane_h.values()) + GAP * len(LINES)
    for n, (stage, first, count) in enumerate(_stage_runs(model, band)):
        x, w = LABEL_W + first * col, count * col
        if n % 2 == 0:
            canvas.panel(f"blueprint_stage_{b}_{stage.id}", x, top, w, head_h + body_h, PANEL)
        continued = first == 0 and b > 1 and stage.touchpoints[0].id != band[0].id
        title = fit(stage.title + (" (continued)" if continued else ""), w - 2 * PAD - 6, HEAD_SIZE,
                    bold=True, max_lines=2)
        canvas.block(f"blueprint_head_{b}_{stage.id}", x + PAD, top + PAD, w - 2 * PAD, head_h - 2 * PAD,
                     row(font(title, HEAD_SIZE, bold=True)), height(len(title), HEAD_SIZE))
    y = top + head_h
    anchors: dict[str, list[tuple[float, float, float, str]]] = {tp.id: [] for tp in band}
    for key, label in LANES:
        if key in LINES:
            canvas.rule(f"blueprint_line_{b}_{key}", 0, right, y + GAP - 6, MUTED, width=1.2, dashed=True)
            words = fit(LINES[key], right - 8, MIN_FONT)[:1]
            canvas.block(f"blueprint_line_label_{b}_{key}", 0, y + 2, right, GAP - 9,
                         f'<TR><TD ALIGN="LEFT"><I>{font(words, MIN_FONT, MUTED)}</I></TD></TR>',
                         height(1, MIN_FONT))
            y += GAP
        lines = fit(label, LABEL_W - 12, MIN_FONT + 1, bold=True)
        canvas.block(f"blueprint_lane_{b}_{key}", 0, y, LABEL_W - 4, lane_h[key],
                     row(font(lines, MIN_FONT + 1, INK, bold=True), pad_top=PAD),
                     height(len(lines), MIN_FONT + 1) + PAD)
        for k, tp in enumerate(band):
            cell = columns[tp.id][key]
            if cell is None:
                continue
            x, cy = LABEL_W + k * col + PAD, y + PAD
            node = f"blueprint_{key}_{tp.id}"
            canvas.block(node, x, cy, col - 2 * PAD, cell.height, cell.cells, cell.used, fill=cell.fill,
                         border=cell.border, inset=INSET)
            if key != "evidence":
                anchors[tp.id].append((x + (col - 2 * PAD) / 2, cy, cy + cell.height, node))
        y += lane_h[key]
    canvas.rule(f"blueprint_end_{b}", 0, right, y, LINE)
    _arrows(canvas, band, anchors, col)
    return y


def _arrows(canvas: Canvas, band: list[Touchpoint], anchors: dict, col: float) -> None:
    """Down each column from cell to cell across the lines, and along the
    customer actions from one touchpoint to the next."""
    for tp in band:
        cells = anchors[tp.id]
        for (x, _, bottom, a), (_, top, _, b) in zip(cells, cells[1:]):
            canvas.line(f"blueprint_down_{a}", (x, bottom, a), (x, top, b), MUTED, width=1, arrow=True)
    for left, right in zip(band, band[1:]):
        (xa, ya, _, a), (xb, _, _, b) = anchors[left.id][0], anchors[right.id][0]
        y = ya + 12
        canvas.line(f"blueprint_next_{right.id}", (xa + col / 2 - PAD, y, a), (xb - col / 2 + PAD, y, b), MUTED,
                    width=1, arrow=True)
