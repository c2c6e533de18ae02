"""`copis check PATH...`: parse and check journeys, print their diagnostics."""

from __future__ import annotations

import gc
import sys

import click

from copisdsl.cli.main import (EXIT_OK, EXIT_PROBLEMS, end_process, find_journeys, format_option, main,
                               own_process, report, root_option, strict_option)


def check_paths(paths, *, data: bool = True, root=None):
    from copisdsl.api import check_file

    return [check_file(path, name, data=data, root=root) for path, name in find_journeys(paths)]


@main.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@format_option("text", "json", "github", default="text")
@strict_option
@root_option
@click.option("--no-data", is_flag=True, help="Do not read the linked data files.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: on a terminal).")
def check_cmd(paths, fmt, strict, root, no_data, color):
    """Parse and check .copis files (folders: every *.copis inside)."""
    if own_process():
        gc.disable()  # a short-lived process: the collector would only walk the trees again
    results = check_paths(paths, data=not no_data, root=root)
    use_color = sys.stdout.isatty() if color is None else color
    errors, warnings = report(results, fmt, use_color and fmt == "text")
    end_process(EXIT_PROBLEMS if errors or (strict and warnings) else EXIT_OK)
