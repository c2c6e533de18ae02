"""The map and blueprint views at the size real teams map: 30 touchpoints
over five stages stay within the report's width with no text under 9 pt
(12 px at 1:1), more stages wrap into bands, and drawings are byte-identical."""

from __future__ import annotations

import re

import pytest

from conftest import has_dot
from copisdsl.api import check
from copisdsl.render.views import draw, view_dot

MAX_WIDTH_PT = 890  # 1,187 px: the report's 1,200 px page with no scaling


def journey(stages: int, per_stage: int) -> str:
    lines = ['journey big "A journey at real size, with a title long enough to wrap somewhere" {',
             '  customer "c"; objective "o"; process "Step one", "Step two"; information "i"; service "s"',
             '  support "CRM"']
    n = 0
    for s in range(stages):
        lines.append(f'  stage s{s} "Stage number {s} with a longer name" {{')
        for _ in range(per_stage):
            n += 1
            lines += [f'    touchpoint t{n} "Touchpoint {n}: reads the reminder email with a discount code" {{',
                      f'      channel web; emotion {n % 5 + 1}', f'      kpi k{n} = {n}%',
                      '      pain "Too many steps before the price is shown"',
                      '      evidence "Confirmation email"; frontstage "Agent answers the chat"',
                      '      backstage "Warehouse picks the order"',
                      '      fail_point "Parcel late"' if n % 4 == 0 else '      moment_of_truth',
                      '    }']
        lines.append('  }')
    lines.append('  objective "Lift" increase k1 to 40%')
    return "\n".join(lines + ["}"]) + "\n"


def model_of(text: str):
    result = check(text, "big.copis")
    assert result.ok, result.diagnostics
    return result.model


@pytest.mark.parametrize("view", ["map", "blueprint"])
def test_no_text_under_nine_points(view: str) -> None:
    dot = view_dot(model_of(journey(5, 6)), None, view)
    sizes = [float(v) for v in re.findall(r'POINT-SIZE="([\d.]+)"', dot) + re.findall(r"fontsize=([\d.]+)", dot)]
    assert sizes and min(sizes) >= 9


@pytest.mark.skipif(not has_dot(), reason="Graphviz is not installed")
@pytest.mark.parametrize("view", ["map", "blueprint"])
@pytest.mark.parametrize("stages", [5, 7])
def test_thirty_touchpoints_fit_the_report(view: str, stages: int) -> None:
    model = model_of(journey(stages, 30 // 5))
    svg = draw(model, None, view, "svg")
    assert svg == draw(model, None, view, "svg")  # deterministic
    width = float(re.search(rb'<svg width="([\d.]+)pt"', svg).group(1))
    assert width <= MAX_WIDTH_PT, width
    if view == "map":  # 7 stages wrap into a second band of columns
        assert svg.count(b'id="map_lane_2_stages"') == (1 if stages > 5 else 0)
    # every touchpoint is drawn, and every emotion dot too
    assert all(f'id="{view}_{"tp" if view == "map" else "customer"}_t{n}"'.encode() in svg
               for n in range(1, stages * 6 + 1))


def test_cards_and_curve_follow_the_stage_columns() -> None:
    """Each emotion dot lies inside its stage's column, in card order."""
    dot = view_dot(model_of(journey(5, 6)), None, "map")
    xs = {int(m.group(1)): float(m.group(2)) for m in
          re.finditer(r'"map_emotion_t(\d+)" \[.*?pos="([\d.]+),', dot)}
    assert sorted(xs) == list(range(1, 31))
    assert [xs[n] for n in sorted(xs)] == sorted(xs.values())  # left to right in journey order
