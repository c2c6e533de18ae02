"""The parser's fast node constructors make exactly the dataclasses' nodes."""

from __future__ import annotations

import dataclasses

import pytest

from copisdsl.syntax import nodes as n
from copisdsl.source import Span

NODE_CLASSES = [c for c in vars(n).values() if dataclasses.is_dataclass(c) and isinstance(c, type)]


@pytest.mark.parametrize("cls", NODE_CLASSES, ids=lambda c: c.__name__)
def test_builder_makes_the_same_frozen_node(cls):
    fields = dataclasses.fields(cls)
    values = [Span("f.copis", i + 1, 2, 3, 4) if f.name in ("span", "head") else f"value {i}"
              for i, f in enumerate(fields)]
    built = n.builder(cls)(*values)
    positional = [v for f, v in zip(fields, values) if not f.kw_only]
    keywords = {f.name: v for f, v in zip(fields, values) if f.kw_only}
    made = cls(*positional, **keywords)
    assert type(built) is cls
    assert repr(built) == repr(made)  # spans included, which == ignores
    assert built == made and hash(built) == hash(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, fields[0].name, "changed")


def test_the_node_classes_are_found():
    """The parametrisation above runs over every node class of the AST (a new
    one is listed here, and so checked on purpose)."""
    assert sorted(c.__name__ for c in NODE_CLASSES) == [
        "BinOp", "BoolOp", "Call", "Channel", "Clv", "Column", "Comment", "Compare", "Data", "Document",
        "Emotion", "Flow", "Framework", "FrameworkKey", "Generic", "Ident", "Journey", "Kpi", "KpiRef",
        "Literal", "Marker", "Meta", "Neg", "Note", "Number", "Objective", "Paren", "Persona", "Segment",
        "Stage", "Touchpoint", "Tradeoff"]
