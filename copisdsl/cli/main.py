"""The `copis` command: thin click commands over ``copisdsl.api``.

Exit codes: 0 ok, 1 problems found (errors; warnings too with --strict),
2 usage error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from copisdsl import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def find_journeys(paths: tuple[str, ...]) -> list[tuple[Path, str]]:
    """``search.journey_files``; a usage error when there is none."""
    from copisdsl.workflow.search import journey_files

    found = journey_files(paths)
    if not found:
        raise click.UsageError(f"no .copis files in {', '.join(paths)}")
    return found


def refuse_overwriting_input(output: str, source: str) -> None:
    """A usage error when the output file is the journey being read."""
    if output != "-" and Path(output).resolve() == Path(source).resolve():
        raise click.UsageError(f"the output {output} is the journey being read; write somewhere else")


def refuse_output_holding_inputs(paths: tuple[str, ...], out: Path, what: str) -> None:
    """A usage error when an output folder is, or holds, one of the inputs
    (a build would write its index over the user's files, and a watcher
    would see its own output)."""
    out_key = out.resolve()
    for raw in paths:
        key = Path(raw).resolve()
        if key == out_key or key.is_relative_to(out_key):
            raise click.UsageError(f"the output folder {out.as_posix()} contains {raw}, which is {what}; "
                                   f"build into a folder of its own (for example -o build)")


def format_option(*choices: str, default: str):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


strict_option = click.option("--strict", is_flag=True, help="Warnings count as errors for the exit code.")
root_option = click.option("--root", type=click.Path(file_okay=False), default=None,
                           help="The folder data paths may not leave (default: each journey's folder).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="copis")
def main() -> None:
    """Compile customer journeys written as text (.copis files)."""


def report(results, fmt: str, color: bool, *, err: bool = False) -> tuple[int, int]:
    """Print the diagnostics of checked files and the summary line (on
    standard error with ``err``); returns (errors, warnings)."""
    from copisdsl.diagnostics import count, format_github, format_json, summary_line

    diags = [d for r in results for d in r.diagnostics]
    if fmt == "json":
        click.echo(format_json(len(results), diags), err=err)
    elif fmt == "github":
        for d in diags:
            click.echo(format_github(d), err=err)
        click.echo(summary_line(len(results), diags), err=err)
    else:
        _echo_text(diags, {r.source.path: r.source.lines for r in results}, color, err)
        click.echo(summary_line(len(results), diags), err=err)
    return count(diags)


def echo_diagnostics(diagnostics, text: str, *, err: bool = True, color: bool | None = None) -> None:
    """The diagnostics of one text as `check` prints them, on standard
    error by default (coloured when it is a terminal)."""
    from copisdsl.source import source_lines

    color = (sys.stderr if err else sys.stdout).isatty() if color is None else color
    lines = source_lines(text)
    _echo_text(diagnostics, {d.span.file: lines for d in diagnostics}, color, err)


def _echo_text(diagnostics, sources, color: bool, err: bool) -> None:
    from copisdsl.diagnostics import format_text

    for d in diagnostics:
        click.echo(format_text(d, sources, color) + "\n", err=err)


_own_process = False


def run() -> None:
    """The console entry point (``copis``, ``python -m copisdsl``): ``main``
    in a process of its own, which lets commands end it quickly."""
    global _own_process
    _own_process = True
    main()


def own_process() -> bool:
    """Whether ``run`` started this process (the ``copis`` program), rather
    than a test or an embedding program calling ``main``."""
    return _own_process


def end_process(code: int) -> NoReturn:
    """Exit with ``code``. In a process of its own (``run``), skip tearing
    down the interpreter: freeing a large journey's tree object by object
    took longer than checking it (0.7 s for 10,000 touchpoints). Elsewhere
    (tests, embedding) this is ``sys.exit``."""
    if not _own_process:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _register_commands() -> None:
    """Import every command module of ``copisdsl.cli`` (each adds itself to ``main``)."""
    import importlib
    import pkgutil

    from copisdsl import cli

    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda i: i.name):
        if info.name != "main":
            importlib.import_module(f"copisdsl.cli.{info.name}")


_register_commands()
