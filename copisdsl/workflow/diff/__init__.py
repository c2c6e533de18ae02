"""Semantic diff of two resolved journeys (``copis diff``).

``diff_models(old, new)`` compares what two versions of a journey *say*,
not how they are written: spans, comments, whitespace and the order of
statements inside a block never make a difference. Order counts only where
it means something: stages, the touchpoints of a stage, segments (first
match wins), the values of an element (a process is a sequence of steps)
and the steps of a flow (compared as edges).

Entities are matched by id. An entity whose id disappeared and another that
appeared with the same content (everything but the id) is a rename; failing
that, the same title as written (unique on both sides) is a rename with
changes. References to a renamed stage, touchpoint, persona or segment are
followed, so a rename is reported once, not again in every flow, KPI or
persona that names it.

Values are shown as ``.copis`` source: strings quoted, numbers normalised
(``12.50%`` and ``12.5%`` are the same value), lists joined with ``, ``.
Renderers for the result live in ``copisdsl.workflow.diff.render``.
"""

from __future__ import annotations

from copisdsl.syntax.unparse import expr_text, literal_text
from copisdsl.workflow.diff.changes import GROUPS, KINDS, Change, FieldChange, JourneyDiff
from copisdsl.workflow.diff.differ import diff_models

__all__ = ["GROUPS", "KINDS", "Change", "FieldChange", "JourneyDiff", "diff_models", "expr_text",
           "literal_text"]
