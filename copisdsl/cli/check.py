"""`copis check PATH...`: parse and check journeys, print their diagnostics."""

from __future__ import annotations

import gc

import click

from copisdsl.source import printable

from copisdsl.cli.main import (EXIT_OK, EXIT_PROBLEMS, check_one, config_options, end_process, failed,
                               find_journeys, format_option, main, output_options, own_process, report,
                               root_option, stdin_filename_option)


def check_paths(paths, *, data: bool = True, root=None, settings=None, stdin_filename=None, ui=None):
    """Every journey in ``paths`` checked with its configuration."""
    from copisdsl.config import Settings

    settings = settings or Settings()
    results = []
    for path, name in find_journeys(paths, settings, ui):
        result = check_one(path, name, settings, stdin_filename=stdin_filename, data=data, root=root)
        if ui is not None and ui.verbose:
            config = settings.for_file(path) if path.name != "-" else None
            used = config.path.as_posix() if config is not None and config.path else "no configuration"
            ui.detail(printable(f"checked {result.source.path} ({used})"))
        results.append(result)
    return results


@main.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@format_option("text", "json", "github", "sarif", default="text")
@config_options
@root_option
@click.option("--no-data", is_flag=True, help="Do not read the linked data files.")
@stdin_filename_option
@output_options
def check_cmd(paths, fmt, settings, root, no_data, stdin_filename, ui):
    """Parse and check .copis files (folders: every *.copis inside; '-':
    standard input)."""
    if own_process():
        gc.disable()  # a short-lived process: the collector would only walk the trees again
    results = check_paths(paths, data=not no_data, root=root, settings=settings, stdin_filename=stdin_filename,
                          ui=ui)
    report(results, fmt, ui.color() and fmt == "text", quiet=ui.quiet)
    end_process(EXIT_PROBLEMS if failed(results) else EXIT_OK)
