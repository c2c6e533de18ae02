"""Building journeys into reports: check, compute figures, draw, write.

    build_paths(paths, out)        -> [JourneyBuild]  (``copis build``)
    render_view(model, figures, view, fmt) -> bytes   (``copis render``)
    render_text(text, path, view, fmt)     -> (bytes | None, diagnostics)
    render_snippet(...)                    -> the same, and the data files read

Every journey gets ``OUT/<journey id>/`` with ``index.html`` (the report)
and ``journey.svg``, ``copis.svg``, ``mindmap.svg``; several journeys also
get ``OUT/index.html``. Files are written atomically and only when their
content changes, so rebuilding unchanged input touches nothing. The
Graphviz runs of all journeys share a pool of one worker per core.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from copisdsl.diagnostics import Diagnostic, error, sort_diagnostics
from copisdsl.data.figures import Figures
from copisdsl.files import remove_inside, write_inside
from copisdsl.semantic.model import Model
from copisdsl.render import VIEWS
from copisdsl.source import SourceFile, shown_path

if TYPE_CHECKING:
    from copisdsl.config import Config, Settings

#: the Graphviz views of a build, and the emotion chart drawn in Python
DIAGRAM_FILES = {view: f"{view}.svg" for view in VIEWS}
PDF_FILE = "report.pdf"  # with --pdf
FIT_LIMIT = 1870  # px: wider diagrams open at their actual size
MIN_SCALE = 0.8  # fitted, a diagram shrinks no further: its 8 pt notes stay 8.5 px tall


@dataclass
class JourneyBuild:
    """The outcome of building one ``.copis`` file.

    ``written`` lists the files whose content changed (and so were
    rewritten, or removed); ``outputs`` every file of the journey's build; ``inputs``
    the ``.copis`` file and every data file read, for watchers;
    ``source_file`` its text as read, for snippets. ``error``
    is a one-line problem outside the file (Graphviz missing or failing, an
    output that cannot be written); ``index_error`` says why the list of
    journeys built with it could not be written (then also its ``error``).
    """

    source: Path
    journey_id: str | None
    out_dir: Path | None
    diagnostics: list[Diagnostic]
    written: list[Path]
    inputs: list[Path]
    ok: bool
    source_file: SourceFile
    title: str | None = None
    report: Path | None = None
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    index_error: str | None = None
    stages: int = 0
    touchpoints: int = 0
    strict: bool = False  # its configuration's: warnings fail the exit code


def render_view(model: Model, figures: Figures | None, view: str, fmt: str) -> bytes:
    """One view (``journey``, ``copis`` or ``mindmap``) as ``svg``, ``png``,
    ``pdf`` or ``dot`` bytes. Raises ``GraphvizError`` when Graphviz is
    missing or fails, ``ValueError`` for an unknown view or format."""
    from copisdsl.render import FORMATS
    from copisdsl.render.views import draw

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    return draw(model, figures, view, fmt)


def render_text(text: str, path: str, view: str = "journey", fmt: str = "svg", *,
                config: Config | None = None) -> tuple[bytes | None, list[Diagnostic]]:
    """Compile a snippet (for docs): its picture, or None when it has
    errors, and its diagnostics (after suppressions and ``config``). Data
    paths are relative to ``path``'s folder. Raises ``GraphvizError`` as
    ``render_view`` does."""
    picture, diagnostics, _ = render_snippet(text, path, view, fmt, config=config)
    return picture, diagnostics


def render_snippet(text: str, path: str, view: str = "journey", fmt: str = "svg", *,
                   config: Config | None = None) -> tuple[bytes | None, list[Diagnostic], list[Path]]:
    """``render_text``, and the data files the snippet read (resolved)."""
    from copisdsl.api import check

    result = check(text, path, policy=config.policy() if config is not None else None,
                   data=Path(path).resolve().parent, figures=True,
                   root=config.root if config is not None else None)
    inputs = [Path(p).resolve() for p in (result.figures.inputs if result.figures is not None else ())]
    if not result.ok or result.model is None:
        return None, result.diagnostics, inputs
    return render_view(result.model, result.figures, view, fmt), result.diagnostics, inputs


@dataclass
class _Checked:
    build: JourneyBuild
    model: Model | None = None
    figures: Figures | None = None
    jobs: dict[str, Future] = field(default_factory=dict)


def _check(path: Path, display: str, root: Path | None, settings: Settings | None) -> _Checked:
    from copisdsl.api import check_file

    config = settings.for_file(path) if settings is not None else None
    result = check_file(path, display, figures=True, root=root, config=config)
    model = result.model
    build = JourneyBuild(path, model.id if model else None, None, result.diagnostics, [], [path.resolve()],
                         False, result.source, strict=result.strict)
    if model is not None:  # then its figures were computed too
        build.title = model.title
        build.stages = len(model.stages)
        build.touchpoints = len(model.touchpoints)
        build.inputs += [Path(p) for p in result.figures.inputs]
        build.ok = result.ok
    return _Checked(build, model, result.figures)


def _duplicate_ids(checked: list[_Checked]) -> None:
    """Two files declaring the same journey id would write one folder."""
    first: dict[str, _Checked] = {}
    for item in checked:
        model = item.model
        if model is None or not item.build.ok:
            continue
        if model.id in first:
            other = shown_path(first[model.id].build.source)
            diag = error("E200", f"journey '{model.id}' is also declared in {other}; both would be built "
                         f"into the same folder", model.node.id.span,
                         "give each journey its own id")
            item.build.diagnostics = sort_diagnostics(item.build.diagnostics + [diag])
            item.build.ok = False
        else:
            first[model.id] = item


def _diagram(markup: str, svg_bytes: bytes, unit: str = "pt"):
    """A report diagram: it opens fitted to the page's width unless it is
    very wide, and fitted it keeps at least ``MIN_SCALE`` of its size."""
    import re

    from copisdsl.render.report import Diagram

    match = re.search(rb'<svg[^>]*\bwidth="([\d.]+)' + unit.encode() + rb'"', svg_bytes)
    if match is None:
        return Diagram(markup, False)
    width = float(match.group(1)) * (4 / 3 if unit == "pt" else 1)
    return Diagram(markup, width <= FIT_LIMIT, round(width * MIN_SCALE))


def _finish(item: _Checked, out: Path, keep_dot: bool, pdf: bool = False) -> None:
    """Wait for the journey's pictures, then write its folder."""
    from copisdsl.render import svg
    from copisdsl.render.emotion import emotion_svg
    from copisdsl.render.graphviz_run import GraphvizError
    from copisdsl.render.html import render_report
    from copisdsl.render.report import Diagram
    from copisdsl.render.views import view_dot

    build, model = item.build, item.model
    assert model is not None
    folder = out / model.id
    files: dict[str, bytes] = {}
    diagrams: dict[str, Diagram | None] = {}
    try:
        for view, job in item.jobs.items():
            picture = job.result()
            files[DIAGRAM_FILES[view]] = picture
            diagrams[view] = _diagram(svg.inline(picture, view), picture)
    except GraphvizError as exc:
        build.ok, build.error = False, str(exc)
        return
    chart = emotion_svg(model)
    diagrams["emotion"] = _diagram(chart, chart.encode("utf-8"), "") if chart is not None else None
    warnings = [d for d in build.diagnostics if not d.is_error]
    files["index.html"] = render_report(model, item.figures, warnings, diagrams).encode("utf-8")
    try:
        for view in VIEWS:
            if keep_dot and view in item.jobs:
                files[f"{view}.dot"] = view_dot(model, item.figures, view).encode("utf-8")
            elif remove_inside(out, f"{model.id}/{view}.dot"):  # left by an earlier --keep-dot build
                build.written.append(folder / f"{view}.dot")  # a change to the output folder all the same
            if view not in item.jobs and remove_inside(out, f"{model.id}/{DIAGRAM_FILES[view]}"):
                # a blueprint.svg from when the journey used blueprint lanes
                build.written.append(folder / DIAGRAM_FILES[view])
        for name in sorted(files):
            path = folder / name
            build.outputs.append(path)
            if write_inside(out, f"{model.id}/{name}", files[name]):
                build.written.append(path)
    except OSError as exc:
        build.ok, build.error = False, cannot_write(exc, folder)
        return
    build.out_dir = folder
    build.report = folder / "index.html"
    if pdf:
        _write_pdf(build, folder)


