"""``text_order``: the order of customer IDs, skipping the sort when they are sorted."""

from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

from copisdsl.data.ids import text_order


# numpy's text arrays drop trailing NULs when built, so IDs without them
@given(st.lists(st.text(st.characters(blacklist_characters="\x00"), max_size=6)))
def test_text_order_sorts_as_a_stable_argsort(values):
    ids = np.array(values, dtype=str)
    assert list(ids[text_order(ids)]) == sorted(values)
    assert list(np.arange(len(ids))[text_order(ids)]) == list(np.argsort(ids, kind="stable"))


def test_sorted_ids_are_the_whole_slice_and_others_an_index():
    assert text_order(np.array(["007", "7", "a"])) == slice(None)
    assert list(text_order(np.array(["7", "007", "a"]))) == [1, 0, 2]


@given(st.lists(st.text(st.characters(blacklist_characters="\x00"), max_size=6)))
def test_python_strings_are_put_in_the_order_of_fixed_width_text(values):
    """DuckDB's IDs come as Python strings (an object array), sorted by
    code point; a driver's unsorted ones are sorted as fixed-width text."""
    objects, text = np.array(values, dtype=object), np.array(values, dtype=str)
    positions = np.arange(len(values))
    by_code_point = sorted(range(len(values)), key=values.__getitem__)  # Python's stable sort: the oracle
    assert list(positions[text_order(objects)]) == list(positions[text_order(text)]) == by_code_point
