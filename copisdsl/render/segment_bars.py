"""A KPI by segment (reference §12.1) as a small inline SVG bar chart for
the report: one bar per declared segment, in declaration order, with its
value written beside it; a segment without a value has no bar and says so.

Bars start at zero, so negative values (NPS) extend to the left of it. The
chart is at most ``WIDTH`` px wide and scales down with the page (the
report's narrowest layout is 390 px). Colours come from the report's CSS
variables, so the chart follows the light and dark themes; the whole
chart's values are in its accessible name as text.
"""

from __future__ import annotations

from html import escape

from copisdsl.render.format import format_value
from copisdsl.source import bidi_marked

WIDTH = 320
LABEL = 112  # room for the segment names
VALUE = 84  # room for the values, right-aligned
ROW = 22
PAD = 4
LABEL_CHARS = 16


def _t(value: object) -> str:
    return escape(bidi_marked(str(value)), quote=True)


def _short(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "\u2026"


def segment_bars(name: str, kind: str, values: dict[str, float | None], titles: dict[str, str]) -> str:
    """The chart of KPI ``name`` (of ``kind``, for the values' format):
    ``values`` maps segment ids to values in declaration order, ``titles``
    segment ids to their labels."""
    shown = [(titles.get(seg, seg), value, format_value(value, kind)) for seg, value in values.items()]
    numbers = [v for _, v, _ in shown if v is not None]
    low, high = min([0.0, *numbers]), max([0.0, *numbers])
    span = (high - low) or 1.0
    plot = WIDTH - LABEL - VALUE - 2 * PAD
    zero = LABEL + PAD + (0.0 - low) / span * plot
    height = ROW * len(shown) + 2 * PAD
    summary = f"{name} by segment: " + "; ".join(f"{title} {text}" for title, _, text in shown)
    out = [f'<svg class="segment-bars" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{_t(summary)}" '
           'font-family="Helvetica, Arial, sans-serif" font-size="12">',
           f"<title>{_t(summary)}</title>"]
    for i, (title, value, text) in enumerate(shown):
        top = PAD + ROW * i
        mid = top + ROW / 2 + 4
        out.append(f'<text class="sb-label" x="{LABEL - 6}" y="{mid:g}" text-anchor="end" fill="#1f2328">'
                   f'{_t(_short(title, LABEL_CHARS))}<title>{_t(title)}</title></text>')
        if value is not None:
            end = LABEL + PAD + (value - low) / span * plot
            x, w = min(zero, end), abs(end - zero)
            out.append(f'<rect class="sb-bar" x="{x:.1f}" y="{top + 4}" width="{max(w, 1.0):.1f}" '
                       f'height="{ROW - 8}" rx="2" fill="#0969da"><title>{_t(title)}: {_t(text)}</title></rect>')
        klass = "sb-value" if value is not None else "sb-value sb-none"
        out.append(f'<text class="{klass}" x="{WIDTH - PAD}" y="{mid:g}" text-anchor="end" '
                   f'fill="{"#1f2328" if value is not None else "#57606a"}">{_t(text)}</text>')
    out.append(f'<line class="sb-axis" x1="{zero:.1f}" y1="{PAD}" x2="{zero:.1f}" y2="{height - PAD}" '
               'stroke="#8c959f" stroke-width="1"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
