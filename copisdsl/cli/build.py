"""`copis build PATH... -o OUT`: a report and its diagrams per journey."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from copisdsl.source import shown_path
from copisdsl.cli.main import (EXIT_OK, EXIT_PROBLEMS, Progress, config_options, failed, main, output_options,
                               root_option)


@main.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), metavar="OUT",
              help="The folder to build into: OUT/<journey id>/index.html and its SVGs.")
@click.option("--keep-dot", is_flag=True, help="Also write each view's Graphviz source (journey.dot ...).")
@click.option("--pdf", is_flag=True, help="Also print each report to report.pdf (needs Chromium): "
              "the map on a landscape A3 page, the rest on A4.")
@config_options
@root_option
@output_options
def build_cmd(paths, out, keep_dot, pdf, settings, root, ui):
    """Check journeys and build each into a self-contained HTML report with
    its journey map, service blueprint (when the journey uses blueprint
    lanes), journey flow, COPIS matrix and mind map diagrams (folders: every *.copis
    inside). A journey with errors is reported and skipped; the others are
    still built. A line is printed for each journey as it is finished."""
    from copisdsl.workflow.build import build_paths, index_path
    from copisdsl.cli.main import find_journeys, refuse_output_holding_inputs
    from copisdsl.config import ConfigError
    from copisdsl.diagnostics import plural, summary_line

    found = find_journeys(paths, settings, ui)
    if not found:
        sys.exit(EXIT_OK)  # the note is printed; nothing to build is no problem
    refuse_output_holding_inputs(paths, Path(out), "built")
    color = ui.color()
    progress = Progress(len(found), enabled=not ui.quiet)
    problems: set[str] = set()

    def built(b) -> None:
        from copisdsl.diagnostics import format_text

        sources = {b.source_file.path: b.source_file.lines}
        for d in b.diagnostics:
            progress.echo(format_text(d, sources, color) + "\n", color=color)
        if b.error is not None and b.error not in problems:
            problems.add(b.error)
            progress.echo(f"error: {b.error}", err=True)
        if b.ok and b.report is not None:
            if not ui.quiet:
                progress.echo(f"report: {shown_path(b.report)}{'' if b.written else ' (unchanged)'}")
        else:
            progress.echo(f"not built: {b.source_file.path}", err=True)
        progress.tick()

    try:
        builds = build_paths([Path(p) for p in paths], Path(out), keep_dot=keep_dot, pdf=pdf,
                             root=Path(root) if root is not None else None, settings=settings, on_built=built)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        progress.close()
    for b in builds:
        if b.index_error is not None and b.index_error not in problems:
            problems.add(b.index_error)
            click.echo(f"error: {b.index_error}", err=True)
    index_failed = any(b.index_error is not None for b in builds)
    if len(builds) > 1 and not index_failed:
        ui.note(f"index: {shown_path(index_path(Path(out)))}", err=False)
    ui.note(summary_line(len(builds), [d for b in builds for d in b.diagnostics]), err=False)
    not_built = len(builds) - sum(1 for b in builds if b.ok and b.report is not None)
    if not_built:
        click.echo(f"{not_built} of {plural(len(builds), 'journey')} not built", err=True)
    sys.exit(EXIT_PROBLEMS if not_built or index_failed or failed(builds) else EXIT_OK)
