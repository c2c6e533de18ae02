"""Reach and flow volumes as the pictures show them (reference §12.2).

One place for how an event log's figures read on a card, on an edge and
in a legend: the map, the journey view and the report all take them from
here. Without an event log (``Figures.reach`` and ``Figures.flow_volumes``
are None) nothing here is called and every view is drawn as before.
"""

from __future__ import annotations

from copisdsl.data.figures import FlowVolume, Reach
from copisdsl.render.format import format_value

# points: the thinnest and thickest flow; side-by-side flows run 8 pt apart
# (render.layout.TRACK), so the thickest two still leave a gap between them
MIN_PEN, MAX_PEN = 1.0, 6.0
#: the widths the legend shows, as fractions of the largest flow
LEGEND_STEPS = (0.0, 0.5, 1.0)


def reach_text(reach: Reach) -> str:
    """A card's reach, compact: ``1,240 · 31%`` (customers · share)."""
    return f"{format_value(reach.customers, 'count')} · {format_value(reach.share, 'rate')}"


def largest(volumes: list[FlowVolume]) -> int:
    """The most customers on one flow (0 when none took any)."""
    return max((v.customers for v in volumes), default=0)


def pen_width(customers: int, most: int) -> float:
    """A flow's pen width in points: ``MIN_PEN`` for no customers up to
    ``MAX_PEN`` for the largest flow, proportional in between (rounded to
    a tenth, so that the DOT text stays short and stable)."""
    if most <= 0:
        return MIN_PEN
    return round(MIN_PEN + (MAX_PEN - MIN_PEN) * max(customers, 0) / most, 1)


def arrow_size(pen: float) -> float:
    """An arrowhead's ``arrowsize`` for a pen width: Graphviz strokes the
    head with the edge's pen, so a thick flow gets a smaller head to keep
    it about as long as a thin flow's (the routes leave 7 pt for it)."""
    return round(max(0.35, 0.7 * 1.2 / max(pen, 1.2)), 2)


def volume_text(volume: FlowVolume) -> str:
    """A flow's figures in one line: customers, conversion, median days."""
    count = volume.customers
    parts = [f"{format_value(count, 'count')} customer{'' if count == 1 else 's'}"]
    if volume.conversion is not None:
        parts.append(f"conversion {format_value(volume.conversion, 'rate')}")
    if volume.median_days is not None:
        parts.append(f"median {format_value(volume.median_days, 'days')}")
    return " · ".join(parts)


def flow_tooltip(source: str, target: str, volume: FlowVolume) -> str:
    """The hover text of a flow edge: ``Cart → Checkout: 1,240 customers · ...``."""
    return f"{source} \u2192 {target}: {volume_text(volume)}"


def legend_steps(most: int) -> list[tuple[float, str]]:
    """The legend's sample lines: (pen width, what it stands for)."""
    out = []
    for step in LEGEND_STEPS:
        customers = round(most * step)
        label = f"{format_value(customers, 'count')} customer{'' if customers == 1 else 's'}"
        if step == 1.0:
            label += " (the largest flow)"
        out.append((pen_width(customers, most), label))
    return out
