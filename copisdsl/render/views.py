"""Drawing a view: its DOT text, then Graphviz's picture of it."""

from __future__ import annotations

from copisdsl.data.figures import Figures
from copisdsl.semantic.model import Model
from copisdsl.render import blueprint, journey, lanes, map as map_view, matrix, mindmap, svg
from copisdsl.render.graphviz_run import run
from copisdsl.render.layout import read_sizes

ENGINES = {"journey": "dot", "copis": "dot", "mindmap": "dot", "map": lanes.ENGINE, "blueprint": lanes.ENGINE}
#: the engine's options: the lane views come with every position fixed
ENGINE_ARGS: dict[str, tuple[str, ...]] = {"map": lanes.ENGINE_ARGS, "blueprint": lanes.ENGINE_ARGS}
_DOT = {"journey": journey.journey_dot, "copis": matrix.matrix_dot, "mindmap": mindmap.mindmap_dot,
        "map": map_view.map_dot, "blueprint": blueprint.blueprint_dot}


def build_views(model: Model) -> tuple[str, ...]:
    """The views ``copis build`` draws for a journey: every view, but the
    blueprint only when the journey uses blueprint lanes (reference §11)."""
    return tuple(view for view in _DOT if view != "blueprint" or model.uses_blueprint)


def view_dot(model: Model, figures: Figures | None, view: str) -> str:
    """The DOT text of a view (``journey``, ``copis``, ``mindmap``, ``map`` or ``blueprint``)."""
    try:
        make = _DOT[view]
    except KeyError:
        raise ValueError(f"unknown view {view!r}; views: {', '.join(_DOT)}") from None
    return make(model, figures)


def draw(model: Model, figures: Figures | None, view: str, fmt: str) -> bytes:
    """A view as ``svg``, ``png``, ``pdf`` or ``dot`` bytes. Raises
    ``GraphvizError`` when Graphviz is missing or fails (never for ``dot``)."""
    if fmt == "dot":
        return view_dot(model, figures, view).encode("utf-8")
    if view == "journey":
        # Two passes: dot measures the cards, which are placed and their
        # flows routed by copisdsl.render.layout and .loops, then drawn as placed.
        sizes = read_sizes(run(journey.cards_dot(model, figures), "dot", "json0"))
        out = run(journey.positioned_dot(model, figures, sizes), "neato", fmt, "-n2")
    else:
        out = run(view_dot(model, figures, view), ENGINES[view], fmt, *ENGINE_ARGS.get(view, ()))
    return svg.tidy(out) if fmt == "svg" else out
