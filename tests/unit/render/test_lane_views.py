"""The map and blueprint views at the size real teams map: 30 touchpoints
over five stages stay within the report's width with no text under 9 pt
(12 px at 1:1), more stages wrap into bands, and drawings are byte-identical."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from conftest import has_dot
from profiles import examples
from copisdsl.api import check
from copisdsl.render.lanes import measure
from copisdsl.render.views import draw, view_dot

MAX_WIDTH_PT = 890  # 1,187 px: the report's 1,200 px page with no scaling


def journey(stages: int, per_stage: int) -> str:
    return journey_of([per_stage] * stages)


def journey_of(counts: list[int]) -> str:
    """A journey with ``counts[s]`` touchpoints in stage ``s``."""
    lines = ['journey big "A journey at real size, with a title long enough to wrap somewhere" {',
             '  customer "c"; objective "o"; process "Step one", "Step two"; information "i"; service "s"',
             '  support "CRM"']
    n = 0
    for s, per_stage in enumerate(counts):
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


# A dot's SVG: its circle, then the number it carries (Graphviz keeps this order).
SVG_DOT = re.compile(r'<g id="map_emotion_t(\d+)" class="node">\s*<title>[^<]*</title>\s*'
                     r'<ellipse [^>]*cx="([-\d.]+)" cy="([-\d.]+)" rx="([\d.]+)"[^>]*/>\s*'
                     r'(?:<text [^>]*>([^<]*)</text>)?')


@pytest.mark.skipif(not has_dot(), reason="Graphviz is not installed")
@pytest.mark.parametrize("counts", [[6, 6, 6, 6, 6], [8, 8, 6, 4, 4], [4, 12, 9, 3, 2], [30, 0, 0, 0, 0],
                                    [2, 9, 3, 10, 6, 0]])
def test_every_emotion_dot_keeps_its_number(counts: list[int]) -> None:
    """At 30 touchpoints, however they crowd a stage, every dot of the
    emotion lane carries its card's number inside its ring, and no two dots
    of a stage overlap."""
    svg = draw(model_of(journey_of(counts)), None, "map", "svg").decode("utf-8")
    dots = {int(m[1]): (float(m[2]), float(m[3]), float(m[4]), m[5]) for m in SVG_DOT.finditer(svg)}
    assert sorted(dots) == list(range(1, sum(counts) + 1))
    for n, (_, _, radius, label) in dots.items():
        assert label == str(n)
        assert 2 * radius >= measure(label, 9) + 2.5, (n, radius)  # the number clears the ring
    first = 1
    for count in counts:
        row = [dots[n] for n in range(first, first + count)]
        assert all(b[0] - a[0] >= a[2] + b[2] for a, b in zip(row, row[1:])), count
        first += count


@given(st.lists(st.integers(0, 14), min_size=1, max_size=7))
@settings(max_examples=examples(60), deadline=None)
def test_every_dot_numbered_in_the_dot(counts: list[int]) -> None:
    """The same in the DOT, for any spread of touchpoints: each dot is
    labelled with its number and wide enough for it."""
    dot = view_dot(model_of(journey_of(counts)), None, "map")
    found = {int(m[1]): (float(m[2]) * 72, m[3]) for m in
             re.finditer(r'"map_emotion_t(\d+)" \[[^\]]*?width=([\d.]+)[^\]]*? label="(\d*)"', dot)}
    assert sorted(found) == list(range(1, sum(counts) + 1))
    assert all(label == str(n) and size >= measure(label, 9) + 2.4 for n, (size, label) in found.items())


# A marker pill: its box (a polygon, left and right x), then its label.
SVG_PILL = re.compile(r'<polygon fill="(?:#8250df|#0969da|#cf222e)" stroke="transparent" points="([-\d.]+),'
                      r'[-\d.]+ [-\d.]+,[-\d.]+ ([-\d.]+),[^"]*"/>\s*<text text-anchor="start" x="([-\d.]+)"[^>]*>'
                      r'([^<]*)</text>')


@pytest.mark.skipif(not has_dot(), reason="Graphviz is not installed")
@pytest.mark.parametrize("view, labels", [("map", {"Moment of truth", "Fail point"}),
                                          ("blueprint", {"Fail point"}), ("journey", {"Moment of truth"})])
def test_pill_labels_keep_their_margins(view: str, labels: set[str]) -> None:
    """A pill's label starts a margin inside it (a leading space would be
    dropped by the browser and leave the label against the left edge)."""
    svg = draw(model_of(journey(5, 6)), None, view, "svg").decode("utf-8")
    found = SVG_PILL.findall(svg)
    assert {label for *_, label in found} == labels
    size = 10 if view == "journey" else 9
    for left, right, x, label in found:
        assert label == label.strip()
        assert float(x) - float(left) >= 3, (label, left, x)
        assert float(x) + measure(label, size, bold=True) - 2 <= float(right), (label, x, right)


@given(st.text(alphabet=st.sampled_from(list("abcWM\u4e00 ")), max_size=60), st.integers(20, 200))
def test_fit_keeps_every_character_and_each_line_fits(value: str, width: int) -> None:
    """Wrapping cuts between words or inside a word too long for a line,
    and drops only the blanks it breaks at (a one-character line may not fit)."""
    from copisdsl.render.lanes import fit

    lines = fit(value, width, 9)
    assert "".join(lines).replace(" ", "") == value.replace(" ", "")
    assert all(measure(line, 9) <= width or len(line) == 1 for line in lines)


def test_a_word_of_eighty_thousand_characters_is_cut_into_lines_that_fit() -> None:
    """Each line is measured once (a long word was measured whole after every
    cut: 9.5 s at 80,000 characters), and with ``max_lines`` nothing past
    them is wrapped; the lines are the same as for a short word's pieces."""
    from copisdsl.render.lanes import fit

    word = "abcdefghij" * 8_000
    lines = fit(word, 120, 9)
    assert "".join(lines) == word and all(measure(line, 9) <= 120 for line in lines)
    short = fit(word[:2_000], 120, 9)
    assert short[:-1] == lines[: len(short) - 1]
    cut = fit(word, 120, 9, max_lines=3)
    assert len(cut) == 3 and cut[:2] == lines[:2] and cut[2].endswith("\u2026")


@pytest.mark.skipif(not has_dot(), reason="Graphviz (dot) is not installed")
@pytest.mark.parametrize("view", ["map", "blueprint", "journey", "copis", "mindmap"])
def test_every_view_draws_a_title_of_eighty_thousand_characters(view: str) -> None:
    """Graphviz refuses an HTML label over 16,384 characters: a word that
    long is split into lines in every view, the mind map's too."""
    word = "x" * 80_000
    result = check(f'journey j "J" {{\n  stage s "S" {{ touchpoint t "{word}" {{ pain "{word}" }} }}\n}}\n')
    assert result.model is not None
    svg = draw(result.model, None, view, "svg").decode("utf-8")
    assert "<svg" in svg and "xxxxxxxxxx" in svg
