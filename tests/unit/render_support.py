"""Shared by the render and build tests: the journeys they draw, loaded the
way `copis build` loads them (checked, then enriched from their data).

A case may have hand-made event-log figures beside it, ``<case>.figures.json``
(``reach`` and ``flow_volumes`` in the export's shape, reference §12.2),
laid over what its data gives: the views are tested on figures known in
advance, whatever computes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "golden" / "render"
FIXTURE_CASES = sorted(FIXTURES.glob("*.copis"))
EXAMPLE_CASES = sorted(EXAMPLES.glob("*.copis"))
ALL_CASES = FIXTURE_CASES + EXAMPLE_CASES


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@lru_cache(maxsize=None)
def load(path: Path):
    """(model, figures) of a journey that has no errors."""
    from copisdsl.api import check_file
    from copisdsl.data import enrich

    result = check_file(path, path.relative_to(ROOT).as_posix(), data=False)
    assert result.ok and result.model is not None, result.diagnostics
    figures, diagnostics = enrich(result.model, path.parent, path.parent)
    assert not [d for d in diagnostics if d.is_error], diagnostics
    extra = path.with_suffix(".figures.json")
    if extra.exists():
        with_event_log(figures, json.loads(extra.read_text(encoding="utf-8")))
    return result.model, figures


def with_event_log(figures, doc: dict):
    """``figures`` with the ``reach`` and ``flow_volumes`` of ``doc`` (the
    export's shape: per touchpoint ``customers, share, value_at_stake,
    segments``; per flow ``customers, conversion, median_days``)."""
    from copisdsl.data.figures import FlowVolume, Reach

    figures.reach = {tp: Reach(r["customers"], r["share"], r["value_at_stake"], dict(r["segments"]))
                     for tp, r in doc["reach"].items()}
    figures.flow_volumes = [FlowVolume(v["customers"], v["conversion"], v["median_days"])
                            for v in doc["flow_volumes"]]
    return figures


def report_page(model, figures, folder: Path) -> Path:
    """The report of ``model`` with ``figures`` as ``copis build`` writes it
    (every view drawn by Graphviz), at ``folder/index.html``: for figures
    made by hand, which a build from the files would not give."""
    from copisdsl.render import svg
    from copisdsl.render.emotion import emotion_svg
    from copisdsl.render.html import render_report
    from copisdsl.render.views import build_views, draw
    from copisdsl.workflow.build import _diagram

    diagrams = {}
    for view in build_views(model):
        picture = draw(model, figures, view, "svg")
        diagrams[view] = _diagram(svg.inline(picture, view), picture)
    chart = emotion_svg(model)
    diagrams["emotion"] = _diagram(chart, chart.encode("utf-8"), "") if chart is not None else None
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "index.html"
    page.write_text(render_report(model, figures, [], diagrams), encoding="utf-8")
    return page


def copis(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The `copis` command in a fresh process (``python -m copisdsl``)."""
    return subprocess.run([sys.executable, "-m", "copisdsl", *args], capture_output=True, cwd=cwd,
                          env=env if env is not None else {**os.environ, "NO_COLOR": "1"}, check=False)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


CHECKS_JS = Path(__file__).resolve().parent / "report_checks.js"


#: Blink's preferredColorScheme values
_SCHEMES = {"dark": 0, "light": 1}


def browser_checks(pages: list[tuple[Path, int]], work: Path, scheme: str = "light") -> list[dict]:
    """Open each report in an <iframe> of the given width in headless
    Chromium, its colour scheme ``scheme`` (light or dark), run
    ``report_checks.js`` on it, and return each result (``problems``,
    ``sections``, ``width``), in order."""
    frames = "\n".join(f'<iframe src="{page.as_uri()}" style="width:{width}px;height:900px;border:0"></iframe>'
                       for page, width in pages)
    harness = work / "harness.html"
    harness.write_text(f"""<!DOCTYPE html><html><body>
{frames}
<pre id="result"></pre>
<script>{CHECKS_JS.read_text(encoding="utf-8")}
window.addEventListener("load", function () {{
  const results = Array.from(document.querySelectorAll("iframe")).map(function (f) {{
    try {{ return checkReport(f.contentWindow); }} catch (e) {{ return {{problems: ["checks failed: " + e]}}; }}
  }});
  document.getElementById("result").textContent = JSON.stringify(results);
}});
</script></body></html>""", encoding="utf-8")
    done = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--allow-file-access-from-files", "--window-size=1400,1000",
                           f"--blink-settings=preferredColorScheme={_SCHEMES[scheme]}",
                           f"--user-data-dir={work / 'profile'}", "--dump-dom", harness.as_uri()],
                          capture_output=True, timeout=120, check=False)
    import html
    import json
    import re

    match = re.search(r'<pre id="result">(.*?)</pre>', done.stdout.decode("utf-8"), re.S)
    assert match and match.group(1), done.stderr.decode("utf-8", "replace")[-2000:]
    return json.loads(html.unescape(match.group(1)))
