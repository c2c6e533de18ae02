"""`copis fmt`: rewrite journeys in the canonical layout (see ``copisdsl.workflow.fmt``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from copisdsl.cli.main import EXIT_OK, EXIT_PROBLEMS, echo_diagnostics, find_journeys, main
from copisdsl.diagnostics import plural


@main.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when a file would be reformatted.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Write nothing; print a unified diff of the changes.")
@click.option("--stdin-filename", default=None, metavar="NAME",
              help="The file name to show in diagnostics when reading standard input ('-').")
def fmt_cmd(paths, check, show_diff, stdin_filename):
    """Format .copis files in place (folders: every *.copis inside).

    '-' reads a journey from standard input and writes the formatted text to
    standard output. A file with syntax errors is left untouched and its
    diagnostics are printed. Exit code 0 when all is well, 1 when a file
    has syntax errors or (with --check) would be reformatted.
    """
    if "-" in paths:
        if len(paths) > 1:
            raise click.UsageError("'-' (standard input) cannot be mixed with other paths")
        sys.exit(_format_stdin(check, show_diff, stdin_filename or "<stdin>"))
    tally = {"changed": 0, "unchanged": 0, "failed": 0}
    for path, name in find_journeys(paths):
        tally[_format_file(path, name, check, show_diff)] += 1
    click.echo(_summary(tally, dry=check or show_diff), err=True)
    problems = tally["failed"] or (check and tally["changed"])
    sys.exit(EXIT_PROBLEMS if problems else EXIT_OK)


def _format_file(path: Path, name: str, check: bool, show_diff: bool) -> str:
    """Format one file; returns 'changed', 'unchanged' or 'failed'."""
    from copisdsl.api import decode_source, read_file

    try:
        data = read_file(path)
    except OSError as exc:
        click.echo(f"{name}: error: cannot read the file ({exc.strerror or exc})", err=True)
        return "failed"
    text, problems = decode_source(data, name)
    if problems:
        echo_diagnostics(problems, text)
        return "failed"
    formatted = _formatted(text, name)
    if formatted is None:
        return "failed"
    if formatted == text:
        return "unchanged"
    if show_diff:
        click.echo(_unified_diff(text, formatted, name), nl=False)
    if check or show_diff:
        click.echo(f"would reformat {name}", err=True)
        return "changed"
    if not os.access(path, os.W_OK):  # replacing the file would get around its protection
        click.echo(f"{name}: error: the file is read-only; left unchanged", err=True)
        return "failed"
    from copisdsl.files import write_atomic

    try:
        write_atomic(path, (_bom_of(data) + formatted).encode("utf-8"), os.stat(path).st_mode & 0o7777,
                     durable=True)
    except OSError as exc:
        click.echo(f"{name}: error: cannot write the file ({exc.strerror or exc})", err=True)
        return "failed"
    click.echo(f"reformatted {name}", err=True)
    return "changed"


def _format_stdin(check: bool, show_diff: bool, name: str) -> int:
    from copisdsl.api import decode_source

    data = _binary(sys.stdin).read()
    text, problems = decode_source(data, name, "input")
    if problems:
        echo_diagnostics(problems, text)
        return EXIT_PROBLEMS
    formatted = _formatted(text, name)
    if formatted is None:
        return EXIT_PROBLEMS
    if show_diff:
        click.echo(_unified_diff(text, formatted, name), nl=False)
    elif not check:
        _binary(sys.stdout).write((_bom_of(data) + formatted).encode("utf-8"))
    return EXIT_PROBLEMS if check and formatted != text else EXIT_OK


def _formatted(text: str, name: str) -> str | None:
    """The formatted text (with the file's line endings), or None after
    printing why it cannot be formatted."""
    from copisdsl.workflow.fmt import UnsafeFormatError, format_source

    crlf = text.split("\n", 1)[0].endswith("\r")
    try:
        out, diagnostics = format_source(text.replace("\r\n", "\n") if crlf else text, name)
    except UnsafeFormatError as exc:
        click.echo(f"{name}: error: INTERNAL ERROR, the file was left unchanged: {exc}; "
                   "please report this with the file", err=True)
        return None
    if out is None:
        echo_diagnostics(diagnostics, text)
        return None
    return out.replace("\n", "\r\n") if crlf else out


_BOM = "\ufeff"


def _bom_of(data: bytes) -> str:
    """The UTF-8 byte order mark ``data`` starts with, or nothing (the text
    is decoded without it, and it is written back: some Windows editors
    rely on it)."""
    return _BOM if data.startswith(_BOM.encode("utf-8")) else ""


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
