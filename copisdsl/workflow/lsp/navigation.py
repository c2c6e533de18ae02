"""Go to definition, find references and rename, over ``index.Index``."""

from __future__ import annotations

import re

from copisdsl.language import KEYWORDS
from copisdsl.syntax.tokens import TOKEN_PATTERNS
from copisdsl.workflow.lsp.documents import Snapshot
from copisdsl.workflow.lsp.index import Occurrence

_NAME = re.compile(TOKEN_PATTERNS["NAME"])
_KIND_WORDS = {"node": "stage or touchpoint", "persona": "persona", "segment": "segment",
               "data": "data source", "kpi": "KPI"}


class RenameError(ValueError):
    """A rename that would break the journey; the message says why."""


def definition(snap: Snapshot, line: int, column: int) -> Occurrence | None:
    occ = snap.index.at(line, column)
    return snap.index.definitions.get(occ.symbol) if occ is not None else None


def references(snap: Snapshot, line: int, column: int, include_declaration: bool = True) -> list[Occurrence]:
    occ = snap.index.at(line, column)
    if occ is None:
        return []
    return [o for o in snap.index.of(occ.symbol) if include_declaration or not o.definition]


def rename(snap: Snapshot, line: int, column: int, new: str) -> list[Occurrence]:
    """The occurrences to rewrite as ``new``; raises ``RenameError`` for a
    name that is no identifier, a keyword, or one already taken."""
    occ = snap.index.at(line, column)
    if occ is None:
        raise RenameError("there is no stage, touchpoint, persona, segment, data source or KPI here")
    if not _NAME.fullmatch(new):
        raise RenameError(f"'{new}' is not an identifier (letters, digits and '_', not starting with a digit)")
    if new in KEYWORDS:
        raise RenameError(f"'{new}' is a keyword of the language")
    if new == occ.name:
        return []
    clash = _clash(snap, occ, new)
    if clash:
        raise RenameError(clash)
    return snap.index.of(occ.symbol)


def _clash(snap: Snapshot, occ: Occurrence, new: str) -> str | None:
    model = snap.model
    kind, key = occ.symbol
    what = _KIND_WORDS[kind]
    if kind == "node":
        taken = new in model.touchpoints or model.stage(new) is not None
    elif kind == "persona":
        taken = new in model.personas
    elif kind == "segment":
        taken = new in model.segments
    elif kind == "data":
        taken = new in model.data
    else:
        kpi = model.kpis[key]
        same_scope = any(k.name == new for k in model.kpis_in(kpi.scope_kind, kpi.scope))
        # A reference would find another KPI of the new name first (shadowing).
        shadow = any(other.scope_kind and model.lookup_kpi(new, other.scope_kind, other.scope)
                     for other in model.kpis if any(_refers(snap, o, other) for o in snap.index.of(occ.symbol)))
        taken = same_scope or bool(shadow)
    if not taken:
        return None
    where = snap.index.definitions.get(_symbol_named(snap, kind, new))
    at = f" (line {where.span.line})" if where is not None else ""
    return f"'{new}' is already the name of a {what} in this journey{at}"


def _refers(snap: Snapshot, occ: Occurrence, kpi) -> bool:
    s = kpi.node.span
    return not occ.definition and (s.line, s.column) <= (occ.span.line, occ.span.column) <= (s.end_line, s.end_column)


def _symbol_named(snap: Snapshot, kind: str, name: str):
    for symbol, occ in snap.index.definitions.items():
        if symbol[0] == kind and occ.name == name:
            return symbol
    return None
