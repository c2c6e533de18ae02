"""Where each statement may stand (E100), per section 4.1 of the reference."""

from __future__ import annotations

from copisdsl.semantic.state import ResolveState
from copisdsl.source import Span
from copisdsl.syntax import nodes as n

_EVERYWHERE = ("journey", "stage", "touchpoint")
PLACES: dict[type, tuple[str, ...]] = {
    n.Journey: ("file",),
    n.Stage: ("journey",), n.Persona: ("journey",), n.Data: ("journey",), n.Clv: ("journey",),
    n.Segment: ("journey",), n.Framework: ("journey",), n.Flow: ("journey",),
    n.Tradeoff: ("journey",),
    n.Touchpoint: ("stage",),
    n.Channel: ("touchpoint",), n.Emotion: ("touchpoint",), n.Marker: ("touchpoint",),
    n.Note: ("touchpoint",),
    n.Meta: _EVERYWHERE, n.Objective: _EVERYWHERE, n.Kpi: _EVERYWHERE, n.Generic: _EVERYWHERE,
}
_BELONGS = {"file": "at the top of the file", "journey": "a journey", "stage": "a stage",
            "touchpoint": "a touchpoint"}
_HERE = {"file": "at the top of the file", "journey": "directly in a journey",
         "stage": "in a stage", "touchpoint": "in a touchpoint"}
# `support` is a blueprint lane that journeys and stages hold as a default (§11).
SUPPORT_PLACES = ("journey", "stage", "touchpoint")


def _where(places: tuple[str, ...]) -> str:
    words = [_BELONGS[p] for p in places]
    if places == ("file",):
        return words[0]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return "in " + text


def _places(stmt: n.Statement) -> tuple[str, ...]:
    return SUPPORT_PLACES if isinstance(stmt, n.Note) and stmt.kind == "support" else PLACES[type(stmt)]


def belongs(stmt: n.Statement) -> str:
    """Where ``stmt`` may stand, in words ("in a touchpoint")."""
    return _where(_places(stmt))


def placed(state: ResolveState, stmt: n.Statement, where: str) -> bool:
    """Report E100 when ``stmt`` may not stand in a ``where`` block."""
    places = _places(stmt)
    if where in places:
        return True
    keyword = n.statement_keyword(stmt)
    if isinstance(stmt, n.Generic) and where == "file":
        state.err("E100", f"'{keyword}' outside a journey", stmt.key.span,
                  "everything in a .copis file goes inside `journey ID \"Title\" { ... }`")
        return False
    span = getattr(stmt, "head", None) or stmt.span
    span = Span(span.file, span.line, span.column, span.line, span.column + len(keyword)) \
        if not isinstance(stmt, n.Generic) else stmt.key.span
    state.err("E100", f"'{keyword}' is not allowed {_HERE[where]}; it belongs {_where(places)}", span)
    return False


def placed_body(state: ResolveState, body, where: str) -> list[n.Statement]:
    """The statements of ``body`` that may stand in a ``where`` block."""
    return [stmt for stmt in body if placed(state, stmt, where)]
