"""The map view: the journey map as the wall picture (reference §11).

Stages are columns; lanes are rows aligned across every column: the
touchpoint cards stacked in their stage, the emotion curve, pains,
opportunities and KPIs against their targets. Cards are numbered in journey
order and the curve's dots, pains and KPIs carry the same numbers.

At most ``COLUMNS`` stages sit side by side (a band); more stages wrap into
further bands below, so that the map does not grow wider than
``LABEL_W + WIDTH_BUDGET`` points (1,155 px at the report's 1:1 scale: it
fits a 1,200 px page with no scaling, so no text is drawn under 12 px).
The one exception is a stage whose emotion dots would not fit its column
side by side with their numbers (more than eight touchpoints at five
stages): that column is widened until they do, since a dot without its
number cannot be matched to its card. Lanes no touchpoint uses are left out.
With an event log each card also shows its reach (``render.reach``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from copisdsl.data.figures import Figures
from copisdsl.semantic.model import Kpi, Model, Objective, Stage, Touchpoint
from copisdsl.render import palette
from copisdsl.render.dot import INK, LINE, MUTED, PANEL
from copisdsl.render.format import format_target, format_value
from copisdsl.render.lanes import MIN_FONT, PILL_ROW, Canvas, fit, font, height, measure, num, pills, row
from copisdsl.render.reach import reach_text

COLUMNS = 5  # stages per band
LABEL_W = 86.0  # the lane names' column
MIN_COL, MAX_COL = 156.0, 232.0  # a stage column, points
WIDTH_BUDGET = 5 * MIN_COL  # the columns of a full band
PAD = 6.0  # inside a column
GAP = 6.0  # between cards
TITLE_SIZE, STAGE_SIZE, CARD_SIZE = 15, 11, 10
CURVE_H = 96.0  # the emotion lane: five levels
DOT = 18.0  # an emotion dot's diameter
RING = 2.5  # its coloured ring (penwidth)
SAFETY = 6.0  # points kept free in every text cell: the width estimate may be short
FAIL = "#cf222e"  # fail point pill, white text 5.4:1


@dataclass
class Item:
    """One block in a lane cell: its height and its rows of label markup."""

    height: float
    cells: str
    fill: str | None = None
    border: str | None = None
    strip: str | None = None  # a card's mood colour
    used: float | None = None  # the content's height when it has an inset (cards)


@dataclass
class Lane:
    key: str
    label: str
    cells: list[list[Item]]  # per stage column
    height: float


def numbers(model: Model) -> dict[str, int]:
    """Each touchpoint's number on the map: journey order, from 1."""
    order = [tp.id for stage in model.stages for tp in stage.touchpoints]
    return {tp_id: k for k, tp_id in enumerate(order, 1)}


def markers(tp: Touchpoint) -> list[tuple[str, str]]:
    """The card's pills: moment of truth, re-purchase, fail point."""
    out = []
    if tp.moment_of_truth is not None:
        out.append(("Moment of truth", palette.MOMENT))
    if tp.repurchase is not None:
        out.append(("Re-purchase", palette.REPURCHASE))
    if tp.fail_point is not None:
        out.append(("Fail point", FAIL))
    return out


def _card(tp: Touchpoint, number: int, width: float, figures: Figures | None = None) -> Item:
    inner = width - 5 - 2 * PAD - 2 - SAFETY  # strip, padding, border
    title = fit(f"{number} · {tp.title}", inner, CARD_SIZE, bold=True, max_lines=3)
    cells = [row(font(title, CARD_SIZE, bold=True))]
    used = height(len(title), CARD_SIZE)
    facts = [part for part in (tp.channel, f"mood {tp.emotion}/5" if tp.emotion is not None else None) if part]
    if facts:
        lines = fit(" · ".join(facts), inner, MIN_FONT, max_lines=2)
        cells.append(row(font(lines, MIN_FONT, MUTED), pad_top=2))
        used += height(len(lines), MIN_FONT) + 2
    reach = figures.reach.get(tp.id) if figures is not None and figures.reach is not None else None
    if reach is not None:
        lines = fit(f"Reach {reach_text(reach)}", inner, MIN_FONT, bold=True, max_lines=2)
        cells.append(row(font(lines, MIN_FONT, bold=True), pad_top=2))
        used += height(len(lines), MIN_FONT) + 2
    pill_rows, count = pills(markers(tp), inner)
    cells += pill_rows
    used += count * PILL_ROW
    if tp.owner:
        lines = fit(f"Owner: {tp.owner}", inner, MIN_FONT, max_lines=2)
        cells.append(row(font(lines, MIN_FONT, MUTED), pad_top=2))
        used += height(len(lines), MIN_FONT) + 2
    strong, _ = palette.emotion_colours(tp.emotion)
    return Item(used + 2 * PAD + 2, "".join(cells), fill="white", border=LINE, strip=strong, used=used)


