"""Every user string is text wherever it lands. tests/golden/render/
hostile.copis puts markup, quotes, backslashes, braces, Graphviz escapes and
non-ASCII text in every title, value and label; its build (report, index,
SVGs, DOT) is parsed, and must hold only the elements and attributes our
templates and Graphviz write, with the hostile strings back as text."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import has_dot
from copisdsl.workflow.build import build_paths
from copisdsl.render.views import ENGINE_ARGS, ENGINES
from render_support import FIXTURES

pytestmark = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")

HOSTILE = [
    "<script>alert(1)</script> & \"quotes\" {braces} \\N \\G \\\\ Ünïcødé 日本語 — ok",  # journey title
    "\"><img src=x onerror=alert(1)>",  # owner, touchpoint title
    "<style>body{display:none}</style>",  # stage title
    "<svg onload=alert(1)>",  # persona
    "<a href=javascript:alert(1)>click</a>",  # moment of truth
    "'single' & \"double\" \\ back",
    "</text><script>alert(1)</script>",  # loop label
    "<b>edge</b> \"label\"",
    "{{ jinja }} {% raw %} ${template}",
    "&lt;already escaped&gt;",
    "Ünïcødé — 日本語 ✓",
]
# In the diagrams, titles are wrapped and may be cut with an ellipsis: the
# strings they must show, whitespace aside.
IN_DIAGRAMS = [HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[5], HOSTILE[10]]
FLOW_LABELS = [HOSTILE[6], HOSTILE[7]]  # only the journey view draws the flow
# Only the blueprint draws its lanes (the map marks the fail point).
LANES = ["<img src=x onerror=alert('evidence')>", "]]> <![CDATA[ x", "\"><svg onload=alert('front')>",
         "</text><text>back & \\N", "<blink>fails</blink> & \\G", "{{ support }} <u>&amp;</u>"]
VIEWS = ["journey", "copis", "mindmap", "map", "blueprint"]

HTML_ELEMENTS = {
    "html": {"lang"}, "head": set(), "meta": {"charset", "name", "content"}, "title": set(), "style": set(),
    "body": set(), "main": set(), "header": {"class", "id"}, "nav": {"class", "aria-label"},
    "section": {"id", "class"}, "footer": set(), "article": {"class"}, "figure": {"class", "id", "style"},
    "figcaption": {"class"}, "div": {"class", "aria-hidden", "style"}, "p": {"class"}, "span": {"class", "style", "title"},
    "h1": set(), "h2": set(), "h3": {"id"}, "b": set(), "code": set(), "a": {"href"},
    "ul": {"class", "id", "aria-label", "style"}, "li": {"class"}, "dl": {"class"}, "dt": set(), "dd": set(),
    "table": {"class"}, "thead": set(), "tbody": set(), "tr": set(),
    "th": {"class", "colspan", "scope", "style"}, "td": {"class", "title"},
    "input": {"type", "class", "id", "checked"}, "label": {"class", "for"}, "br": set(),
}
SVG_ELEMENTS = {
    "svg": {"width", "height", "viewbox", "xmlns", "xmlns:xlink", "class", "role", "aria-label", "font-family",
            "font-size"},
    "g": {"id", "class", "transform"}, "title": set(),
    "polygon": {"fill", "stroke", "stroke-width", "points"},
    "path": {"fill", "stroke", "stroke-width", "stroke-dasharray", "d"},
    "ellipse": {"fill", "stroke", "stroke-width", "cx", "cy", "rx", "ry"},
    "polyline": {"fill", "stroke", "stroke-width", "points"},
    "text": {"x", "y", "fill", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
             "transform"},
    "rect": {"x", "y", "width", "height", "fill"},
    "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width", "stroke-dasharray"},
    "circle": {"cx", "cy", "r", "fill", "stroke", "stroke-width"},
}
SAFE_STYLE = re.compile(r"^(margin:0|width: [\d.]+%|background: var\(--[a-z-]+\)|--fit-min: \d+px"
                        r"|--strong: #[0-9a-f]{6}; --tint: #[0-9a-f]{6})$")
SAFE_HREF = re.compile(r"^(#[a-z-]+|[a-z0-9_]+/index\.html)$")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    builds = build_paths([FIXTURES / "hostile.copis", FIXTURES / "branches.copis"], out, keep_dot=True)
    assert [b.ok for b in builds] == [True, True], [b.error for b in builds]
    return out


class _Page(HTMLParser):
    """Elements with their attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        raise AssertionError(f"a comment in the page: {data!r}")


