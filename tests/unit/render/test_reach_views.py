"""Moments of truth in the pictures (reference §12.2): each card's reach on
the map and the journey view, flows drawn as wide as their customers with
their figures on hover and a legend, and the report's ranking of the
moments of truth by value at stake. Figures are made by hand
(tests/golden/render/volumes.figures.json, or below), never computed."""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from conftest import has_dot
from copisdsl.data.figures import FlowVolume, Reach
from copisdsl.render import journey, map as map_view
from copisdsl.render.reach import MAX_PEN, MIN_PEN, pen_width, reach_text
from copisdsl.render.report import OTHERS_SHOWN, stake_context
from copisdsl.render.views import draw, view_dot
from render_support import EXAMPLES, FIXTURES, load, report_page
from test_report import parse

needs_dot = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")
CASE = FIXTURES / "volumes.copis"


def _without_event_log(figures):
    bare = copy.deepcopy(figures)
    bare.reach, bare.flow_volumes = None, None
    return bare


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_pen_widths_are_bounded_and_grow_with_customers(customers: int, most: int) -> None:
    customers = min(customers, most)
    width = pen_width(customers, most)
    assert MIN_PEN <= width <= MAX_PEN
    assert pen_width(most, most) == MAX_PEN and pen_width(0, most) == MIN_PEN
    if customers < most:
        assert width <= pen_width(customers + 1, most)


def test_no_flow_volumes_means_thin_flows() -> None:
    assert pen_width(0, 0) == MIN_PEN


def test_reach_reads_compactly() -> None:
    assert reach_text(Reach(1240, 0.31, None, {})) == "1,240 · 31%"
    assert reach_text(Reach(7, 0.0875, 10.0, {"a": 7})) == "7 · 8.8%"


def test_cards_show_their_reach_on_the_map_and_the_journey() -> None:
    model, figures = load(CASE)
    for view in ("map", "journey"):
        dot = view_dot(model, figures, view)
        shown = re.findall(r"Reach ([^<]*)<", dot)
        assert shown == ["1,240 · 31%", "410 · 10.2%", "1,500 · 37.5%", "900 · 22.5%", "620 · 15.5%", "0 · 0%"]


def test_without_an_event_log_nothing_changes() -> None:
    """The same journey without reach and flow volumes draws exactly what
    it drew before they existed: no reach line, no widths, no legend."""
    model, figures = load(CASE)
    bare = _without_event_log(figures)
    for view in ("map", "journey", "copis", "mindmap"):
        dot = view_dot(model, bare, view)
        assert "Reach" not in dot and "penwidth=4" not in dot and "tooltip" not in dot and "flow_legend" not in dot
    assert "flow_legend" not in journey.cards_dot(model, bare)
    assert view_dot(model, bare, "map") != view_dot(model, figures, "map")


def _flow_attributes(dot: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(0) for m in re.finditer(r'id="journey_flow_(\d+)"[^\n]*', dot)}


def test_flow_widths_follow_their_customers() -> None:
    model, figures = load(CASE)
    flows = _flow_attributes(view_dot(model, figures, "journey"))
    widths = {k: float(re.search(r"penwidth=([\d.]+)", line).group(1)) for k, line in flows.items()}
    customers = [v.customers for v in figures.flow_volumes]
    assert widths[2] == MAX_PEN  # 900, the largest
    assert widths[5] == MIN_PEN  # nobody took it
    for k, line in flows.items():
        assert widths[k] == pytest.approx(MIN_PEN + (MAX_PEN - MIN_PEN) * customers[k - 1] / 900, abs=0.05)
    assert 'tooltip="Search ad → Web shop: 700 customers · conversion 56.5% · median 0.5 days"' in flows[1]
    assert 'tooltip="Refill reminder → Tasting club: 0 customers · conversion 0%"' in flows[5]
    # a title that would end the string or open a Graphviz escape stays text
    assert 'tooltip="Friend\'s tip \\"<b>\\\\N\\" → Web shop: 300 customers' in flows[4]


@needs_dot
def test_the_drawn_journey_has_the_numbers_on_hover_and_a_legend() -> None:
    model, figures = load(CASE)
    svg = draw(model, figures, "journey", "svg").decode("utf-8")
    assert 'xlink:title="Search ad → Web shop: 700 customers · conversion 56.5% · median 0.5 days"' in svg
    assert "Friend&#39;s tip &quot;&lt;b&gt;\\N&quot; → Web shop" in svg
    legend = svg[svg.index('id="journey_flow_legend"'):]
    assert "Flow width: customers who took the step" in legend
    assert "900 customers (the largest flow)" in legend and "0 customers" in legend
    widths = [float(w) for w in re.findall(r'stroke-width="([\d.]+)"', svg[svg.index('id="journey_flow_2"'):][:600])]
    assert MAX_PEN in widths
    # the legend sits under the title, above the stages
    title_y = float(re.search(r'<text[^>]*y="([\d.-]+)"[^>]*>Coffee beans', svg).group(1))
    legend_y = float(re.search(r'<text[^>]*y="([\d.-]+)"[^>]*>Flow width', svg).group(1))
    stage_y = float(re.search(r'<text[^>]*y="([\d.-]+)"[^>]*>Find</text>', svg).group(1))
    assert title_y < legend_y < stage_y


@needs_dot
def test_graphviz_draws_the_volumes_without_a_warning() -> None:
    model, figures = load(CASE)
    for engine, args, source in (("dot", ("-Tjson0",), journey.cards_dot(model, figures)),
                                 ("dot", ("-Tsvg",), view_dot(model, figures, "journey")),
                                 ("neato", ("-n2", "-Tsvg"), view_dot(model, figures, "map"))):
        done = subprocess.run([engine, *args], input=source.encode(), capture_output=True, timeout=120, check=False)
        assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()


