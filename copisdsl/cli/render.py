"""`copis render FILE --view VIEW -o OUT`: one diagram, as SVG, PNG, PDF or DOT."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from copisdsl.cli.main import (EXIT_OK, EXIT_PROBLEMS, STDIN, check_one, config_options, failed, main, output_options,
                               root_option, stdin_filename_option)
from copisdsl.render import FORMATS, VIEWS


def output_format(output: str, fmt: str | None) -> str:
    """``--format`` when given, else the output's extension (SVG for stdout);
    a usage error when the two disagree."""
    suffix = Path(output).suffix.lower().lstrip(".") if output != "-" else ""
    if fmt is not None:
        if suffix in FORMATS and suffix != fmt:
            raise click.UsageError(f"--format {fmt} does not match the extension of '{output}'")
        return fmt
    if output == "-":
        return "svg"
    if suffix in FORMATS:
        return suffix
    raise click.UsageError(f"cannot tell the format from '{output}'; use an extension "
                           f"({', '.join('.' + f for f in FORMATS)}) or --format")


@main.command("render")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--view", type=click.Choice(VIEWS), default="journey", show_default=True,
              help="journey: the flow; copis: the COPIS matrix; mindmap: a radial mind map; map: the "
                   "journey map (stages as columns, lanes as rows); blueprint: the service blueprint.")
@click.option("-o", "--output", default="-", show_default=True, metavar="OUT",
              help="The file to write (.svg, .png, .pdf or .dot); '-' writes to standard output.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format, when the extension does not say (default for '-': svg).")
@config_options
@root_option
@stdin_filename_option
@output_options
def render_cmd(file: str, view: str, output: str, fmt: str | None, settings, root: str | None,
               stdin_filename: str | None, ui) -> None:
    """Draw one view of a journey ('-': read it from standard input). DOT
    output needs no Graphviz."""
    from copisdsl.workflow.build import render_view
    from copisdsl.cli.main import refuse_overwriting_data, refuse_overwriting_input, report
    from copisdsl.files import write_named
    from copisdsl.source import printable
    from copisdsl.render.graphviz_run import GraphvizError

    fmt = output_format(output, fmt)
    refuse_overwriting_input(output, file)
    written = {"--output": output} if output != "-" else {}
    result = check_one(STDIN if file == "-" else Path(file), None, settings, stdin_filename=stdin_filename,
                       figures=True, root=root, before_data=lambda inputs: refuse_overwriting_data(written, inputs))
    if result.diagnostics:  # on stderr: stdout may be the picture's place
        report([result], "text", ui.color(err=True), err=True, quiet=ui.quiet)
    if not result.ok or result.model is None:
        sys.exit(EXIT_PROBLEMS)
    try:
        data = render_view(result.model, result.figures, view, fmt)
    except GraphvizError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_PROBLEMS)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            write_named(Path(output), data)
        except OSError as exc:
            raise click.FileError(printable(output), hint=exc.strerror or str(exc)) from None
    sys.exit(EXIT_PROBLEMS if failed([result]) else EXIT_OK)  # warnings fail with strict
