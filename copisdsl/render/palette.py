"""Colours shared by the diagrams and the report.

Text always sits on white or on a light tint (contrast above 7:1 with
``INK``); saturated colours carry no text except white on the marker
pills, which stay above 4.5:1.
"""

from __future__ import annotations

# emotion 1 (worst) .. 5 (best): a saturated colour for strips and dots,
# a light tint for backgrounds that carry text.
EMOTION = {
    1: ("#d73027", "#fbe3e0"),
    2: ("#f46d43", "#fdeadf"),
    3: ("#e0b400", "#fdf6d6"),
    4: ("#66bd63", "#e6f4e2"),
    5: ("#1a9850", "#d5efdd"),
}
NO_EMOTION = ("#8c959f", "#f6f8fa")
EMOTION_WORDS = {1: "very negative", 2: "negative", 3: "neutral", 4: "positive", 5: "very positive"}

MOMENT = "#8250df"  # moment of truth pill, white text 5.0:1
REPURCHASE = "#0969da"  # re-purchase pill and loop edges, white text 5.2:1
MISSING_FILL = "#ffebe9"
MISSING_INK = "#a40e26"  # 7.4:1 on MISSING_FILL
STATUS = {"met": "#1a7f37", "not_met": "#cf222e", "no_data": "#57606a"}


def emotion_colours(emotion: int | None) -> tuple[str, str]:
    """(strong, tint) for an emotion score, grey when there is none."""
    return EMOTION.get(emotion, NO_EMOTION) if emotion is not None else NO_EMOTION
