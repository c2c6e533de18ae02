"""`copis export FILE [--format json|mermaid] -o OUT`: the resolved journey
with its figures as JSON, or as a Mermaid journey diagram."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from copisdsl.cli.main import (EXIT_OK, EXIT_PROBLEMS, STDIN, check_one, config_options, failed, main,
                               output_options, root_option, stdin_filename_option)


def _json(model, figures, diagnostics) -> str:
    from copisdsl.workflow.export.json_export import export_json

    return export_json(model, figures, diagnostics)


def _mermaid(model, figures, diagnostics) -> str:
    from copisdsl.workflow.export.mermaid import mermaid_journey

    return mermaid_journey(model)


#: --format name -> writer(model, figures, diagnostics) -> text.
WRITERS = {"json": _json, "mermaid": _mermaid}
#: formats drawn from the journey alone: no data file is read for them
MODEL_ONLY = {"mermaid"}


@main.command("export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("-o", "--output", default="-", show_default=True, metavar="OUT",
              help="Where to write; '-' writes to standard output.")
@click.option("--format", "fmt", type=click.Choice(sorted(WRITERS)), default="json", show_default=True,
              help="Output format.")
@config_options
@root_option
@stdin_filename_option
@output_options
def export_cmd(file: str, output: str, fmt: str, settings, root: str | None, stdin_filename: str | None,
               ui) -> None:
    """Write a journey for other tools: JSON with its figures (KPIs,
    objectives, CLV), or a Mermaid journey diagram (--format mermaid).
    '-' reads the journey from standard input."""
    from copisdsl.cli.main import refuse_overwriting_input, report
    from copisdsl.files import write_named
    from copisdsl.source import printable

    refuse_overwriting_input(output, file)
    with_figures = fmt not in MODEL_ONLY
    result = check_one(STDIN if file == "-" else Path(file), None, settings, stdin_filename=stdin_filename,
                       data=with_figures, figures=with_figures, root=root)
    if not result.ok or result.model is None:
        # The diagnostics as `copis check` prints them, on stderr: stdout may be the JSON's place.
        report([result], "text", ui.color(err=True), err=True, quiet=ui.quiet)
        sys.exit(EXIT_PROBLEMS)
    if result.strict and result.diagnostics:
        report([result], "text", ui.color(err=True), err=True, quiet=ui.quiet)
    text = WRITERS[fmt](result.model, result.figures, result.diagnostics)
    if output == "-":
        click.echo(text, nl=False)
    else:
        try:
            write_named(Path(output), text.encode("utf-8"))
        except OSError as exc:
            raise click.FileError(printable(output), hint=exc.strerror or str(exc)) from None
    sys.exit(EXIT_PROBLEMS if failed([result]) else EXIT_OK)  # warnings fail with strict

