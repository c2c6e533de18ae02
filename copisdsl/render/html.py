"""The HTML report and the index of several journeys, from the Jinja
templates in ``templates/`` (autoescape on, undefined names are errors)."""

from __future__ import annotations

from functools import lru_cache

from copisdsl.diagnostics import Diagnostic
from copisdsl.source import bidi_marked
from copisdsl.data.figures import Figures
from copisdsl.semantic.model import Model
from copisdsl.render.report import Diagram, report_context


@lru_cache(maxsize=1)
def environment():
    """The Jinja environment (built once per process).

    Compiled templates are kept in ``~/.cache/copisdsl/jinja`` (or under
    ``$XDG_CACHE_HOME``): compiling the report's template takes a cold
    process longer than drawing a small journey. Jinja checks each cached
    entry against the template's source, so an edited template is compiled
    again; a cache that cannot be written is simply not used.
    """
    import jinja2

    from copisdsl.resources import cache_dir, templates_dir

    class _Cache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except OSError:
                pass

        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    folder = cache_dir("jinja")

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        # The environment's settings (finalize) are compiled into the cached
        # code, which Jinja checks only against the template: a new name
        # whenever they change.
        bytecode_cache=_Cache(folder, "%s.f1.jinja") if folder else None,
        finalize=_neutral,  # every value printed, before autoescape
    )


def _neutral(value):
    """Bidirectional controls in a printed value become visible marks."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(bidi_marked(value))
    return bidi_marked(value) if isinstance(value, str) else value


def prepare(index: bool = False) -> None:
    """Load (compile) the report's templates now: ``build_paths`` does it
    while Graphviz draws."""
    environment().get_template("report.html.j2")
    if index:
        environment().get_template("index.html.j2")


def trusted(markup: str):
    """Mark SVG markup that the renderers produced (all user text inside is
    already escaped) as safe to insert."""
    from markupsafe import Markup

    return Markup(markup)


def render_report(model: Model, figures: Figures | None, diagnostics: list[Diagnostic],
                  diagrams: dict[str, Diagram | None]) -> str:
    """The self-contained report of one journey."""
    safe = {name: Diagram(trusted(d.markup), d.fit, d.min_width) if d is not None else None
            for name, d in diagrams.items()}
    context = report_context(model, figures, diagnostics, safe)
    return environment().get_template("report.html.j2").render(**context)


def render_index(journeys: list[dict], version: str) -> str:
    """``OUT/index.html``: every journey built, with its counts and problems.

    Each entry has ``id``, ``title``, ``source``, ``href`` (None when it was
    not built), ``stages``, ``touchpoints`` and ``diagnostics`` (dicts with
    ``code``, ``severity``, ``message``, ``where``, ``hint``)."""
    return environment().get_template("index.html.j2").render(journeys=journeys, version=version)
