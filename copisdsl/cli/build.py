"""`copis build PATH... -o OUT`: a report and three diagrams per journey."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import click

from copisdsl.cli.main import EXIT_OK, EXIT_PROBLEMS, main, root_option, strict_option
from copisdsl.source import shown_path


@main.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), metavar="OUT",
              help="The folder to build into: OUT/<journey id>/index.html and its SVGs.")
@click.option("--keep-dot", is_flag=True, help="Also write each view's Graphviz source (journey.dot ...).")
@click.option("--pdf", is_flag=True, help="Also print each report to report.pdf (needs Chromium): "
              "the map on a landscape A3 page, the rest on A4.")
@strict_option
@root_option
@click.option("--color/--no-color", default=None, help="Colour the diagnostics (default: on a terminal).")
def build_cmd(paths, out, keep_dot, pdf, strict, root, color):
    """Check journeys and build each into a self-contained HTML report with
    its journey, COPIS matrix and mind map diagrams (folders: every *.copis
    inside). A journey with errors is reported and skipped; the others are
    still built."""
    from copisdsl.workflow.build import build_paths, index_path
    from copisdsl.cli.main import find_journeys, refuse_output_holding_inputs, report
    from copisdsl.diagnostics import plural

    find_journeys(paths)  # a usage error (exit 2) when there is nothing to build
    refuse_output_holding_inputs(paths, Path(out), "built")
    builds = build_paths([Path(p) for p in paths], Path(out), keep_dot=keep_dot, pdf=pdf,
                         root=Path(root) if root is not None else None)
    use_color = sys.stdout.isatty() if color is None else color
    results = [SimpleNamespace(diagnostics=b.diagnostics, source=b.source_file) for b in builds]
    errors, warnings = report(results, "text", use_color)
    problems = set()
    for b in builds:
        if b.error is not None and b.error not in problems:
            problems.add(b.error)
            click.echo(f"error: {b.error}", err=True)
    built = [b for b in builds if b.ok and b.report is not None]
    for b in built:
        changed = "" if b.written else " (unchanged)"
        click.echo(f"report: {shown_path(b.report)}{changed}")
    index_failed = any(b.index_error is not None for b in builds)
    if len(builds) > 1 and not index_failed:
        click.echo(f"index: {shown_path(index_path(Path(out)))}")
    failed = len(builds) - len(built)
    if failed:
        click.echo(f"{failed} of {plural(len(builds), 'journey')} not built", err=True)
    sys.exit(EXIT_PROBLEMS if failed or index_failed or errors or (strict and warnings) else EXIT_OK)
