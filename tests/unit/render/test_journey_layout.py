"""The journey view at real size, measured in the SVG Graphviz draws: its
shape, flows that never cross a card, and card order that survives edits."""

from __future__ import annotations

import random
import re

import pytest

from copisdsl.api import check
from copisdsl.render.graphviz_run import available
from copisdsl.render.views import draw
from tests.unit.render_support import EXAMPLES, load

pytestmark = pytest.mark.skipif(not available("dot") or not available("neato"), reason="Graphviz is not installed")

STAGES = ("awareness", "consideration", "purchase", "post_purchase", "advocacy")
_GROUP = re.compile(r'<g id="(journey_(?:tp|flow)_[^"]+)" class="(node|edge)">(.*?)</g>', re.S)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def generated(touchpoints: int, seed: int, skip: str | None = None) -> str:
    """A five-stage journey: a main path through every touchpoint, side
    steps forward, and loops back; ``skip`` leaves one touchpoint out."""
    rng = random.Random(seed)
    names = [f"t{i:02d}" for i in range(touchpoints)]
    per_stage = [names[i::len(STAGES)] for i in range(len(STAGES))]
    per_stage = [sorted(group) for group in per_stage]
    lines = [f'journey gen{seed} "Generated journey {seed}" {{']
    for stage, group in zip(STAGES, per_stage):
        lines.append(f'  stage {stage} "{stage.replace("_", " ").title()}" {{')
        for name in group:
            if name == skip:
                continue
            extra = '; moment_of_truth' if rng.random() < 0.15 else ''
            lines.append(f'    touchpoint {name} "Touchpoint {name} with a longer title" '
                         f'{{ channel web; emotion {rng.randint(1, 5)}{extra} }}')
        lines.append("  }")
    order = [n for group in per_stage for n in group]
    steps = list(zip(order, order[1:]))
    steps += [(rng.choice(order[:k]), order[k]) for k in rng.sample(range(1, len(order)), 6)]
    steps += [(order[k], rng.choice(order[:k])) for k in rng.sample(range(3, len(order)), 5)]
    for k, (a, b) in enumerate(steps):
        if skip not in (a, b):
            label = ' "again"' if k % 7 == 3 else ""
            lines.append(f"  flow {a} -> {b}{label}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg_of(text: str) -> tuple[str, object]:
    result = check(text, "gen.copis")
    assert result.ok, result.diagnostics
    return draw(result.model, None, "journey", "svg").decode("utf-8"), result.model


def geometry(svg: str) -> tuple[tuple[float, float], dict[str, tuple[float, float, float, float]],
                                   dict[int, list[tuple[float, float]]]]:
    """(size in pt, card boxes by touchpoint id, flow paths sampled, by flow
    number), in the SVG's user coordinates."""
    size = tuple(float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    cards, flows = {}, {}
    for gid, kind, body in _GROUP.findall(svg):
        if kind == "node":
            xs, ys = [], []
            for points in re.findall(r'<polygon[^>]* points="([^"]+)"', body):
                values = [float(v) for v in _NUMBER.findall(points)]
                xs += values[0::2]
                ys += values[1::2]
            cards[gid.removeprefix("journey_tp_")] = (min(xs), min(ys), max(xs), max(ys))
        else:
            d = re.search(r'<path[^>]* d="([^"]+)"', body).group(1)
            values = [float(v) for v in _NUMBER.findall(d)]
            points = list(zip(values[0::2], values[1::2]))
            samples = []
            for k in range(0, len(points) - 3, 3):
                p0, p1, p2, p3 = points[k:k + 4]
                for step in range(21):
                    t = step / 20
                    samples.append(tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t * t * c
                                         + t ** 3 * e for a, b, c, e in zip(p0, p1, p2, p3)))
            flows[int(gid.removeprefix("journey_flow_"))] = samples
    return size, cards, flows


def crossings(cards, flows) -> list[tuple[int, str]]:
    """(flow, card) pairs where a flow's path runs inside a card (a point
    more than 1 pt inside its box)."""
    out = []
    for number, samples in flows.items():
        for tp, (x0, y0, x1, y1) in cards.items():
            if any(x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1 for x, y in samples):
                out.append((number, tp))
    return out


CASES = [("example", EXAMPLES / "petfood_subscription.copis")] + [("generated", seed) for seed in (1, 2, 3)]


def _case(kind, value):
    if kind == "example":
        model, figures = load(value)
        return draw(model, figures, "journey", "svg").decode("utf-8"), model
    return svg_of(generated(30, value))


@pytest.mark.parametrize("kind,value", CASES, ids=[f"{k}-{v if k == 'generated' else 'petfood'}" for k, v in CASES])
def test_thirty_touchpoints_stay_within_three_to_one_and_no_flow_crosses_a_card(kind, value) -> None:
    svg, model = _case(kind, value)
    (width, height), cards, flows = geometry(svg)
    assert len(cards) == len(model.touchpoints) >= 29
    assert max(width / height, height / width) <= 3.0, (width, height)
    loops = {i for i, edge in enumerate(model.flows, 1) if edge.back}
    assert loops, "the case has loops"
    assert set(flows) == set(range(1, len(model.flows) + 1))
    assert crossings({k: v for k, v in cards.items()}, {i: flows[i] for i in loops}) == []
    assert crossings(cards, flows) == []  # forward steps too


def test_the_crossing_check_sees_a_crossing() -> None:
    cards = {"a": (0.0, 0.0, 100.0, 50.0)}
    assert crossings(cards, {1: [(-10.0, 25.0), (50.0, 25.0), (110.0, 25.0)]}) == [(1, "a")]
    assert crossings(cards, {1: [(-10.0, 60.0), (110.0, 60.0)]}) == []


def _reading_order(svg: str, model) -> list[str]:
    _, cards, _ = geometry(svg)
    stage_of = {tp.id: tp.stage for tp in model.touchpoints.values()}
    stages = [s.id for s in model.stages]
    return sorted(cards, key=lambda tp: (stages.index(stage_of[tp]), round(cards[tp][0]), cards[tp][1]))


@pytest.mark.parametrize("skip", ["t07", "t12", "t23"])
def test_removing_a_touchpoint_keeps_the_others_in_their_order(skip: str) -> None:
    before = _reading_order(*svg_of(generated(30, 5)))
    after = _reading_order(*svg_of(generated(30, 5, skip=skip)))
    assert [tp for tp in before if tp != skip] == after


def test_a_forward_step_written_against_the_stage_order_is_not_dashed() -> None:
    svg, model = svg_of('journey j "J" {\n stage s "S" {\n  touchpoint product "Product page" {}\n'
                        '  touchpoint finder "Food finder" {}\n }\n flow finder -> product\n}\n')
    assert not model.flows[0].back
    flow = re.search(r'<g id="journey_flow_1" class="edge">(.*?)</g>', svg, re.S).group(1)
    assert "stroke-dasharray" not in flow
