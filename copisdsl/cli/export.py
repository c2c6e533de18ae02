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
@click.option("--customers", metavar="OUT.csv|OUT.parquet", default=None,
              help="Also write one row per customer (segment, RFM, P(alive), expected purchases and "
                   "spend, CLV), sorted by customer ID.")
@config_options
@root_option
@stdin_filename_option
@output_options
def export_cmd(file: str, output: str, fmt: str, customers: str | None, settings, root: str | None,
               stdin_filename: str | None, ui) -> None:
    """Write a journey for other tools: JSON with its figures (KPIs,
    objectives, CLV), or a Mermaid journey diagram (--format mermaid).
    '-' reads the journey from standard input."""
    from copisdsl.cli.main import refuse_overwriting_data, refuse_overwriting_input, report
    from copisdsl.files import write_named
    from copisdsl.source import printable
    from copisdsl.workflow.export.customers import FORMATS

    refuse_overwriting_input(output, file)
    if customers is not None:
        if Path(customers).suffix.lower() not in FORMATS or customers == "-":
            raise click.BadParameter(f"{printable(customers)}: the customer table is written as "
                                     f"{' or '.join(FORMATS)}", param_hint="--customers")
        refuse_overwriting_input(customers, file)
        if output != "-" and Path(customers).resolve() == Path(output).resolve():
            raise click.BadParameter("--customers and --output name the same file", param_hint="--customers")
    written = {flag: path for flag, path in (("--output", output), ("--customers", customers))
               if path is not None and path != "-"}
    with_figures = fmt not in MODEL_ONLY or customers is not None
    result = check_one(STDIN if file == "-" else Path(file), None, settings, stdin_filename=stdin_filename,
                       data=with_figures, figures=with_figures, root=root,
                       before_data=lambda inputs: refuse_overwriting_data(written, inputs))
    if not result.ok or result.model is None:
        # The diagnostics as `copis check` prints them, on stderr: stdout may be the JSON's place.
        report([result], "text", ui.color(err=True), err=True, quiet=ui.quiet)
        sys.exit(EXIT_PROBLEMS)
    if result.strict and result.diagnostics:
        report([result], "text", ui.color(err=True), err=True, quiet=ui.quiet)
    if customers is not None:
        _write_customers(customers, result.figures)
    text = WRITERS[fmt](result.model, result.figures, result.diagnostics)
    if output == "-":
        click.echo(text, nl=False)
    else:
        try:
            write_named(Path(output), text.encode("utf-8"))
        except OSError as exc:
            raise click.FileError(printable(output), hint=exc.strerror or str(exc)) from None
    sys.exit(EXIT_PROBLEMS if failed([result]) else EXIT_OK)  # warnings fail with strict


def _write_customers(path: str, figures) -> None:
    """The per-customer table, or exit 1 when the journey has none."""
    from copisdsl.files import write_named
    from copisdsl.source import printable
    from copisdsl.workflow.export.customers import customer_file

    table = figures.clv.table if figures is not None and figures.clv is not None else None
    if table is None:
        click.echo(f"copis export: no customer table for {printable(path)}: the journey has no readable "
                   "`kind transactions` data", err=True)
        sys.exit(EXIT_PROBLEMS)
    try:
        write_named(Path(path), customer_file(table, Path(path).suffix))
    except OSError as exc:
        raise click.FileError(printable(path), hint=exc.strerror or str(exc)) from None
