"""The report shows every section of the issue, filled from the model and
the figures: checked on the parsed HTML of real builds."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import has_dot
from copisdsl.workflow.build import build_paths
from render_support import EXAMPLES, FIXTURES, load

pytestmark = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")

VOID = {"meta", "input", "br", "img", "link", "hr", "source", "wbr"}
INLINE = {"b", "code", "i", "a"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text, whitespace collapsed; elements other than b, code, i
        and a are set apart by a space (as the page shows them)."""
        parts = [c if isinstance(c, str) else c.text if c.tag in INLINE else f" {c.text} " for c in self.children]
        return " ".join("".join(parts).split())

    def iter(self, tag: str | None = None):
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(tag)

    def find_id(self, ident: str) -> Node:
        found = [n for n in self.iter() if n.attrs.get("id") == ident]
        assert len(found) == 1, f"#{ident}: {len(found)} elements"
        return found[0]

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def rows(self) -> list[list[str]]:
        return [[cell.text for cell in tr.children if isinstance(cell, Node) and cell.tag in ("td", "th")]
                for tr in self.iter("tr")]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(path: Path) -> Node:
    tree = _Tree()
    tree.feed(path.read_text(encoding="utf-8"))
    tree.close()
    assert tree.stack == [tree.root], "unclosed elements"
    return tree.root


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Node]:
    out = tmp_path_factory.mktemp("reports")
    cases = [FIXTURES / "branches.copis", FIXTURES / "portfolio.copis", EXAMPLES / "skincare_clv.copis",
             EXAMPLES / "onboarding_sipoc.copis"]
    builds = build_paths(cases, out)
    assert all(b.ok for b in builds), [(b.source, b.error, b.diagnostics) for b in builds]
    return {b.journey_id: parse(b.report) for b in builds}


SECTIONS = ["map", "journey", "emotion", "matrix", "personas", "objectives", "kpis", "moments", "repurchase", "notes",
            "clv", "segments", "mindmap"]


@pytest.mark.parametrize("journey", ["branches", "portfolio", "skincare", "onboarding"])
def test_every_section_is_there_and_in_the_contents(reports, journey: str) -> None:
    page = reports[journey]
    ids = [n.attrs["id"] for n in page.iter("section")]
    assert ids[:len(SECTIONS)] == SECTIONS
    nav = next(page.iter("nav"))
    assert [a.attrs["href"] for a in nav.iter("a")] == [f"#{s}" for s in SECTIONS]
    for section in SECTIONS:
        assert next(page.find_id(section).iter("h2")).text


def test_header(reports) -> None:
    header = reports["branches"].find_id("overview")
    assert next(header.iter("h1")).text == "Subscription box: discovery to renewal"
    assert "Two ways in, one checkout, a renewal loop and a win-back loop." in header.text
    meta = next(n for n in header.iter("p") if "meta" in n.classes()).text
    assert "Owner Growth team" in meta
    assert "Framework service (Customer, Objective, Process, Information, Service)" in meta
    chips = [li.text for li in next(n for n in header.iter("ul") if "chips" in n.classes()).iter("li")]
    assert chips == ["5 stages", "7 touchpoints", "1 moment of truth", "1 re-purchase opportunity", "1 objective",
                     "6 KPIs"]
    assert [t.text for t in header.iter("span") if "tag" in t.classes()] == ["subscription", "retention"]


def test_warnings_at_the_top(reports) -> None:
    page = reports["branches"]
    problems = page.find_id("problems")
    assert problems in list(page.find_id("overview").iter("ul"))  # in the header, before every section
    items = [li.text for li in problems.iter("li")]
    assert len(items) == 7
    assert items[0].startswith("W300 warning: touchpoint 'search_ad' lacks objective (")
    assert "tests/golden/render/branches.copis:17:5) hint: add `objective" in items[0]
    assert any("W305 warning: stage 'later' has no touchpoints" in i for i in items)
    assert all("hint:" in i for i in items)
    with pytest.raises(AssertionError):
        reports["onboarding"].find_id("problems")  # no warnings, no list


def test_portfolio_data_warning_at_the_top(reports) -> None:
    items = [li.text for li in reports["portfolio"].find_id("problems").iter("li")]
    assert items == [next(i for i in items if i.startswith("W403 warning: the filter selects none of the 6 rows"))]


def _svg(section: Node) -> Node:
    [svg] = list(section.iter("svg"))
    return svg