def _parse_html(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _squash(value: str) -> str:
    return "".join(value.split())


@pytest.mark.parametrize("page", ["hostile/index.html", "index.html"])
def test_html_holds_only_our_elements_and_attributes(built: Path, page: str) -> None:
    parsed = _parse_html(built / page)
    allowed = {**HTML_ELEMENTS, **SVG_ELEMENTS}
    ids = []
    for tag, attrs in parsed.elements:
        assert tag in allowed, f"unexpected <{tag}>"
        for name, value in attrs:
            assert name in allowed[tag], f"unexpected {name}= on <{tag}>"
            value = value or ""
            assert "javascript:" not in value.lower()
            if name == "style":
                assert SAFE_STYLE.match(value), value
            if name == "href":
                assert SAFE_HREF.match(value), value
            if name == "id":
                ids.append(value)
    assert [tag for tag, _ in parsed.elements].count("style") == 1
    assert "script" not in {tag for tag, _ in parsed.elements}
    assert len(ids) == len(set(ids)), "ids clash between the page and its diagrams"


def test_hostile_strings_come_back_as_text(built: Path) -> None:
    text = "".join(_parse_html(built / "hostile" / "index.html").text)
    for value in HOSTILE:
        if value in FLOW_LABELS:  # only in the journey diagram, wrapped
            assert _squash(value) in _squash(text), value
        else:
            assert value in text, value
    index = "".join(_parse_html(built / "index.html").text)
    assert HOSTILE[0] in index


def _svg_elements(root: ET.Element):
    for el in root.iter():
        namespace, _, tag = el.tag.rpartition("}")
        assert namespace == "{http://www.w3.org/2000/svg", el.tag
        yield tag, el


@pytest.mark.parametrize("view", VIEWS)
def test_svg_files_hold_only_graphviz_elements(built: Path, view: str) -> None:
    data = (built / "hostile" / f"{view}.svg").read_bytes()
    root = ET.fromstring(data)
    for tag, el in _svg_elements(root):
        assert tag in SVG_ELEMENTS, f"unexpected <{tag}>"
        for name, value in el.attrib.items():
            assert name.lower() in SVG_ELEMENTS[tag], f"unexpected {name}= on <{tag}>"
            assert "javascript:" not in value.lower()
    text = _squash("".join(root.itertext()))
    wanted = IN_DIAGRAMS + (FLOW_LABELS if view == "journey" else []) + (LANES if view == "blueprint" else [])
    for value in wanted:
        assert _squash(value) in text, (view, value)


def test_inline_svgs_are_well_formed(built: Path) -> None:
    """Each diagram in the report is XML on its own (the report is HTML):
    user text cannot close an element or open one."""
    html = (built / "hostile" / "index.html").read_text(encoding="utf-8")
    charts = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(charts) == 5  # map, blueprint, journey, emotion curve, mind map; the matrix is a table
    for chart in charts:
        root = ET.fromstring(chart)
        for tag, el in _svg_elements(root):
            assert tag in SVG_ELEMENTS, tag
            assert not any(name.lower().startswith("on") for name in el.attrib)
    emotion = ET.fromstring(charts[3])
    assert emotion.get("class") == "emotion-chart"
    assert HOSTILE[0] in emotion.get("aria-label")
    titles = [el.text for tag, el in _svg_elements(emotion) if tag == "title"]
    assert HOSTILE[1] in titles and HOSTILE[5] in titles


@pytest.mark.parametrize("view", VIEWS)
def test_dot_files_are_accepted_by_graphviz(built: Path, view: str) -> None:
    source = (built / "hostile" / f"{view}.dot").read_bytes()
    done = subprocess.run([ENGINES[view], "-Tsvg", *ENGINE_ARGS.get(view, ())], input=source, capture_output=True,
                          check=False, timeout=60)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    text = _squash("".join(ET.fromstring(done.stdout).itertext()))
    assert _squash(HOSTILE[0]) in text  # Graphviz's escapes (\N, \G) did not apply


def test_dot_strings_cannot_end_early() -> None:
    from copisdsl.render.dot import quote, text

    assert quote('a"b\\') == '"a\\"b\\\\"'
    assert quote("x\\N") == '"x\\\\N"'
    assert text("<b> & \"'\\") == "&lt;b&gt; &amp; &quot;&#39;\\\\"
    assert text("one\ntwo") == "one<BR/>two"