def _notes(stage: Stage, nums: dict[str, int], width: float, pick: Callable[[Touchpoint], list[str]],
           colour: str) -> list[Item]:
    lines_markup, used = [], 0.0
    for tp in stage.touchpoints:
        for note in pick(tp):
            lines = fit(f"{nums[tp.id]} · {note}", width, MIN_FONT, max_lines=6)
            lines_markup.append(row(font(lines, MIN_FONT, colour), pad_top=3 if lines_markup else 0))
            used += height(len(lines), MIN_FONT) + (3 if len(lines_markup) > 1 else 0)
    return [Item(used + 2, "".join(lines_markup))] if lines_markup else []


def kpi_targets(model: Model) -> dict[int, Objective]:
    """The first objective with a target on each KPI (by ``id``): built
    once per picture or table, not once per KPI and objective; look a KPI
    up in it with ``kpi_target``."""
    found: dict[int, Objective] = {}
    for obj in model.objectives:
        if obj.target is not None:
            kpi = model.measuring_kpi(obj)
            if kpi is not None:
                found.setdefault(id(kpi), obj)
    return found


def kpi_target(targets: dict[int, Objective], figures: Figures | None, kpi: Kpi) -> tuple[str, str | None]:
    """The target set on ``kpi`` (as text) and its status, from the
    mapping ``kpi_targets`` built."""
    obj = targets.get(id(kpi))
    if obj is None:
        return "", None
    status = figures.objectives.get(obj.index) if figures is not None else None
    return format_target(obj.target, obj.target_text, kpi.kind), (status.status if status else "no_data")


def _kpis(model: Model, figures: Figures | None, stage: Stage, nums: dict[str, int], width: float) -> list[Item]:
    owned = [(f"{nums[tp.id]} · ", kpi) for tp in stage.touchpoints for kpi in tp.kpis]
    owned += [("stage · ", kpi) for kpi in stage.kpis]
    cells, used = [], 0.0
    targets = kpi_targets(model) if owned else {}
    for prefix, kpi in owned:
        figure = figures.kpi(kpi.index) if figures is not None else None
        value = format_value(figure.value if figure else None, figure.kind if figure else kpi.kind)
        target, status = kpi_target(targets, figures, kpi)
        name = fit(prefix + kpi.name, width, MIN_FONT, max_lines=2)
        shown = fit(value + (f" / target {target}" if target else ""), width, MIN_FONT, bold=True, max_lines=2)
        colour = palette.STATUS.get(status or "", INK)
        cells.append(row(font(name, MIN_FONT, MUTED), pad_top=4 if cells else 0))
        cells.append(row(font(shown, MIN_FONT, colour, bold=True)))
        used += height(len(name) + len(shown), MIN_FONT) + (4 if len(cells) > 2 else 0)
    return [Item(used + 2, "".join(cells))] if cells else []


