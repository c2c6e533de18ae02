"""End to end in headless Chromium: a page served by `copis watch --serve`
follows the edits of its .copis file without a reload, keeps its scroll
position, and shows the errors over the last good page while the file does
not compile. Chromium is driven over the DevTools pipe (tests/cdp.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cdp import Chromium
from conftest import has_chromium, has_dot
from copisdsl.workflow.preview.server import PreviewServer
from copisdsl.workflow.watch import LiveState, Session, Watcher

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not has_chromium(), reason="Debian's chromium is not installed (`make chromium` installs it)"),
    pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed"),
]


def journey(label: str) -> str:
    stages = []
    for s in range(4):
        tps = "\n".join(f'    touchpoint t{s}{i} "{label if (s, i) == (0, 0) else f"Step {s}.{i}"}" '
                        f'{{ channel web; emotion {i % 5 + 1} }}' for i in range(4))
        stages.append(f'  stage s{s} "Stage {s}" {{\n{tps}\n  }}')
    return 'journey a "Live preview" {\n' + "\n".join(stages) + "\n}\n"


BODY_HAS = "document.body.textContent.includes({!r})"
OVERLAY = "document.getElementById('copis-overlay')"


@pytest.fixture
def preview(tmp_path: Path):
    folder = tmp_path / "journeys"
    folder.mkdir()
    (folder / "a.copis").write_text(journey("Hello there"), encoding="utf-8")
    state = LiveState()
    session = Session([folder], tmp_path / "out", state=state)
    watcher = Watcher(session)
    assert watcher.start().ok
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    server = PreviewServer(tmp_path / "out", state)
    server.start()
    try:
        yield folder / "a.copis", server
    finally:
        server.close()
        watcher.stop()
        thread.join(timeout=5)


def test_page_follows_edits_and_shows_errors(preview):
    source, server = preview
    with Chromium() as browser:
        page = browser.new_page(server.url)  # "/" redirects to the only journey's report
        page.wait_for("document.readyState === 'complete' && " + BODY_HAS.format("Hello there"))
        assert page.evaluate("location.pathname") == "/a/index.html"
        y = page.evaluate("window.copisMarker = 'never reloaded'; window.scrollTo(0, 300); window.scrollY")
        assert y == 300

        source.write_text(journey("Bonjour & <b>tout</b> le monde"), encoding="utf-8")
        page.wait_for(BODY_HAS.format("Bonjour & <b>tout</b> le monde"))
        assert not page.evaluate(BODY_HAS.format("Hello there"))
        assert page.evaluate("document.querySelector('#journey-diagram svg').textContent").count("Bonjour") >= 1
        assert page.evaluate("window.copisMarker") == "never reloaded"
        assert page.evaluate("window.scrollY") == 300
        assert not page.evaluate("[...document.querySelectorAll('b')].some(b => b.textContent === 'tout')")

        broken = journey("Bonjour").replace("channel web; emotion 1", "channel; emotion 1", 1)
        source.write_text(broken, encoding="utf-8")
        text = page.wait_for(f"{OVERLAY} && {OVERLAY}.textContent")
        line = next(n for n, row in enumerate(broken.splitlines(), 1) if "channel;" in row)
        column = broken.splitlines()[line - 1].index(";") + 1
        assert f"{source.as_posix()}:{line}:{column}: E100 error: unexpected end of line; expected a name" in text

        # The user's text in a message stays text.
        markup = "<img src=x onerror=alert(1)>.csv"
        source.write_text(journey("Bonjour").replace("\n", f'\n  data x "{markup}"\n', 1), encoding="utf-8")
        text = page.wait_for(f"{OVERLAY} && {OVERLAY}.textContent.includes('E400') && {OVERLAY}.textContent")
        assert f"{source.as_posix()}:2:10: E400 error: data file '{markup}' not found" in text
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        # the last good page stays under the overlay
        assert page.evaluate(BODY_HAS.format("Bonjour & <b>tout</b> le monde"))
        assert page.evaluate("!!document.querySelector('#journey-diagram svg')")
        assert page.evaluate("window.copisMarker") == "never reloaded"

        # A new tab gets the current state, errors included.
        second = browser.new_page(server.url + "a/index.html")
        second.wait_for(f"document.readyState === 'complete' && {OVERLAY} && "
                        f"{OVERLAY}.textContent.includes('E400 error')")

        source.write_text(journey("Fixed again"), encoding="utf-8")
        page.wait_for(f"{BODY_HAS.format('Fixed again')} && !{OVERLAY}")
        second.wait_for(f"{BODY_HAS.format('Fixed again')} && !{OVERLAY}")
        assert page.evaluate("window.copisMarker") == "never reloaded"
        assert page.evaluate("window.scrollY") == 300
        assert browser.exceptions() == []


def test_a_page_waits_for_the_first_good_build_and_follows_a_renamed_journey(tmp_path):
    folder = tmp_path / "journeys"
    folder.mkdir()
    source = folder / "a.copis"
    source.write_text(journey("First").replace("channel web; emotion 1", "channel; emotion 1", 1), encoding="utf-8")
    state = LiveState()
    session = Session([folder], tmp_path / "out", state=state)
    watcher = Watcher(session)
    assert not watcher.start().ok
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        with PreviewServer(tmp_path / "out", state) as server, Chromium() as browser:
            page = browser.new_page(server.url)
            page.wait_for(f"document.readyState === 'complete' && {OVERLAY} && "
                          f"{OVERLAY}.textContent.includes('E100 error')")
            assert page.evaluate(BODY_HAS.format("No report has been built yet"))

            source.write_text(journey("First"), encoding="utf-8")
            page.wait_for(f"location.pathname === '/a/index.html' && {BODY_HAS.format('First')} && !{OVERLAY}")

            source.write_text(journey("Renamed").replace('journey a "', 'journey b "'), encoding="utf-8")
            page.wait_for(f"location.pathname === '/b/index.html' && {BODY_HAS.format('Renamed')}")
            assert browser.exceptions() == []
    finally:
        watcher.stop()
        thread.join(timeout=5)
