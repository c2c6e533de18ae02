"""Renderers: the resolved model and its figures as pictures and a report.

Each Graphviz view is a pure function ``Model, Figures -> DOT text``
(``journey``, ``matrix``, ``mindmap``, ``map``, ``blueprint``; the last
two placed by us, see ``lanes``); ``graphviz_run`` turns DOT into SVG,
PNG or PDF; ``emotion`` draws the emotion curve as SVG directly; ``html``
fills the report's Jinja templates. None of them reads files or sees a Lark
tree or a pandas object.
"""

from __future__ import annotations

VIEWS = ("journey", "copis", "mindmap", "map", "blueprint")
FORMATS = ("svg", "png", "pdf", "dot")