def _lanes(model: Model, figures: Figures | None, band: list[Stage], nums: dict[str, int],
           cols: list[float]) -> list[Lane]:
    inners = [col - 2 * PAD - SAFETY for col in cols]
    everyone = [tp for stage in model.stages for tp in stage.touchpoints]
    lanes = []

    def add(key: str, label: str, cells: list[list[Item]], gap: float = 0.0) -> None:
        tallest = max((sum(i.height for i in c) + gap * max(len(c) - 1, 0) for c in cells), default=0.0)
        lanes.append(Lane(key, label, cells, max(tallest, 24.0) + 2 * PAD))

    add("stages", "Stage", [[_stage_head(s, inner)] for s, inner in zip(band, inners)])
    add("touchpoints", "Touchpoints", [[_card(tp, nums[tp.id], inner, figures) for tp in s.touchpoints] or
                                         [_empty(inner)] for s, inner in zip(band, inners)], GAP)
    if any(tp.emotion is not None for tp in everyone):
        lanes.append(Lane("emotion", "Emotion", [[] for _ in band], CURVE_H))
    if any(tp.pains for tp in everyone):
        add("pains", "Pains", [_notes(s, nums, inner, lambda tp: tp.pains, INK) for s, inner in zip(band, inners)])
    if any(tp.opportunities for tp in everyone):
        add("opportunities", "Opportunities", [_notes(s, nums, inner, lambda tp: tp.opportunities, INK)
                                                 for s, inner in zip(band, inners)])
    if any(s.kpis or any(tp.kpis for tp in s.touchpoints) for s in model.stages):
        add("kpis", "KPIs", [_kpis(model, figures, s, nums, inner) for s, inner in zip(band, inners)])
    return lanes


def _stage_head(stage: Stage, width: float) -> Item:
    title = fit(stage.title, width, STAGE_SIZE, bold=True, max_lines=2)
    count = len(stage.touchpoints)
    sub = [f"{count} touchpoint{'s' if count != 1 else ''}"]
    if stage.owner:
        sub = fit(f"{sub[0]} · owner {stage.owner}", width, MIN_FONT, max_lines=2)
    cells = row(font(title, STAGE_SIZE, bold=True)) + row(font(sub, MIN_FONT, MUTED), pad_top=2)
    return Item(height(len(title), STAGE_SIZE) + height(len(sub), MIN_FONT) + 2, cells)


def _empty(width: float) -> Item:
    return Item(height(1, MIN_FONT), row(f'<FONT POINT-SIZE="{MIN_FONT}" COLOR="{MUTED}"><I>no touchpoints</I>'
                                         f'</FONT>'))