def test_diagrams_inline(reports) -> None:
    page = reports["branches"]
    journey = _svg(page.find_id("journey"))
    assert any(g.attrs.get("id") == "journey_tp_payment" for g in journey.iter("g"))
    assert "Choose a plan" in journey.text and "upgrades" in journey.text
    mindmap = _svg(page.find_id("mindmap"))
    assert any(g.attrs.get("id") == "mindmap_tp_unboxing" for g in mindmap.iter("g"))
    emotion = _svg(page.find_id("emotion"))
    assert "emotion-chart" in emotion.classes()
    assert len(list(emotion.iter("circle"))) == 6  # every touchpoint with an emotion (the survey has none)
    assert "Exit survey" in emotion.text  # still on the axis


def test_matrix_table(reports) -> None:
    matrix = next(reports["branches"].find_id("matrix").iter("table"))
    rows = matrix.rows()
    assert rows[0] == ["Touchpoint", "Customer", "Objective", "Process", "Information", "Service"]
    assert rows[1] == ["Discover"]
    search = rows[2]
    assert search[0].startswith("Search ad search_ad · web")
    assert search[1:] == ["Sam, gift buyer", "missing", "Search Click", "Keyword bids", "Box platform"]
    later = rows.index(["Later — no touchpoints"])
    assert rows[later + 1] == ["Win back"]
    cells = {cell.text: cell.classes() for cell in matrix.iter("td")}
    assert "missing" in cells["missing"] and "inherited" in cells["Sam, gift buyer"]


def test_personas(reports) -> None:
    card = next(reports["branches"].find_id("personas").iter("article"))
    assert card.text.startswith("Sam, gift buyer sam")
    assert "Needs A surprise every month Easy pause" in card.text
    assert "Pains Hidden fees" in card.text
    assert "Goals Never forget a birthday" in card.text
    persona = next(reports["portfolio"].find_id("personas").iter("article"))
    assert "segment Champions" in persona.text


def test_objectives_with_status(reports) -> None:
    table = next(reports["portfolio"].find_id("objectives").iter("table"))
    header, *rows = table.rows()
    assert header == ["Objective", "Where", "Goal", "Current", "Status"]
    by_text = {row[0]: row[1:] for row in rows}
    assert by_text["Happier buyers"] == ["Web shop", "increase nps_buy to 30 pts", "25 pts", "not met"]
    assert by_text["More repeat buyers"] == ["Refill reminder", "increase repeat to 50%", "60%", "met"]
    assert by_text["Promoters after a refill"] == ["Refill reminder", "increase nps_keep to 40 pts", "no data",
                                                   "no data"]
    assert {row[4] for row in rows} == {"met", "not met", "no data"}


def test_kpis_with_baseline_and_change(reports) -> None:
    table = next(reports["portfolio"].find_id("kpis").iter("table"))
    header, *rows = table.rows()
    assert header == ["KPI", "Where", "Value", "Baseline", "Change"]
    by_name = {row[0].split()[0]: row[1:] for row in rows if len(row) == 5}  # not the by-segment charts
    assert by_name["repeat"] == ["Refill reminder", "60%", "40%", "+20 pp"]
    assert by_name["nps_buy"] == ["Web shop", "25 pts", "10 pts", "+15 pts"]
    assert by_name["basket"][0] == "whole journey"
    assert by_name["nps_keep"][1] == "no data"
    branches = {row[0].split()[0]: row[1:] for row in next(reports["branches"].find_id("kpis").iter("table")).rows()}
    assert branches["signup_rate"] == ["Choose a plan", "10.5%", "9%", "+1.5 pp"]


def _charts(node: Node) -> list[str]:
    return [svg.attrs["aria-label"] for svg in node.iter("svg") if "segment-bars" in svg.classes()]


def test_kpis_by_segment_have_a_bar_chart_in_the_table_and_at_their_touchpoint(reports) -> None:
    """portfolio.copis: basket (journey) and repeat (the refill touchpoint)
    are by segment. Champions are ann (120, 80.50, 99.90) and dee (220, 180,
    260): aov 960.40 / 6 = 160.07; loyal is bob (35, 42): 38.50; the rest, cy
    and eve, one order each: repeat 0%."""
    page = reports["portfolio"]
    table = next(page.find_id("kpis").iter("table"))
    rows = [tr for tr in table.iter("tr") if "by-segment" in tr.classes()]
    assert [tr.text.split()[0] for tr in rows] == ["basket", "repeat"]
    basket, repeat = (_charts(tr)[0] for tr in rows)
    assert basket.startswith("basket by segment: Champions 160.07; Loyal 38.50; Everyone else ")
    assert repeat == "repeat by segment: Champions 100%; Loyal 100%; Everyone else 0%"
    [card] = list(page.find_id("repurchase").iter("article"))
    assert _charts(card) == [repeat] and "repeat by segment" in card.text
    assert _charts(page.find_id("moments")) == []  # the web shop's KPI is not by segment
    assert _charts(reports["branches"]) == []


