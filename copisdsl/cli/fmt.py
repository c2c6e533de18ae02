"""`copis fmt`: rewrite journeys in the canonical layout (see ``copisdsl.workflow.fmt``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from copisdsl.cli.main import EXIT_OK, EXIT_PROBLEMS, color_options, echo_diagnostics, find_journeys, main
from copisdsl.diagnostics import plural


@main.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when a file would be reformatted.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Write nothing; print a unified diff of the changes.")
@click.option("--stdin-filename", default=None, metavar="NAME",
              help="The file name to show in diagnostics when reading standard input ('-').")
@color_options
def fmt_cmd(paths, check, show_diff, stdin_filename, color):
    """Format .copis files in place (folders: every *.copis inside).

    '-' reads a journey from standard input and writes the formatted text to
    standard output. A file with syntax errors is left untouched and its
    diagnostics are printed. Exit code 0 when all is well, 1 when a file
    has syntax errors or (with --check) would be reformatted.
    """
    del color  # echo_diagnostics reads it from the command's parameters
    if "-" in paths:
        if len(paths) > 1:
            raise click.UsageError("'-' (standard input) cannot be mixed with other paths")
        sys.exit(_format_stdin(check, show_diff, stdin_filename or "<stdin>"))
    tally = {"changed": 0, "unchanged": 0, "failed": 0}
    from copisdsl.config import Settings

    for path, name in find_journeys(paths, Settings()):
        tally[_format_file(path, name, check, show_diff)] += 1
    click.echo(_summary(tally, dry=check or show_diff), err=True)
    problems = tally["failed"] or (check and tally["changed"])
    sys.exit(EXIT_PROBLEMS if problems else EXIT_OK)


def _format_file(path: Path, name: str, check: bool, show_diff: bool) -> str:
    """Format one file; returns 'changed', 'unchanged' or 'failed'."""
    from copisdsl.workflow.fmt.policy import FormatFileError, read_bytes, write_formatted

    try:
        result = _formatted(read_bytes(path), name)
        if result is None:
            return "failed"
        if not result.changed:
            return "unchanged"
        if show_diff:
            click.echo(_unified_diff(result.text, result.formatted, name), nl=False)
        if check or show_diff:
            click.echo(f"would reformat {name}", err=True)
            return "changed"
        write_formatted(path, result)
    except FormatFileError as exc:
        click.echo(f"{name}: error: {exc}", err=True)
        return "failed"
    click.echo(f"reformatted {name}", err=True)
    return "changed"


def _format_stdin(check: bool, show_diff: bool, name: str) -> int:
    result = _formatted(_binary(sys.stdin).read(), name, "input")
    if result is None:
        return EXIT_PROBLEMS
    if show_diff:
        click.echo(_unified_diff(result.text, result.formatted, name), nl=False)
    elif not check:
        _binary(sys.stdout).write(result.encoded())
    return EXIT_PROBLEMS if check and result.changed else EXIT_OK


def _formatted(data: bytes, name: str, what: str = "file"):
    """The formatted source, or None after printing why it cannot be formatted."""
    from copisdsl.workflow.fmt import SuppressionMovedError, UnsafeFormatError
    from copisdsl.workflow.fmt.policy import format_bytes

    try:
        result = format_bytes(data, name, what)
    except SuppressionMovedError as exc:
        click.echo(f"{name}: error: not formatted, the file was left unchanged: {exc}", err=True)
        return None
    except UnsafeFormatError as exc:
        click.echo(f"{name}: error: INTERNAL ERROR, the file was left unchanged: {exc}; "
                   "please report this with the file", err=True)
        return None
    if result.formatted is None:
        echo_diagnostics(result.diagnostics, result.text)
        return None
    return result


def _unified_diff(old: str, new: str, name: str) -> str:
    import difflib

    from copisdsl.source import lines_with_ends

    out = []
    for line in difflib.unified_diff(lines_with_ends(old), lines_with_ends(new),
                                     f"{name} (original)", f"{name} (formatted)"):
        out.append(line)
        if not line.endswith("\n"):  # a last line without a newline, marked as diff(1) does
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _summary(tally: dict[str, int], dry: bool) -> str:
    would = "would be " if dry else ""
    parts = []
    if tally["changed"]:
        parts.append(f"{plural(tally['changed'], 'file')} {would}reformatted")
    if tally["unchanged"]:
        parts.append(f"{plural(tally['unchanged'], 'file')} {would}left unchanged")
    if tally["failed"]:
        parts.append(f"{plural(tally['failed'], 'file')} could not be formatted")
    return ", ".join(parts) + "."


def _binary(stream):
    """The byte stream under a text stream (click's test runner swaps them)."""
    return getattr(stream, "buffer", stream)
