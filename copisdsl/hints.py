"""Closest-name suggestions for hints."""

from __future__ import annotations

import difflib
from typing import Iterable


def closest(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most like ``name`` (case-insensitive; ``difflib``'s
    ratio at least ``cutoff``), or None."""
    pool = [c for c in dict.fromkeys(candidates) if c != name]
    if not pool:
        return None
    lowered = {c.lower(): c for c in pool}
    if name.lower() in lowered:
        return lowered[name.lower()]
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[match[0]] if match else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest candidate, or None."""
    best = closest(name, candidates)
    return f"did you mean '{best}'?" if best else None
