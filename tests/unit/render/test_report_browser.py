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
def site(tmp_path_factory) -> tuple[Path, list]:
    """Every fixture and example built once, for both colour schemes."""
    out = tmp_path_factory.mktemp("site")
    builds = build_paths(FIXTURE_CASES + EXAMPLE_CASES, out)
    assert all(b.ok for b in builds), [(b.source, b.error) for b in builds]
    return out, builds


def _checked(site, work: Path, scheme: str) -> dict[tuple[str, int], dict]:
    """Each report at each of ``WIDTHS`` and the index at 400 px, in
    ``scheme``: the browser checks' result by (journey folder or
    "(index)", width)."""
    out, builds = site
    pages = [(b.report, width) for b in builds for width in WIDTHS] + [(out / "index.html", 400)]
    found = browser_checks(pages, work, scheme=scheme)
    return {(page.parent.name if page.name == "index.html" and page.parent != out else "(index)", width): result
            for (page, width), result in zip(pages, found)}


@pytest.fixture(scope="module")
def results(site, tmp_path_factory) -> dict[tuple[str, int], dict]:
    return _checked(site, tmp_path_factory.mktemp("browser"), "light")


@pytest.fixture(scope="module")
def dark_results(site, tmp_path_factory) -> dict[tuple[str, int], dict]:
    return _checked(site, tmp_path_factory.mktemp("browser-dark"), "dark")


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


@pytest.mark.parametrize("width", WIDTHS)
def test_the_reports_read_in_the_dark(site, dark_results, width: int) -> None:
    """In the dark colour scheme every text of the reports keeps its
    contrast, and the COPIS matrix's row heads are tinted dark (lighter
    than the page, nowhere near the pale tints of the light scheme)."""
    reports = {key[0]: value for key, value in dark_results.items() if key[1] == width and key[0] != "(index)"}
    assert len(reports) == len(FIXTURE_CASES + EXAMPLE_CASES)
    assert {name: value["problems"] for name, value in reports.items() if value["problems"]} == {}
    assert all(value["dark"] and value["width"] == width for value in reports.values())
    examples = {b.report.parent.name for b in site[1] if b.source in EXAMPLE_CASES}
    assert len(examples) == len(EXAMPLE_CASES)
    heads = {name: reports[name]["rowHeads"] for name in examples}
    assert all(h is not None and h["lightest"] < 0.3 and h["darkest"] > h["page"] for h in heads.values()), heads


def test_index_fits_a_phone(results, dark_results) -> None:
    assert results[("(index)", 400)]["problems"] == []
    assert dark_results[("(index)", 400)]["problems"] == []


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


def _pixel(png: bytes) -> tuple[int, int, int]:
    """The colour of a 1 x 1 PNG (as Chromium's screenshots write them: 8-bit
    RGB or RGBA, one IDAT)."""
    import struct
    import zlib

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(png):
        size, kind = struct.unpack(">I4s", png[at:at + 8])
        chunks[kind] = chunks.get(kind, b"") + png[at + 8:at + 8 + size]
        at += 12 + size
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (width, height, depth) == (1, 1, 8) and colour in (2, 6)
    row = zlib.decompress(chunks[b"IDAT"])
    assert row[0] in range(5)  # every filter predicts 0 for the first pixel: its bytes are the colour
    return row[1], row[2], row[3]


def _lightness(rgb: tuple[int, int, int]) -> float:
    return sum(rgb) / (3 * 255)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_map_cards_read_as_cards_in_both_schemes(tmp_path: Path, scheme: str) -> None:
    """In the dark the inverted map's cards are a dark grey lighter than the
    page (a full inversion made them black, darker than the page), and in
    the light they stay white on white paper."""
    import base64

    from cdp import Chromium

    [build] = build_paths([EXAMPLE_CASES[0].parent / "bank_account.copis"], tmp_path / "out")
    with Chromium() as browser:
        page = browser.new_page("about:blank")
        session = page.session
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
        browser.call("Emulation.setEmulatedMedia",
                     {"features": [{"name": "prefers-color-scheme", "value": scheme}]}, session=session)
        browser.call("Page.navigate", {"url": build.report.as_uri()}, session=session)
        page.wait_for("document.readyState === 'complete' && !!document.getElementById('map_tp_press')")
        # a point inside a card, clear of its text: above its bottom border, left of its right one
        x, y = page.evaluate("(function () { const r = document.getElementById('map_tp_press')"
                             ".getBoundingClientRect(); return [r.right - 6, r.bottom - 6]; })()")

        def colour_at(px: float, py: float) -> tuple[int, int, int]:
            shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                "clip": {"x": px, "y": py, "width": 1, "height": 1, "scale": 1}},
                                session=session)
            return _pixel(base64.b64decode(shot["data"]))

        card, paper = colour_at(x, y), colour_at(3, 3)
    if scheme == "light":
        assert card == (255, 255, 255) and paper == (255, 255, 255)
    else:
        assert _lightness(paper) < 0.1, paper
        assert 0.08 < _lightness(card) < 0.2 and _lightness(card) > _lightness(paper) + 0.03, (card, paper)
