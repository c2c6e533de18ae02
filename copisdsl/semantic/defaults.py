"""Default inheritance: a touchpoint takes each element and its objectives
from its own statements, else its stage's, else the journey's — replaced,
never merged (section 4.1 of the reference)."""

from __future__ import annotations

from copisdsl.semantic.model import ElementValue, Model, Objective, Stage, Touchpoint


def inherit(m: Model, stage: Stage, tp: Touchpoint, own: dict[str, list[ElementValue]],
            own_objectives: list[Objective]) -> None:
    """Fill ``tp``'s effective elements and objectives, noting where each came from."""
    for key in m.framework.keys:
        for origin, source in (("touchpoint", own), ("stage", stage.elements), ("journey", m.elements)):
            if key in source:
                tp.elements[key] = source[key]
                tp.element_origin[key] = origin
                break
    for origin, support in (("touchpoint", tp.support), ("stage", stage.support), ("journey", m.support)):
        if support:  # the blueprint's support lane, like an element (§11)
            tp.support, tp.support_origin = list(support), origin
            break
    tp.objectives = own_objectives or stage.objectives or m.journey_objectives
    okey = m.framework.objective_key
    if okey and okey not in tp.elements and tp.objectives:
        tp.elements[okey] = [ElementValue(o.text, None, o.span) for o in tp.objectives]
        tp.element_origin[okey] = ("touchpoint" if own_objectives else
                                   "stage" if stage.objectives else "journey")
