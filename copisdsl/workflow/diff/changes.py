"""The result of a semantic diff: changes grouped for display."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

#: the groups of a diff, in the order they are shown, with their headings
GROUPS = {
    "journey": "Journey",
    "stages": "Stages",
    "touchpoints": "Touchpoints",
    "moments": "Moments of truth, re-purchase and fail points",
    "objectives": "Objectives",
    "kpis": "KPIs",
    "flows": "Flows",
    "segments": "Segments",
    "personas": "Personas",
    "data": "Data and CLV",
}
KINDS = ("added", "removed", "renamed", "changed")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One property with its old and new value (``None``: not set)."""

    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Change:
    """One difference.

    ``kind`` is ``added``, ``removed``, ``renamed`` or ``changed``; ``what``
    the kind of entity (``touchpoint``, ``kpi``, ``stage order`` ...).
    ``name`` is an identifier (or ``a -> b`` for a flow), ``title`` a quoted
    user string, ``where`` the scope as (kind, id), ``detail`` the entity's
    main value as source text, ``old_name`` the id before a rename and
    ``fields`` what changed.
    """

    group: str
    kind: str
    what: str
    name: str | None = None
    title: str | None = None
    where: tuple[str, str] | None = None
    detail: str | None = None
    old_name: str | None = None
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class JourneyDiff:
    """The differences between two versions of one journey, grouped and in
    a stable order (groups as ``GROUPS``, then declaration order)."""

    old_id: str | None
    new_id: str | None
    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        """How many changes of each kind (``added`` ... ``changed``)."""
        tally = Counter(c.kind for c in self.changes)
        return {kind: tally[kind] for kind in KINDS}

    def by_group(self) -> list[tuple[str, list[Change]]]:
        """(group, its changes) for the groups that have any."""
        return [(g, [c for c in self.changes if c.group == g]) for g in GROUPS
                if any(c.group == g for c in self.changes)]
