"""Golden DOT of every view (journey, copis, mindmap) for each journey in
tests/golden/render/ and examples/: tests/golden/render/<case>.<view>.dot and
tests/golden/render/examples/<example>.<view>.dot: the render stage's golden
runner. Regenerate with `make golden` (never by hand), and check the diff."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import golden_compare, has_dot
from copisdsl.render import VIEWS
from copisdsl.render.views import ENGINE_ARGS, ENGINES, view_dot
from render_support import ALL_CASES, EXAMPLES, FIXTURES, case_id, load

needs_dot = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")


def golden_path(case: Path, view: str) -> Path:
    folder = FIXTURES if case.parent == FIXTURES else FIXTURES / "examples"
    return folder / f"{case.stem}.{view}.dot"


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_view_dot_golden(case: Path, view: str, update_golden: bool) -> None:
    model, figures = load(case)
    dot = view_dot(model, figures, view)
    assert dot == view_dot(model, figures, view)  # no hidden state between calls
    path = golden_path(case, view)
    if update_golden:
        path.parent.mkdir(exist_ok=True)
    golden_compare(path, dot, update_golden)


def test_no_orphan_golden_files() -> None:
    """A golden file whose journey was removed or renamed is stale."""
    expected = {golden_path(case, view) for case in ALL_CASES for view in VIEWS}
    found = set(FIXTURES.glob("*.dot")) | set((FIXTURES / "examples").glob("*.dot"))
    assert found <= expected, sorted(p.name for p in found - expected)


@needs_dot
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("case", ALL_CASES, ids=case_id)
def test_graphviz_accepts_the_dot(case: Path, view: str) -> None:
    """What `copis render --format dot` writes lays out with the view's engine,
    without a warning (an unknown attribute or a bad HTML label warns)."""
    model, figures = load(case)
    done = subprocess.run([ENGINES[view], "-Tsvg", *ENGINE_ARGS.get(view, ())],
                          input=view_dot(model, figures, view).encode("utf-8"),
                          capture_output=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b"", done.stderr.decode()
    assert done.stdout.startswith(b"<?xml")


def _sipoc_rows(dot: str) -> list[list[str]]:
    """Per touchpoint row of the SIPOC table, the headings of its boxes in order."""
    table = dot[dot.index('"sipoc" [id="copis_sipoc"'):]
    rows = re.findall(r"<TR>(.*?)</TR>", table)
    return [re.findall(r'<FONT POINT-SIZE="9" COLOR="[^"]+"><B>([A-Z]+)</B>', row) for row in rows[1:]]


def test_sipoc_example_shows_the_chain() -> None:
    """Under `framework sipoc` the copis view also draws Supplier → Input →
    Process → Output → Customer per touchpoint, whatever the matrix order."""
    case = EXAMPLES / "onboarding_sipoc.copis"
    model, figures = load(case)
    assert model.framework.name == "sipoc"
    dot = view_dot(model, figures, "copis")
    rows = _sipoc_rows(dot)
    assert len(rows) == len(model.touchpoints)
    assert all(row == ["SUPPLIER", "INPUT", "PROCESS", "OUTPUT", "CUSTOMER"] for row in rows), rows
    chain = dot[dot.index('"sipoc" [id="copis_sipoc"'):]
    first = next(tp for stage in model.stages for tp in stage.touchpoints)
    values = [first.elements[key][0].text for key in ("supplier", "input", "process", "output", "customer")]
    positions = [chain.index(v.replace("'", "&#39;")) for v in values]
    assert positions == sorted(positions), values
    assert chain.count("→") == 4 * len(model.touchpoints)


def test_other_frameworks_have_no_sipoc_chain() -> None:
    model, figures = load(FIXTURES / "branches.copis")
    assert "copis_sipoc" not in view_dot(model, figures, "copis")
