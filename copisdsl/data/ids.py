"""Customer IDs as text, in text order (the order of every per-customer
array, reference §14)."""

from __future__ import annotations

import numpy as np


def text_order(ids: np.ndarray) -> np.ndarray | slice:
    """The stable order that sorts ``ids`` (an array of text): an index
    array, or the whole slice when they are sorted already, as the IDs of
    a summary are (a check of 1,000,000 IDs is 10 ms, their sort 100 ms,
    and indexing by the slice copies nothing)."""
    if len(ids) < 2 or bool((ids[1:] >= ids[:-1]).all()):
        return slice(None)
    return np.argsort(ids, kind="stable")