def map_dot(model: Model, figures: Figures | None = None) -> str:
    """The map view as DOT for ``neato -n2`` (every position fixed)."""
    nums = numbers(model)
    stages = model.stages
    shown = min(len(stages), COLUMNS) or 1
    col = max(MIN_COL, min(MAX_COL, WIDTH_BUDGET // shown))
    bands = [stages[k:k + COLUMNS] for k in range(0, len(stages), COLUMNS)] or [[]]
    widths = [[max(col, _dots_width(stage, nums)) for stage in band] for band in bands]
    width = LABEL_W + max([shown * col] + [sum(cols) for cols in widths])
    title = fit(model.title, width, TITLE_SIZE, bold=True, max_lines=2)
    title_h = height(len(title), TITLE_SIZE) + 10
    laid = [_lanes(model, figures, band, nums, cols) for band, cols in zip(bands, widths)]
    total = title_h + sum(sum(lane.height for lane in lanes) + 14 for lanes in laid)
    canvas = Canvas(model.id, "map", width, total)
    canvas.block("map_title", 0, 0, width, title_h, row(font(title, TITLE_SIZE, bold=True)), title_h - 10)
    y = title_h
    for b, (band, lanes, cols) in enumerate(zip(bands, laid, widths), 1):
        y = _draw_band(canvas, model, b, band, lanes, nums, cols, y) + 14
    return canvas.source()


def _draw_band(canvas: Canvas, model: Model, b: int, band: list[Stage], lanes: list[Lane],
               nums: dict[str, int], cols: list[float], top: float) -> float:
    band_h = sum(lane.height for lane in lanes)
    lefts, right = _lefts(cols), LABEL_W + sum(cols)
    for k, stage in enumerate(band):
        if k % 2 == 0:
            canvas.panel(f"map_stage_{b}_{stage.id}", lefts[k], top, cols[k], band_h, PANEL)
    y = top
    for lane in lanes:
        label = fit(lane.label, LABEL_W - 6, MIN_FONT, bold=True)
        canvas.block(f"map_lane_{b}_{lane.key}", 0, y, LABEL_W - 4, lane.height,
                     row(font(label, MIN_FONT, MUTED, bold=True), pad_top=PAD), height(len(label), MIN_FONT) + PAD)
        if lane.key == "emotion":
            _curve(canvas, b, band, nums, cols, y, lane.height)
        for k, cell in enumerate(lane.cells):
            cy = y + PAD
            for n, item in enumerate(cell):
                x, col = lefts[k] + PAD, cols[k]
                node = f"map_{lane.key}_{band[k].id}" + (f"_{n + 1}" if lane.key == "touchpoints" else "")
                if item.strip:
                    node = f"map_tp_{band[k].touchpoints[n].id}" if band[k].touchpoints else node
                    canvas.rect(node + "_mood", x, cy, 5, item.height, item.strip)
                    canvas.block(node, x + 5, cy, col - 2 * PAD - 5, item.height, item.cells, item.used or 0,
                                 fill=item.fill, border=item.border, inset=PAD)
                else:
                    canvas.block(node, x, cy, col - 2 * PAD, item.height, item.cells, item.height, fill=item.fill,
                                 border=item.border)
                cy += item.height + GAP
        y += lane.height
        canvas.rule(f"map_rule_{b}_{lane.key}", 0, right, y, LINE)
    return y


def _lefts(cols: list[float]) -> list[float]:
    """The left edge of each stage column of a band."""
    lefts = [LABEL_W]
    for col in cols[:-1]:
        lefts.append(lefts[-1] + col)
    return lefts


def _dot_size(number: int) -> float:
    """The least diameter of an emotion dot that holds its number inside its ring."""
    return measure(str(number), MIN_FONT) + RING + 0.5


def _dots_width(stage: Stage, nums: dict[str, int]) -> float:
    """The column width a stage's emotion dots need side by side, each with
    its number: a crowded stage gets a wider column rather than bare dots."""
    if not stage.touchpoints:
        return 0.0
    slot = max(_dot_size(nums[tp.id]) for tp in stage.touchpoints) + 1
    return len(stage.touchpoints) * slot + 2 * PAD


def _curve(canvas: Canvas, b: int, band: list[Stage], nums: dict[str, int], cols: list[float], top: float,
           lane_h: float) -> None:
    """The emotion lane: levels 1..5, a dot per touchpoint in its stage's
    column (in card order), joined across columns; a touchpoint without an
    emotion leaves a gap bridged by a dashed segment."""
    low, high = top + lane_h - PAD - DOT / 2, top + PAD + DOT / 2
    lefts, right = _lefts(cols), LABEL_W + sum(cols)
    for level in (1, 3, 5):
        y = low - (level - 1) / 4 * (low - high)
        canvas.rule(f"map_level_{b}_{level}", LABEL_W, right, y, LINE, width=0.6, dashed=level == 3)
    previous: tuple[float, float, str] | None = None
    skipped = False
    for k, stage in enumerate(band):
        count = len(stage.touchpoints)
        slot = (cols[k] - 2 * PAD) / max(count, 1)
        for i, tp in enumerate(stage.touchpoints):
            if tp.emotion is None:
                skipped = True
                continue
            x = lefts[k] + PAD + slot * (i + 0.5)
            y = low - (tp.emotion - 1) / 4 * (low - high)
            node = f"map_emotion_{tp.id}"
            strong, tint = palette.emotion_colours(tp.emotion)
            # _dots_width made every slot wide enough for a numbered dot
            size = min(max(DOT, _dot_size(nums[tp.id])), slot - 1)
            canvas.dot(node, x, y, size, strong, tint, str(nums[tp.id]))
            if previous is not None:
                canvas.line(f"map_curve_{tp.id}", previous, (x, y, node), MUTED, width=2, dashed=skipped)
            previous, skipped = (x, y, node), False
