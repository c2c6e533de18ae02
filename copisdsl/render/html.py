"""The HTML report and the index of several journeys, from the Jinja
templates in ``templates/`` (autoescape on, undefined names are errors)."""

from __future__ import annotations

from functools import lru_cache

from copisdsl.diagnostics import Diagnostic
from copisdsl.figures import Figures
from copisdsl.model import Model
from copisdsl.render.report import Diagram, report_context


@lru_cache(maxsize=1)
def environment():
    """The Jinja environment (built once per process)."""
    import jinja2

    from copisdsl.resources import templates_dir

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def trusted(markup: str):
    """Mark SVG markup that the renderers produced (all user text inside is
    already escaped) as safe to insert."""
    from markupsafe import Markup

    return Markup(markup)


def render_report(model: Model, figures: Figures | None, diagnostics: list[Diagnostic],
                  diagrams: dict[str, Diagram | None]) -> str:
    """The self-contained report of one journey."""
    safe = {name: Diagram(trusted(d.markup), d.fit) if d is not None else None for name, d in diagrams.items()}
    context = report_context(model, figures, diagnostics, safe)
    return environment().get_template("report.html.j2").render(**context)


def render_index(journeys: list[dict], version: str) -> str:
    """``OUT/index.html``: every journey built, with its counts and problems.

    Each entry has ``id``, ``title``, ``source``, ``href`` (None when it was
    not built), ``stages``, ``touchpoints`` and ``diagnostics`` (dicts with
    ``code``, ``severity``, ``message``, ``where``, ``hint``)."""
    return environment().get_template("index.html.j2").render(journeys=journeys, version=version)
