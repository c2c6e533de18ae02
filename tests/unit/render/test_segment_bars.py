"""The bar chart of a KPI by segment (§12.1): one bar per segment with a
value, from a zero axis (negative values to its left), every label escaped,
the values in the chart's accessible name, within the phone layout."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings, strategies as st

from copisdsl.render.segment_bars import WIDTH, segment_bars
from profiles import examples

SVG = "{http://www.w3.org/2000/svg}"


def _bars(markup: str) -> list[tuple[float, float]]:
    root = ET.fromstring(markup)
    return [(float(r.get("x")), float(r.get("width"))) for r in root.iter(f"{SVG}rect")]


def _axis(markup: str) -> float:
    root = ET.fromstring(markup)
    return float(next(root.iter(f"{SVG}line")).get("x1"))


def test_values_labels_and_no_data():
    markup = segment_bars("nps", "points", {"vip": 40.0, "rest": -20.0, "none": None},
                          {"vip": "High value", "rest": "Everyone else", "none": "Nobody"})
    root = ET.fromstring(markup)
    assert root.get("aria-label") == "nps by segment: High value 40 pts; Everyone else -20 pts; Nobody no data"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["High value", "40 pts", "Everyone else", "-20 pts", "Nobody", "no data"]
    (x1, w1), (x2, w2) = _bars(markup)  # no bar for the segment without a value
    zero = _axis(markup)
    assert abs(x1 - zero) < 0.11 and x2 + w2 <= zero + 0.11 < x1 + w1
    assert abs(w1 / w2 - 2) < 0.02  # proportional to the values
    assert int(root.get("width")) == WIDTH <= 390 - 40


def test_a_long_name_is_shortened_with_its_full_text_in_the_tooltip():
    name = "Customers who bought three times this year"
    root = ET.fromstring(segment_bars("k", "count", {"s": None}, {"s": name}))
    label = next(root.iter(f"{SVG}text"))
    assert label.text.endswith("\u2026") and len(label.text) <= 16
    assert label.find(f"{SVG}title").text == name


def test_every_user_string_is_escaped():
    hostile = '<script>alert("x")</script> & \u202eevil'
    markup = segment_bars('k<"', "number", {"s": 1.0}, {"s": hostile})
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    root = ET.fromstring(markup)  # well-formed XML
    assert "\u202e" not in markup  # bidirectional controls made visible, as everywhere in the report
    assert root.get("aria-label").startswith('k<" by segment: ')


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1, max_size=8))
def test_bars_stay_inside_the_chart(values):
    by = {f"s{i}": v for i, v in enumerate(values)}
    markup = segment_bars("k", "number", by, {})
    bars = _bars(markup)
    assert len(bars) == sum(v is not None for v in values)
    for x, w in bars:
        assert 0 <= x and x + w <= WIDTH + 1e-6
    assert re.search(r'role="img"', markup)
