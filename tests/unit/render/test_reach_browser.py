"""The event log's pictures as a browser shows them (headless Chromium):
the report with the ranked moments of truth and the map with each card's
reach fits a laptop's 1,400 px without sideways scrolling, and a phone's
390 px page never scrolls sideways. Figures are made by hand: the golden
case's (tests/golden/render/volumes.figures.json) and, for the size real
teams map, the eyewear example's touchpoints with made-up reach."""

from __future__ import annotations

import copy

import pytest

from conftest import has_chromium, has_dot
from copisdsl.data.figures import FlowVolume, Reach
from render_support import EXAMPLES, FIXTURES, browser_checks, load, report_page

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (has_dot() and has_chromium()), reason="needs Graphviz and Chromium")]
WIDTHS = (1400, 390)


def _made_up(model, figures):
    """Every touchpoint reached by fewer customers the later it comes,
    with a value at stake, and every flow taken by some of them."""
    figures = copy.deepcopy(figures)
    tps = [tp for stage in model.stages for tp in stage.touchpoints]
    segments = list(model.segments)
    figures.reach = {}
    for k, tp in enumerate(tps):
        customers = 48_000 - 1_500 * k
        split = {sid: customers // (j + 2) for j, sid in enumerate(segments)}
        figures.reach[tp.id] = Reach(customers, customers / 50_000, 1_234_567.891 - 20_000.0 * k, split)
    figures.flow_volumes = [FlowVolume(1_000 * (k % 9), 0.25, 3.5) for k in range(len(model.flows))]
    return figures


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[tuple[str, int], dict]:
    out = tmp_path_factory.mktemp("site")
    small = load(FIXTURES / "volumes.copis")
    model, figures = load(EXAMPLES / "eyewear_online.copis")
    pages = {"volumes": report_page(*small, out / "volumes"),
             "eyewear": report_page(model, _made_up(model, figures), out / "eyewear")}
    asked = [(page, width) for page in pages.values() for width in WIDTHS]
    found = browser_checks(asked, tmp_path_factory.mktemp("browser"))
    names = {page: name for name, page in pages.items()}
    return {(names[page], width): result for (page, width), result in zip(asked, found)}


@pytest.mark.parametrize("journey", ["volumes", "eyewear"])
def test_the_ranked_table_and_the_map_fit_a_laptop(results, journey: str) -> None:
    result = results[(journey, 1400)]
    assert result["problems"] == []
    stake = result["stake"]
    assert stake is not None and stake["rows"] >= 4
    assert stake["scrollWidth"] <= stake["clientWidth"] + 1, stake  # the table does not scroll sideways
    wall = result["wall"]
    assert wall["id"] == "map" and wall["fitted"]
    assert wall["scrollWidth"] <= wall["clientWidth"] + 1, wall  # nor does the map with its reach lines
    assert wall["smallestText"] >= 11, wall


@pytest.mark.parametrize("journey", ["volumes", "eyewear"])
def test_a_phone_never_scrolls_sideways(results, journey: str) -> None:
    result = results[(journey, 390)]
    assert result["width"] == 390 and result["problems"] == []  # includes: the page is no wider than 390 px
    stake = result["stake"]
    assert stake["scrollWidth"] <= stake["clientWidth"] + 1, stake  # on a phone the rows are cards
