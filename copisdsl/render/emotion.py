"""The emotion curve: the customer's mood (1..5) at each touchpoint, in
flow order, as an inline SVG chart for the report.

Flow order is declaration order: the resolver marks every flow edge that
goes to an earlier-declared touchpoint as a loop, so the forward flow
always runs in declaration order. Touchpoints without an emotion keep their
place on the axis; the line skips them with a dashed segment.
"""

from __future__ import annotations

from html import escape

from copisdsl.source import bidi_marked

from copisdsl.semantic.model import Model
from copisdsl.render import palette

STEP = 110  # px between touchpoints
LEFT = 112  # room for the scale labels
TOP = 34  # room for the stage names
PLOT = 180  # height of the 1..5 scale
BOTTOM = 92  # room for the slanted touchpoint names
LABEL_CHARS = 22


def _y(score: float) -> float:
    return TOP + PLOT - (score - 1) / 4 * PLOT


def _short(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "\u2026"


def _t(value: object) -> str:
    return escape(bidi_marked(str(value)), quote=True)


def emotion_svg(model: Model) -> str | None:
    """The chart as SVG markup, or None when no touchpoint has an emotion."""
    points = [tp for stage in model.stages for tp in stage.touchpoints]
    if not any(tp.emotion is not None for tp in points):
        return None
    width = LEFT + STEP * len(points) + 24
    height = TOP + PLOT + BOTTOM
    out = [f'<svg class="emotion-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{_t("Emotion curve of " + model.title)}" '
           'font-family="Helvetica, Arial, sans-serif" font-size="12">']
    x = LEFT
    for k, stage in enumerate(model.stages):
        if not stage.touchpoints:
            continue
        span = STEP * len(stage.touchpoints)
        fill = "#f6f8fa" if k % 2 == 0 else "#ffffff"
        out.append(f'<rect x="{x}" y="{TOP - 26}" width="{span}" height="{PLOT + 38}" fill="{fill}"/>')
        out.append(f'<text x="{x + 6}" y="{TOP - 10}" font-weight="bold" fill="#1f2328">'
                   f'{_t(_short(stage.title, max(4, span // 8)))}<title>{_t(stage.title)}</title></text>')
        x += span
    for score in range(1, 6):
        y = _y(score)
        dash = "" if score in (1, 5) else ' stroke-dasharray="2 4"'
        out.append(f'<line x1="{LEFT - 6}" y1="{y:g}" x2="{width - 24}" y2="{y:g}" stroke="#d0d7de" '
                   f'stroke-width="1"{dash}/>')
        out.append(f'<text x="{LEFT - 10}" y="{y + 4:g}" text-anchor="end" fill="#57606a">'
                   f'{score} {palette.EMOTION_WORDS[score]}</text>')
    previous: tuple[float, float] | None = None
    skipped = False
    dots = []
    for i, tp in enumerate(points):
        cx = LEFT + STEP * i + STEP / 2
        label_y = TOP + PLOT + 18
        out.append(f'<text x="{cx:g}" y="{label_y}" text-anchor="end" fill="#1f2328" '
                   f'transform="rotate(-30 {cx:g} {label_y})">{_t(_short(tp.title, LABEL_CHARS))}'
                   f'<title>{_t(tp.title)}</title></text>')
        if tp.emotion is None:
            skipped = True
            continue
        cy = _y(tp.emotion)
        if previous is not None:
            dash = ' stroke-dasharray="5 4"' if skipped else ""
            out.append(f'<line x1="{previous[0]:g}" y1="{previous[1]:g}" x2="{cx:g}" y2="{cy:g}" '
                       f'stroke="#57606a" stroke-width="2"{dash}/>')
        strong, _ = palette.emotion_colours(tp.emotion)
        dots.append(f'<circle cx="{cx:g}" cy="{cy:g}" r="7" fill="{strong}" stroke="#ffffff" stroke-width="2">'
                    f'<title>{_t(tp.title)}: {tp.emotion} ({palette.EMOTION_WORDS[tp.emotion]})</title></circle>')
        previous, skipped = (cx, cy), False
    out += dots
    out.append("</svg>")
    return "\n".join(out) + "\n"
