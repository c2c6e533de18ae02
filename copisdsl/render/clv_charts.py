"""The CLV section's two small charts, drawn here as inline SVG: the
holdout tracking plot (cumulative repeat purchases per week of the holdout,
actual against predicted) and the spread of P(alive) across customers.

Both scale to their column (a ``viewBox`` and ``width: 100%``, so a 390 px
phone shows them whole) and take their colours from the page's CSS
variables through classes, so the dark scheme applies to them as to the
text. Every text is escaped.
"""

from __future__ import annotations

import math
from html import escape

from copisdsl.data.figures import HoldoutFigures
from copisdsl.render.format import format_value

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 22, 14, 40


def _t(value: object) -> str:
    return escape(str(value), quote=True)


def _nice_top(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _frame(label: str, y_top: float, y_ticks: int = 4) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    out = [f'<svg class="clv-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'role="img" aria-label="{_t(label)}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
           f"<title>{_t(label)}</title>"]
    for k in range(y_ticks + 1):
        y = TOP + plot_h - k * plot_h / y_ticks
        value = y_top * k / y_ticks
        out.append(f'<line class="grid" x1="{LEFT}" y1="{y:g}" x2="{WIDTH - RIGHT}" y2="{y:g}"/>')
        out.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:g}" text-anchor="end">'
                   f'{_t(format_value(value, "count"))}</text>')
    return out


def tracking_svg(holdout: HoldoutFigures) -> str | None:
    """Cumulative repeat purchases per week of the holdout, actual (solid)
    and predicted (dashed); None without weeks."""
    points = holdout.tracking
    if not points:
        return None
    top = _nice_top(max(max(p[1], p[2]) for p in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    days = points[-1][0]

    def xy(day: float, value: float) -> str:
        return f"{LEFT + plot_w * day / days:.1f},{TOP + plot_h - plot_h * value / top:.1f}"

    out = _frame(f"Holdout: cumulative repeat purchases over {days} days, actual {holdout.actual} against "
                 f"predicted {holdout.predicted:.1f}", top)
    out.append(f'<polyline class="predicted" points="{xy(0, 0)} {" ".join(xy(d, p) for d, p, _ in points)}"/>')
    out.append(f'<polyline class="actual" points="{xy(0, 0)} {" ".join(xy(d, a) for d, _, a in points)}"/>')
    for day, predicted, actual in points:
        cx, cy = xy(day, actual).split(",")
        out.append(f'<circle class="actual" cx="{cx}" cy="{cy}" r="2.5">'
                   f'<title>{_t(f"day {day}: actual {actual}, predicted {predicted:.1f}")}</title></circle>')
    step = max(1, math.ceil(len(points) / 6))
    for k, (day, _, _) in enumerate(points):
        if (len(points) - 1 - k) % step == 0:  # counted from the last week, which is always labelled
            x = LEFT + plot_w * day / days
            out.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">'
                       f'{_t(f"w{math.ceil(day / 7)}")}</text>')
    legend_y = HEIGHT - 8
    out.append(f'<line class="actual" x1="{LEFT}" y1="{legend_y - 4}" x2="{LEFT + 22}" y2="{legend_y - 4}"/>'
               f'<text class="label" x="{LEFT + 28}" y="{legend_y}">actual</text>')
    out.append(f'<line class="predicted" x1="{LEFT + 90}" y1="{legend_y - 4}" x2="{LEFT + 112}" '
               f'y2="{legend_y - 4}"/><text class="label" x="{LEFT + 118}" y="{legend_y}">predicted</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def p_alive_svg(histogram: list[int]) -> str | None:
    """Customers per tenth of P(alive), as bars; None without customers."""
    total = sum(histogram)
    if not total:
        return None
    top = _nice_top(max(histogram))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar = plot_w / len(histogram)
    out = _frame(f"P(alive) across {total} customers, in tenths", top)
    for k, count in enumerate(histogram):
        h = plot_h * count / top
        x = LEFT + k * bar
        share = format_value(count / total, "rate")
        out.append(f'<rect class="column" x="{x + 1:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar - 2:.1f}" '
                   f'height="{h:.1f}"><title>{_t(f"{k * 10}-{k * 10 + 10}%: {count} customers ({share})")}'
                   f"</title></rect>")
    for k in range(0, len(histogram) + 1, 2):
        out.append(f'<text class="tick" x="{LEFT + k * bar:.1f}" y="{HEIGHT - BOTTOM + 14}" '
                   f'text-anchor="middle">{k * 10}%</text>')
    out.append(f'<text class="label" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
               "P(alive) at the end of observation</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