def _figures_for(model, stakes: dict[str, tuple[int, float | None]]):
    _, figures = load(CASE)
    figures = copy.deepcopy(figures)
    figures.reach = {tp: Reach(n, n / 1000, stake, {"champions": n // 2, "rest": n - n // 2})
                     for tp, (n, stake) in stakes.items()}
    figures.flow_volumes = [FlowVolume(0, 0.0, None) for _ in model.flows]
    return figures


def test_moments_rank_by_value_at_stake_then_reach_then_file_order() -> None:
    model, figures = load(CASE)
    ranked = stake_context(model, figures)
    assert ranked["by"] == "value at stake"
    # shop, pay and refill all carry 150,000: reach decides (1,500 > 900 > 620)
    assert [r["tp"].id for r in ranked["rows"]] == ["shop", "pay", "refill"]
    assert [r["rank"] for r in ranked["rows"]] == [1, 2, 3]
    assert ranked["rows"][0]["stake"] == "150,000.00" and ranked["rows"][0]["reach"] == "1,500"
    assert ranked["rows"][0]["segments"] == [{"title": "Champions", "customers": "300"},
                                              {"title": "Everyone else", "customers": "1,200"}]
    [kpi] = ranked["rows"][0]["kpis"]
    assert kpi["name"] == "nps_buy" and kpi["target"] == "30 pts" and kpi["status"] in ("met", "not_met")
    # below: the others that reach anyone (the club reaches nobody), ranked the same way
    assert [r["tp"].id for r in ranked["others"]] == ["search", "friend"]
    ties = _figures_for(model, {"search": (5, 1.0), "friend": (5, 1.0), "shop": (10, 2.0), "pay": (10, 2.0),
                                "refill": (10, 2.0), "club": (3, 1.0)})
    assert [r["tp"].id for r in stake_context(model, ties)["rows"]] == ["shop", "pay", "refill"]  # file order
    assert [r["tp"].id for r in stake_context(model, ties)["others"]] == ["search", "friend", "club"]


def test_without_clv_the_moments_rank_by_reach_and_say_so() -> None:
    model, _ = load(CASE)
    figures = _figures_for(model, {"search": (50, None), "friend": (5, None), "shop": (10, None),
                                   "pay": (400, None), "refill": (10, None), "club": (0, None)})
    ranked = stake_context(model, figures)
    assert ranked["by"] == "reach" and not ranked["has_stake"]
    assert [r["tp"].id for r in ranked["rows"]] == ["pay", "shop", "refill"]
    assert all(r["stake"] == "" for r in ranked["rows"])


def test_no_event_log_no_ranking() -> None:
    model, figures = load(CASE)
    assert stake_context(model, _without_event_log(figures)) is None


def test_the_others_are_cut_after_a_few() -> None:
    model, figures = load(EXAMPLES / "petfood_subscription.copis")
    figures = copy.deepcopy(figures)
    tps = [tp for stage in model.stages for tp in stage.touchpoints]
    figures.reach = {tp.id: Reach(100 + k, 0.1, 10.0 * k, {}) for k, tp in enumerate(tps)}
    ranked = stake_context(model, figures)
    others = [tp for tp in tps if tp.moment_of_truth is None]
    assert len(ranked["others"]) == OTHERS_SHOWN and ranked["others_left"] == len(others) - OTHERS_SHOWN
    assert [r["tp"].id for r in ranked["others"]] == [tp.id for tp in reversed(others)][:OTHERS_SHOWN]


@needs_dot
def test_the_report_shows_the_ranked_table(tmp_path: Path) -> None:
    model, figures = load(CASE)
    page = parse(report_page(model, figures, tmp_path))
    section = page.find_id("moments")
    heading = [h.text for h in section.iter("h3") if h.attrs.get("id") == "stake"]
    assert heading == ["Moments of truth by value at stake"]
    table = next(t for t in section.iter("table") if "stake" in t.classes())
    header, *rows = table.rows()
    assert header == ["#", "Touchpoint", "Reach", "Share", "Value at stake", "Reach by segment", "KPIs here"]
    assert rows[0][:5] == ["1", "Web shop Buy · shop", "1,500", "37.5%", "150,000.00"]
    assert rows[0][5] == "Champions 300 Everyone else 1,200"
    assert rows[0][6].startswith("nps_buy 25 pts target 30 pts")
    assert rows[2][6].startswith("repeat") and "target 50%" in rows[2][6]
    assert rows[3] == ["Not marked as moments of truth"]
    assert rows[5][1] == 'Friend\'s tip "<b>\\N" Find · friend'  # escaped where it lands: shown as written
    # the moments' cards stay as they were, after the table
    assert len(list(section.iter("article"))) == 3
    captions = {f.attrs["id"]: next(f.iter("figcaption")).text for f in page.iter("figure")
                if f.attrs.get("id") in ("map-diagram", "journey-diagram")}
    assert "Reach: the customers of the event log" in captions["map-diagram"]
    assert "as wide as the customers who took it" in captions["journey-diagram"]


@needs_dot
def test_the_report_without_an_event_log_has_no_table(tmp_path: Path) -> None:
    model, figures = load(CASE)
    path = report_page(model, _without_event_log(figures), tmp_path)
    assert "table.stake" not in path.read_text(encoding="utf-8")  # nor its styles: the page keeps its bytes
    page = parse(path)
    section = page.find_id("moments")
    assert not [t for t in section.iter("table")] and not [h for h in section.iter("h3") if h.attrs.get("id")]
    assert "Reach" not in page.text and "as wide as" not in page.text
