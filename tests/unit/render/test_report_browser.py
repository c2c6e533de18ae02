"""The reports as a browser shows them (headless Chromium, at a laptop's and
a phone's width): no page wider than the window, every diagram label inside
its box, text contrast at least 4.5:1, nothing active in the page. The
checks are in report_checks.js."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import has_chromium, has_dot
from copisdsl.workflow.build import build_paths
from render_support import EXAMPLE_CASES, FIXTURE_CASES, browser_checks

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (has_dot() and has_chromium()), reason="needs Graphviz and Chromium")]
WIDTHS = (1400, 390)  # a laptop, a phone
#: the realistic examples (29 and 30 touchpoints over five stages)
LARGE = ("petfood", "bank")


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[tuple[str, int], dict]:
    out = tmp_path_factory.mktemp("site")
    builds = build_paths(FIXTURE_CASES + EXAMPLE_CASES, out)
    assert all(b.ok for b in builds), [(b.source, b.error) for b in builds]
    pages = [(b.report, width) for b in builds for width in WIDTHS] + [(out / "index.html", 400)]
    found = browser_checks(pages, tmp_path_factory.mktemp("browser"))
    return {(page.parent.name if page.name == "index.html" and page.parent != out else "(index)", width): result
            for (page, width), result in zip(pages, found)}


@pytest.mark.parametrize("width", WIDTHS)
def test_reports_look_right(results, width: int) -> None:
    reports = {key: value for key, value in results.items() if key[1] == width and key[0] != "(index)"}
    assert len(reports) == len(FIXTURE_CASES + EXAMPLE_CASES)
    problems = {key[0]: value["problems"] for key, value in reports.items() if value["problems"]}
    assert problems == {}
    assert all(value["width"] == width for value in reports.values())  # the frame had the width asked
    assert all(value["sections"] >= 12 for value in reports.values())


@pytest.mark.parametrize("journey", LARGE)
def test_the_first_picture_of_a_large_journey_fits_a_laptop_readably(results, journey: str) -> None:
    """At 1,400 px the wall picture (the map, else the journey) opens fitted,
    its box does not scroll sideways, and no text in it is under 11 px."""
    wall = results[(journey, 1400)]["wall"]
    assert wall is not None and wall["fitted"]
    assert wall["scrollWidth"] <= wall["clientWidth"] + 1, wall
    assert wall["smallestText"] >= 11, wall
    assert results[(journey, 390)]["problems"] == []  # the page never scrolls sideways on a phone


def test_index_fits_a_phone(results) -> None:
    assert results[("(index)", 400)]["problems"] == []


def test_the_checks_catch_problems(tmp_path: Path) -> None:
    """The same checks on a page with each fault put in by hand."""
    [build] = build_paths([FIXTURE_CASES[0]], tmp_path / "out")
    page = build.report.read_text(encoding="utf-8")
    page = page.replace("<h1>", '<p style="color:#bbbbbb">faint</p><div style="width:2000px">wide</div>'
                                '<img src="x.png"><h1>', 1)
    page = re.sub(r'(<g id="journey_tp_search_ad" class="node">.*?<text[^>]*? x=")([\d.]+)',
                  lambda m: m.group(1) + str(float(m.group(2)) + 400), page, count=1, flags=re.S)
    assert page.count("journey_tp_search_ad") == 1
    broken = tmp_path / "broken.html"
    broken.write_text(page, encoding="utf-8")
    [result] = browser_checks([(broken, 390)], tmp_path)
    problems = result["problems"]
    widest = "px wide in a 390px window: widest main > header#overview.top > div (right edge 2012px"
    assert any(p.startswith("page is ") and widest in p for p in problems), problems
    assert any(p.startswith("contrast 1.") and p.endswith('for "faint"') for p in problems)
    assert 'journey-diagram: "Search ad" overflows journey_tp_search_ad' in problems
    assert "unexpected <img>" in problems


def test_the_wall_metrics_see_small_text_and_a_scrolling_box(tmp_path: Path) -> None:
    [build] = build_paths([EXAMPLE_CASES[0]], tmp_path / "out")
    page = build.report.read_text(encoding="utf-8")
    page = page.replace('id="fit-map" checked', 'id="fit-map"')  # the wall (the map) opens at its actual size
    start = page.index('<section id="map"')  # the map's first text (a stage title) made tiny
    page = page[:start] + re.sub(r'font-size="[\d.]+"', 'font-size="6.00"', page[start:], count=1)
    narrow = tmp_path / "narrow.html"
    narrow.write_text(page, encoding="utf-8")
    [result] = browser_checks([(narrow, 390)], tmp_path)
    wall = result["wall"]
    assert not wall["fitted"] and wall["scrollWidth"] > wall["clientWidth"] + 1
    assert wall["smallestText"] < 11
