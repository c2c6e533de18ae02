"""The mind map at real size: a balanced two-sided tree about as wide as it
is tall, with text wrapped between words, never inside one."""

from __future__ import annotations

import html
import re

import pytest

from copisdsl.api import check
from copisdsl.render.graphviz_run import available
from copisdsl.render.views import draw
from render_support import EXAMPLES, load

pytestmark = pytest.mark.skipif(not available("dot"), reason="Graphviz is not installed")

LONG_KPI = "checkout_completion_rate_of_returning_customers"


def _words(model) -> set[str]:
    strings = [model.title] + [s.title for s in model.stages]
    for tp in model.touchpoints.values():
        strings.append(tp.title)
        strings += [v.text for values in tp.elements.values() for v in values]
    strings += [v.text for values in model.elements.values() for v in values]
    for stage in model.stages:
        strings += [v.text for values in stage.elements.values() for v in values]
    for obj in model.objectives:
        strings += [obj.text, obj.direction or "", obj.metric or "", "to"]
    strings += [k.name for k in model.kpis] + list(model.framework.labels) + ["KPI", "Objective", "no", "data", "pts", "pp"]  # units of shown values
    return {word.strip(",") for s in strings for word in s.split()}


def _texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def _broken(svg: str, words: set[str]) -> list[str]:
    """Tokens of the drawing that are not whole words of the journey (a
    number, or a word cut short with an ellipsis, is fine)."""
    out = []
    for line in _texts(svg):
        for token in line.split():
            token = token.strip(",=")
            if token and token not in words and not re.search(r"\d", token) and not token.endswith("\u2026"):
                out.append(token)
    return out


def test_thirty_touchpoints_stay_about_square_and_no_word_is_broken() -> None:
    model, figures = load(EXAMPLES / "petfood_subscription.copis")
    svg = draw(model, figures, "mindmap", "svg").decode("utf-8")
    width, height = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert max(width / height, height / width) <= 1.6, (width, height)
    assert width * height < 2500 * 2500  # the radial map of this journey was 3,456 x 3,376 pt
    assert _broken(svg, _words(model)) == []


def test_a_long_name_keeps_its_line_whole_and_both_sides_are_used() -> None:
    text = (f'journey j "J" {{\n stage a "A" {{ touchpoint t1 "One" {{ kpi {LONG_KPI} = 0.5 }} }}\n'
            ' stage b "B" { touchpoint t2 "Two" { process "Pay, confirm and wait for the receipt" } }\n}\n')
    result = check(text, "j.copis")
    svg = draw(result.model, None, "mindmap", "svg").decode("utf-8")
    assert any(LONG_KPI in line for line in _texts(svg))
    assert _broken(svg, _words(result.model)) == []
    centre = {}
    for name in ("journey", "stage_a", "stage_b"):
        body = re.search(rf'<g id="mindmap_{name}" class="node">(.*?)</g>', svg, re.S).group(1)
        xs = [float(v) for v in re.findall(r'<text[^>]* x="([-\d.]+)"', body)]
        centre[name] = sum(xs) / len(xs)
    assert centre["stage_a"] > centre["journey"] > centre["stage_b"]  # one stage each side


def test_the_broken_word_check_sees_a_broken_word() -> None:
    assert _broken('<text x="1">checkout_completio</text><text x="1">n 52%</text>', {"checkout_completion"}) \
        == ["checkout_completio", "n"]
