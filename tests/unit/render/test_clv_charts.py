"""The CLV section of the report (render/clv_charts.py and the template):
golden SVG of the two charts, what the section says, and its escaping."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import golden_compare, has_dot
from copisdsl.data.figures import HoldoutFigures
from copisdsl.render.clv_charts import p_alive_svg, tracking_svg
from copisdsl.workflow.build import build_paths
from render_support import FIXTURES, load

GOLDEN = FIXTURES / "clv"
HOLDOUT = HoldoutFigures(days=30, customers=12, predicted=9.5, actual=11, mae=0.75,
                         tracking=[(7, 2.0, 3), (14, 4.5, 5), (21, 6.9, 8), (28, 8.9, 10), (30, 9.5, 11)])


@pytest.mark.parametrize("name,svg", [
    ("tracking", lambda: tracking_svg(HOLDOUT)),
    ("p_alive", lambda: p_alive_svg([0, 1, 2, 3, 5, 8, 13, 21, 34, 55])),
])
def test_chart_golden(name, svg, update_golden):
    markup = svg()
    assert markup == svg()
    GOLDEN.mkdir(exist_ok=True)
    golden_compare(GOLDEN / f"{name}.svg", markup, update_golden)


def test_charts_scale_and_take_the_page_colours():
    for markup in (tracking_svg(HOLDOUT), p_alive_svg([1] * 10)):
        assert 'viewBox="0 0 360 200"' in markup and " width=" not in markup.split(">", 1)[0]
        assert "#" not in markup.replace("&#", "")  # no fixed colour: classes and CSS variables only


def test_nothing_to_draw():
    assert p_alive_svg([0] * 10) is None
    assert tracking_svg(HoldoutFigures(days=0, customers=0, predicted=0.0, actual=0, mae=0.0)) is None


def built(case: Path, out: Path) -> str:
    (build,) = build_paths([case], out)
    assert build.ok, build.error
    return Path(build.report).read_text(encoding="utf-8")


@pytest.mark.skipif(not has_dot(), reason="needs Graphviz")
def test_the_report_shows_fit_intervals_holdout_and_p_alive(tmp_path):
    model, figures = load(FIXTURES / "clv_holdout.copis")
    html = built(FIXTURES / "clv_holdout.copis", tmp_path)
    section = html[html.index('<section id="clv">'):html.index('<section id="segments">')]
    clv = figures.clv
    assert "log-likelihood" in section and "converged: yes" in section
    assert "Mean CLV, 90% interval" in section
    assert f"{clv.mean_clv_interval[0]:,.2f} – {clv.mean_clv_interval[1]:,.2f}" in section
    assert "Holdout: the last 91 days" in section
    assert section.count('<svg class="clv-chart"') == 2
    segments = html[html.index('<section id="segments">'):]
    assert "High &lt;value&gt; &amp; &#34;loyal&#34;" in segments or "High &lt;value&gt; &amp; &quot;loyal&quot;" \
        in segments
    low, high = clv.segments[0].clv_total_interval
    assert f"{low:,.2f} – {high:,.2f}" in segments


@pytest.mark.skipif(not has_dot(), reason="needs Graphviz")
def test_a_historic_clv_has_no_model_parts(tmp_path):
    html = built(FIXTURES / "portfolio.copis", tmp_path)
    section = html[html.index('<section id="clv">'):html.index('<section id="segments">')]
    assert "clv-chart" not in section and "log-likelihood" not in section and "interval" not in section


def test_standard_errors_are_shown_when_the_figures_have_them():
    import copy

    from copisdsl.render.report import clv_context

    _, figures = load(FIXTURES / "clv_holdout.copis")
    figures = copy.deepcopy(figures)
    shown = dict(clv_context(figures)["fit"]["standard_errors"])
    assert set(shown) == {k for k, v in figures.clv.fit.standard_errors.items() if v == v}  # the fit's own
    figures.clv.fit.standard_errors = {"r": 0.0123, "alpha": float("nan")}
    assert clv_context(figures)["fit"]["standard_errors"] == [("r", "0.0123")]  # NaN: none known
