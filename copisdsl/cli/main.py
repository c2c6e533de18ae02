"""The `copis` command: thin click commands over ``copisdsl.api``.

Exit codes: 0 ok, 1 problems found (errors; warnings too with --strict),
2 usage error.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from copisdsl import __version__
from copisdsl.source import printable

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def find_journeys(paths: tuple[str, ...], settings=None, ui=None) -> list[tuple[Path, str]]:
    """``search.journey_files`` (``-`` stands for standard input, shown as
    ``<stdin>``); a note on standard error when there is none (not an
    error: an empty folder has no problems). A bad configuration is a
    usage error. ``ui``: the command's ``UI`` (-q leaves the note out)."""
    from copisdsl.config import ConfigError
    from copisdsl.workflow.search import journey_files

    try:
        found = journey_files([p for p in paths if p != "-"], settings)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if "-" in paths:
        found.append((STDIN, "<stdin>"))  # read last: the files named do not wait on a pipe
    if not found and not (ui is not None and ui.quiet):
        click.echo(f"note: no .copis files in {', '.join(printable(p) for p in paths)}", err=True)
    return found


#: the path ``find_journeys`` gives for ``-``
STDIN = Path("-")


def config_for(settings, path: Path):
    """``settings.for_file(path)``, a bad configuration a usage error."""
    from copisdsl.config import ConfigError

    try:
        return settings.for_file(path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def check_one(path: Path, name: str | None, settings, *, stdin_filename: str | None = None, **options):
    """``api.check_file`` with the file's configuration; ``path`` ``-``
    reads standard input, named ``stdin_filename`` (default ``<stdin>``),
    whose folder is where data paths and the configuration search start
    (default: the current folder)."""
    from copisdsl.api import check_file, check_read, decode_source

    if path != STDIN:
        return check_file(path, name, config=config_for(settings, path), **options)
    name = stdin_filename or "<stdin>"
    where = Path(stdin_filename) if stdin_filename else Path.cwd() / "<stdin>"
    text, problems = decode_source(sys.stdin.buffer.read(), name, "standard input")
    return check_read(text, problems, name, where.resolve().parent, config=config_for(settings, where), **options)


def _codes(ctx, param, values) -> frozenset[str]:
    """``--ignore W300,W306 --ignore W305``: repeatable and comma-separated."""
    from copisdsl.config import warning_codes

    names = [part for value in values for part in value.split(",") if part.strip()]
    try:
        return warning_codes(names, what=param.name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def config_options(fn):
    """``--config FILE``, ``--no-config``, ``--ignore CODE``, ``--error
    CODE`` and ``--strict``, given to the command as one ``settings``
    (``copisdsl.config.Settings``)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, config_file, no_config, ignore, error, strict, **kwargs):
        from copisdsl.config import Settings

        if config_file is not None and no_config:
            raise click.UsageError("--config and --no-config exclude each other")
        if ignore & error:
            raise click.UsageError(f"{', '.join(sorted(ignore & error))} given to both --ignore and --error")
        settings = Settings(Path(config_file) if config_file else None, no_config, ignore, error, strict)
        return fn(*args, settings=settings, **kwargs)

    for option in reversed([
        click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), default=None,
                     help="Use this configuration file (copis.toml or pyproject.toml) for every journey."),
        click.option("--no-config", is_flag=True, help="Use no configuration file."),
        click.option("--ignore", multiple=True, callback=_codes, metavar="CODES",
                     help="Warning codes never reported (comma-separated, repeatable)."),
        click.option("--error", multiple=True, callback=_codes, metavar="CODES",
                     help="Warning codes reported as errors (comma-separated, repeatable)."),
        strict_option,
    ]):
        wrapper = option(wrapper)
    return wrapper


stdin_filename_option = click.option(
    "--stdin-filename", default=None, metavar="PATH",
    help="The name of standard input ('-') in messages; its folder is where data paths and the "
         "configuration search start.")


def refuse_overwriting_input(output: str, source: str) -> None:
    """A usage error when the output file is the journey being read."""
    if output != "-" and Path(output).resolve() == Path(source).resolve():
        raise click.UsageError(f"the output {printable(output)} is the journey being read; write somewhere else")


def refuse_overwriting_data(written: dict[str, str], inputs: list[Path]) -> None:
    """A usage error, before any data is read, when a file to write (by its
    option, ``--output``: path) is one of the journey's data files
    (``inputs``, resolved)."""
    for flag, path in written.items():
        if Path(path).resolve() in inputs:
            raise click.UsageError(f"{flag} {printable(path)} is a data file the journey reads; "
                                   "write somewhere else")


def refuse_output_holding_inputs(paths: tuple[str, ...], out: Path, what: str) -> None:
    """A usage error when an output folder is, or holds, one of the inputs
    (a build would write its index over the user's files, and a watcher
    would see its own output)."""
    out_key = out.resolve()
    for raw in paths:
        key = Path(raw).resolve()
        if key == out_key or key.is_relative_to(out_key):
            raise click.UsageError(f"the output folder {printable(out.as_posix())} contains {printable(raw)}, which is {what}; "
                                   f"build into a folder of its own (for example -o build)")


def format_option(*choices: str, default: str):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


strict_option = click.option("--strict", is_flag=True, default=False,
                             help="Warnings count as errors for the exit code.")
root_option = click.option("--root", type=click.Path(exists=True, file_okay=False), default=None,
                           help="The folder data paths may not leave (default: each journey's folder).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="copis")
def main() -> None:
    """Compile customer journeys written as text (.copis files)."""


class _When(click.Choice):
    """``auto``, ``always`` or ``never``, with a message for ``--color PATH``."""

    def convert(self, value, param, ctx):
        if value in self.choices:
            return value
        self.fail(f"{value!r} is not one of auto, always, never (a bare --color before a path: "
                  f"write --color=always)", param, ctx)


def color_options(fn):
    """``--color WHEN`` and its alias ``--no-color``, given to the command
    as ``color`` (``auto``, ``always`` or ``never``; see ``use_color``)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, no_color, **kwargs):
        if no_color:
            kwargs["color"] = "never"
        return fn(*args, **kwargs)

    wrapper = click.option("--no-color", is_flag=True, help="The same as --color=never.")(wrapper)
    return click.option(
        "--color", type=_When(["auto", "always", "never"]), default="auto", is_flag=False, flag_value="always",
        metavar="[auto|always|never]",
        help="Colour the output: auto (on a terminal, unless NO_COLOR is set or FORCE_COLOR asks for it), "
             "always, never. A bare --color is --color=always.")(wrapper)


def output_options(fn):
    """``--color WHEN`` (``--no-color`` too), ``-q`` and ``-v``, given to the
    command as one ``ui`` (``UI``)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, color, quiet, verbose, **kwargs):
        if quiet and verbose:
            raise click.UsageError("-q and -v exclude each other")
        return fn(*args, ui=UI(color, verbose - quiet), **kwargs)

    wrapper = click.option("-v", "--verbose", count=True,
                           help="Also print each file checked and the configuration used.")(wrapper)
    wrapper = click.option("-q", "--quiet", count=True,
                           help="Print only the problems (no summary, notes or progress).")(wrapper)
    return color_options(wrapper)


def use_color(when: str, stream) -> bool:
    """The colour rule of every command: ``always`` and ``never`` as said;
    ``auto`` colours a terminal, unless ``NO_COLOR`` is set (not empty),
    and colours anything when ``FORCE_COLOR`` is set (not empty, ``0`` or
    ``false``). NO_COLOR wins over FORCE_COLOR; ``--color`` over both."""
    if when != "auto":
        return when == "always"
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force != "":
        return force.lower() not in ("0", "false")
    return _isatty(stream) and os.environ.get("TERM") != "dumb"


class UI:
    """How much a command prints, and whether in colour."""

    def __init__(self, color: str = "auto", level: int = 0) -> None:
        self.color_when = color
        self.level = level  # < 0 quiet, 0 normal, > 0 verbose

    def color(self, err: bool = False) -> bool:
        return use_color(self.color_when, sys.stderr if err else sys.stdout)

    @property
    def quiet(self) -> bool:
        return self.level < 0

    @property
    def verbose(self) -> bool:
        return self.level > 0

    def note(self, message: str, *, err: bool = True) -> None:
        """A line that is not a problem (a summary, a progress line): not with -q."""
        if not self.quiet:
            click.echo(message, err=err)

    def detail(self, message: str) -> None:
        """A line only -v prints (on standard error)."""
        if self.verbose:
            click.echo(message, err=True)


class Progress:
    """Lines printed as work finishes, and on a terminal a progress bar on
    standard error once the work has taken ``delay`` seconds (``clock``
    passed in, as ``workflow.watch.Debouncer`` takes it), cleared before
    each line and at the end."""

    WIDTH = 24

    def __init__(self, total: int, *, enabled: bool = True, stream=None, clock=None, delay: float = 1.0) -> None:
        import time

        self.total, self.done = total, 0
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock or time.monotonic
        self.start, self.delay = self.clock(), delay
        self.bar = enabled and _isatty(self.stream)
        self._shown = False

    def echo(self, line: str, *, err: bool = False, color: bool | None = None) -> None:
        """Print a line above the bar."""
        self._clear()
        click.echo(line, err=err, color=color)

    def tick(self) -> None:
        """One more piece of work done: redraw the bar (when it is due)."""
        self.done += 1
        if self.bar and self.done < self.total and self.clock() - self.start >= self.delay:
            filled = self.WIDTH * self.done // self.total
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total}")
            self.stream.flush()
            self._shown = True

    def close(self) -> None:
        self._clear()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def report(results, fmt: str, color: bool, *, err: bool = False, quiet: bool = False) -> tuple[int, int]:
    """Print the diagnostics of checked files and the summary line (on
    standard error with ``err``; not with ``quiet``); returns (errors, warnings)."""
    from copisdsl.diagnostics import count, format_github, format_json, summary_line

    diags = [d for r in results for d in r.diagnostics]
    if fmt == "json":
        click.echo(format_json(len(results), diags), err=err)
    elif fmt == "sarif":
        from copisdsl.sarif import format_sarif

        click.echo(format_sarif(diags, __version__), err=err)
    elif fmt == "github":
        for d in diags:
            click.echo(format_github(d), err=err)
        if not quiet:  # on standard error: standard output holds annotations only
            click.echo(summary_line(len(results), diags), err=True)
    else:
        _echo_text(diags, {r.source.path: r.source.lines for r in results}, color, err)
        if not quiet:
            click.echo(summary_line(len(results), diags), err=err)
    return count(diags)


def failed(results) -> bool:
    """Whether checked files fail the exit code: an error, or a warning in
    a file whose configuration (or ``--strict``) is strict."""
    return any(d.is_error or r.strict for r in results for d in r.diagnostics)


def echo_diagnostics(diagnostics, text: str, *, err: bool = True, color: bool | None = None) -> None:
    """The diagnostics of one text as `check` prints them, on standard
    error by default (coloured by the colour rule, with the running
    command's ``--color`` when it has one)."""
    from copisdsl.source import source_lines

    if color is None:
        ctx = click.get_current_context(silent=True)
        params = ctx.params if ctx is not None else {}
        when = "never" if params.get("no_color") else params.get("color", "auto")
        color = use_color(when if when in ("auto", "always", "never") else "auto", sys.stderr if err else sys.stdout)
    lines = source_lines(text)
    _echo_text(diagnostics, {d.span.file: lines for d in diagnostics}, color, err)


def _echo_text(diagnostics, sources, color: bool, err: bool) -> None:
    from copisdsl.diagnostics import format_text

    for d in diagnostics:
        # color=: click would strip the codes where the stream is no terminal (FORCE_COLOR, --color=always).
        click.echo(format_text(d, sources, color) + "\n", err=err, color=color)


_own_process = False


#: what writing the output can run into that is no bug: a full disk or quota, a file too large, a failing device
_WRITE_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def run() -> None:
    """The console entry point (``copis``, ``python -m copisdsl``): ``main``
    in a process of its own, which lets commands end it quickly. Standard
    output that cannot take what is written (``> /dev/full``) is a message
    and exit 1, not a traceback (click turns only a broken pipe into one)."""
    global _own_process
    _own_process = True
    try:
        main()
    except OSError as exc:
        if exc.errno not in _WRITE_FAILURES or exc.filename is not None:
            raise
        try:
            sys.stderr.write(f"copis: error: cannot write the output: {exc.strerror}\n")
            sys.stderr.flush()
        finally:
            os._exit(EXIT_PROBLEMS)


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
