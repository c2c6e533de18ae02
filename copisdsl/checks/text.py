"""Text that reads differently than it is (W310): bidirectional controls
in strings reorder what a reader sees (the "Trojan Source" trick)."""

from __future__ import annotations

import dataclasses

from copisdsl.checks import check
from copisdsl.diagnostics import Diagnostic, warning
from copisdsl.semantic.model import Model
from copisdsl.source import BIDI, Span
from copisdsl.syntax import nodes as n


def _strings(root):
    """(text, span) of every string under ``root``, iteratively; a plain
    ``str`` (a title, an owner) at its node's head or span."""
    todo = [(root, None)]
    while todo:
        node, where = todo.pop()
        if isinstance(node, str):
            yield node, where
        elif isinstance(node, (tuple, list)):
            todo.extend((item, where) for item in reversed(node))
        elif isinstance(node, n.Literal):
            if node.kind == "string" and isinstance(node.value, str):
                yield node.value, node.span
        elif dataclasses.is_dataclass(node) and not isinstance(node, (n.Ident, n.Comment)):
            here = getattr(node, "head", None) or getattr(node, "span", None)
            for f in reversed(dataclasses.fields(node)):
                if f.name not in ("key", "kind", "op", "text", "span", "head"):
                    todo.append((getattr(node, f.name), here))


@check("W310")
def bidirectional_controls(model: Model) -> list[Diagnostic]:
    """A string holds a bidirectional control character (U+202A-U+202E,
    U+2066-U+2069): it makes the text display in another order than it is
    stored, so a reviewer reads something other than what the report shows.
    Remove it; reports show each as a visible marker."""
    out: list[Diagnostic] = []
    seen: set[tuple[str, Span]] = set()
    for text, span in _strings(model.node):
        found = BIDI.search(text)
        if found is None or span is None or (text, span) in seen:
            continue
        seen.add((text, span))
        out.append(warning("W310", f"bidirectional control character U+{ord(found.group()):04X} in a string",
                           span, "remove it: it makes the text display in another order than it is written"))
    return out
