"""Tidying Graphviz's SVG: no comments (they carry the Graphviz version and
node names), and for inline use no XML prolog and ids prefixed by view."""

from __future__ import annotations

import re

_COMMENT = re.compile(rb"<!--.*?-->\s*", re.S)
_PROLOG = re.compile(rb"^.*?(?=<svg\b)", re.S)
# Literal prefixes, so that the regex engine can skip ahead: a mind map of
# 1,000 touchpoints is a 9 MB SVG.
_ID = re.compile(r' id="([^"]*)"')
_REF = re.compile(r'(url\(#|href="#)([^")]*)')


def tidy(svg: bytes) -> bytes:
    """A standalone SVG file: Graphviz's output without comments."""
    return _COMMENT.sub(b"", svg)


def inline(svg: bytes, prefix: str) -> str:
    """SVG markup for embedding in HTML: no prolog or doctype, and every id
    (and reference to one) starting with ``prefix_`` so that several diagrams
    share a page without clashing. The graph's own id (the bare view name)
    becomes ``prefix-graph``: the page's section is called ``prefix``."""
    markup = _PROLOG.sub(b"", _COMMENT.sub(b"", svg), count=1).decode("utf-8")

    def fix(value: str) -> str:
        if value == prefix:
            return f"{prefix}-graph"
        return value if value.startswith(prefix + "_") else f"{prefix}_{value}"

    markup = _ID.sub(lambda m: f' id="{fix(m.group(1))}"', markup)
    if "url(#" in markup or 'href="#' in markup:
        markup = _REF.sub(lambda m: m.group(1) + fix(m.group(2)), markup)
    return markup.strip() + "\n"