def test_moments_repurchase_and_notes(reports) -> None:
    page = reports["branches"]
    [moment] = list(page.find_id("moments").iter("article"))
    assert moment.text.startswith("Payment Subscribe · payment First charge decides trust aov_box 39.9")
    [again] = list(page.find_id("repurchase").iter("article"))
    assert again.text.startswith("Renewal mail Enjoy · renewal Renewal reminder a week ahead")
    rows = next(page.find_id("notes").iter("table")).rows()
    assert rows == [["Touchpoint", "Pains", "Opportunities"],
                    ["Payment Subscribe", "3-D Secure popup fails on mobile", ""],
                    ["Unboxing Enjoy", "", "Photo contest"]]


def test_clv_and_segment_portfolio(reports) -> None:
    for journey, model in (("portfolio", "historic"), ("skincare", "BG/NBD + Gamma-Gamma")):
        page = reports[journey]
        facts = next(page.find_id("clv").iter("dl")).text
        assert f"Model {model}" in facts and "Mean CLV" in facts
        table = next(page.find_id("segments").iter("table"))
        header, *rows = table.rows()
        assert header[0] == "Segment" and header[-1] == "Share of CLV"
        bars = [span.attrs["style"] for div in table.iter("div") if "bar" in div.classes()
                for span in div.iter("span")]
        assert len(bars) == len(rows) >= 2
        widths = [float(style.removeprefix("width: ").removesuffix("%")) for style in bars]
        assert abs(sum(widths) - 100) < 0.5  # the shares of CLV add up
    names = [row[0] for row in next(reports["portfolio"].find_id("segments").iter("table")).rows()[1:]]
    assert names == ["Champions champions", "Loyal loyal", "Everyone else rest"]


def test_without_figures_the_data_sections_say_so(reports) -> None:
    page = reports["branches"]
    assert "No data: CLV needs a data file of kind transactions." in page.find_id("clv").text
    assert page.find_id("segments").text.endswith("No segments declared.")


def test_sipoc_chain_under_the_sipoc_framework(reports) -> None:
    matrix = reports["onboarding"].find_id("matrix")
    chain = next(t for t in matrix.iter("table") if "sipoc" in t.classes())
    header, *rows = chain.rows()
    assert header == ["Touchpoint", "Supplier", "→ Input", "→ Process", "→ Output", "→ Customer"]
    model, _ = load(EXAMPLES / "onboarding_sipoc.copis")  # the example may change: expect what it says
    touchpoints = [tp for stage in model.stages for tp in stage.touchpoints]
    assert len(rows) == len(touchpoints)
    for row, tp in zip(rows, touchpoints):
        assert row == [tp.title] + [", ".join(v.text for v in tp.elements.get(key) or []) or "missing"
                                    for key in ("supplier", "input", "process", "output", "customer")]
    assert not any("sipoc" in t.classes() for t in reports["branches"].find_id("matrix").iter("table"))


def test_kpi_change_is_coloured_by_what_its_objective_wants(tmp_path: Path) -> None:
    """Churn rising from 42% against "decrease churn_rate" is bad, a rising
    rate that should increase is good, and a change no objective judges is
    neither."""
    source = tmp_path / "tone.copis"
    source.write_text('journey tone "Tone" {\n objective "Keep customers" decrease churn_rate to 30%\n'
                      ' objective "Sell more" increase conversion to 5%\n kpi churn_rate = 53.3% baseline 42%\n'
                      ' kpi conversion = 4% baseline 3%\n kpi visits = 900 baseline 1000\n'
                      ' stage s "S" {\n  owner "Ops team"\n  description "Where it happens"\n  tags "core"\n'
                      '  touchpoint t "T" {\n   owner "Care team"\n   description "Calls back within a day"\n'
                      '   tags "phone", "vip"\n  }\n }\n}\n', encoding="utf-8")
    [build] = build_paths([source], tmp_path / "out")
    assert build.ok, build.diagnostics
    page = parse(build.report)
    tones = {}
    for tr in next(page.find_id("kpis").iter("table")).iter("tr"):
        spans = [s for s in tr.iter("span") if "change" in s.classes()]
        if spans:
            tones[tr.rows()[0][0].split()[0]] = spans[0].classes() - {"change"}
    assert tones == {"churn_rate": {"up", "bad"}, "conversion": {"up", "good"}, "visits": {"down"}}
    matrix = page.find_id("matrix").text
    assert "Owner Ops team" in matrix and "Where it happens" in matrix and "core" in matrix
    assert "Owner Care team" in matrix and "Calls back within a day" in matrix and "vip" in matrix
