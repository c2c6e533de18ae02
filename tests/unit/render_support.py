"""Shared by the render and build tests: the journeys they draw, loaded the
way `copis build` loads them (checked, then enriched from their data)."""

from __future__ import annotations

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
    return result.model, figures


def copis(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The `copis` command in a fresh process (``python -m copisdsl``)."""
    return subprocess.run([sys.executable, "-m", "copisdsl", *args], capture_output=True, cwd=cwd,
                          env=env if env is not None else {**os.environ, "NO_COLOR": "1"}, check=False)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


CHECKS_JS = Path(__file__).resolve().parent / "report_checks.js"


def browser_checks(pages: list[tuple[Path, int]], work: Path) -> list[dict]:
    """Open each report in an <iframe> of the given width in headless
    Chromium, run ``report_checks.js`` on it, and return each result
    (``problems``, ``sections``, ``width``), in order."""
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
                           f"--user-data-dir={work / 'profile'}", "--dump-dom", harness.as_uri()],
                          capture_output=True, timeout=120, check=False)
    import html
    import json
    import re

    match = re.search(r'<pre id="result">(.*?)</pre>', done.stdout.decode("utf-8"), re.S)
    assert match and match.group(1), done.stderr.decode("utf-8", "replace")[-2000:]
    return json.loads(html.unescape(match.group(1)))