def _write_pdf(build: JourneyBuild, folder: Path) -> None:
    """``report.pdf`` printed from the report just written."""
    from copisdsl.workflow.pdf import PdfError, print_pdf

    path = folder / PDF_FILE
    try:
        data = print_pdf(folder / "index.html")
        build.outputs.append(path)
        if write_inside(folder.parent, f"{folder.name}/{PDF_FILE}", data):  # folder is OUT/<id>
            build.written.append(path)
    except PdfError as exc:
        build.ok, build.error = False, str(exc)
    except OSError as exc:
        build.ok, build.error = False, cannot_write(exc, folder)


def cannot_write(exc: OSError, where: Path) -> str:
    """A one-line message for a failed write (a file where a folder should
    be, no permission, a full disk ...)."""
    name = exc.filename2 or exc.filename  # os.replace(temporary, target) names the target second
    target = Path(name) if name else where
    return f"cannot write {shown_path(target)}: {exc.strerror or exc}"


def build_paths(paths: list[Path], out: Path, *, keep_dot: bool = False, root: Path | None = None,
                pdf: bool = False, settings: Settings | None = None,
                on_built: Callable[[JourneyBuild], None] | None = None) -> list[JourneyBuild]:
    """Build every journey in ``paths`` (files, or folders searched for
    ``*.copis``) into ``out``, each with its configuration from
    ``settings`` (default: none); with ``pdf`` each report is also printed
    to ``report.pdf`` (headless Chromium). A journey with errors is not
    drawn; the others still are. ``on_built`` is called with each journey
    as it is finished (written, or found to have errors), in order.
    Returns one ``JourneyBuild`` per file, in order."""
    from copisdsl.render.html import prepare
    from copisdsl.render.views import build_views, draw
    from copisdsl.workflow.search import journey_files

    found = journey_files(paths, settings)
    out = Path(out)
    checked = [_check(path, display, root, settings) for path, display in found]
    _duplicate_ids(checked)
    todo = [item for item in checked if item.build.ok and item.model is not None]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        # The slowest views first, so that the pool's workers stay busy.
        for view in ("mindmap", "journey", "copis", "map", "blueprint"):
            for item in todo:
                if view in build_views(item.model):
                    item.jobs[view] = pool.submit(draw, item.model, item.figures, view, "svg")
        if todo:
            prepare(index=len(checked) > 1)  # while Graphviz draws
        drawn = {id(item) for item in todo}
        for item in checked:
            if id(item) in drawn:
                _finish(item, out, keep_dot, pdf)
            if on_built is not None:
                on_built(item.build)
    builds = [item.build for item in checked]
    if len(builds) > 1:
        try:
            write_index(builds, out)
        except OSError as exc:
            problem = cannot_write(exc, index_path(out))
            for build in builds:
                build.error = build.error or problem
                build.index_error = problem
    return builds


def write_index(builds: list[JourneyBuild], out: Path) -> bool:
    """Write ``OUT/index.html`` listing ``builds`` (only when it changes);
    True when it was written."""
    from copisdsl import __version__
    from copisdsl.render.html import render_index
    from copisdsl.render.report import diagnostic_rows

    journeys = [{
        "id": b.journey_id, "title": b.title or shown_path(Path(b.source.name)), "source": shown_path(b.source),
        "href": f"{b.journey_id}/index.html" if b.ok and b.report is not None else None,
        "stages": b.stages, "touchpoints": b.touchpoints,
        "diagnostics": diagnostic_rows(b.diagnostics), "error": b.error,
    } for b in builds]
    return write_inside(Path(out), index_path(out).name, render_index(journeys, __version__).encode("utf-8"))


def index_path(out: Path) -> Path:
    """Where ``build_paths`` writes the list of journeys (several only)."""
    return Path(out) / "index.html"
