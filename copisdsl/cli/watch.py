"""`copis watch PATH... -o OUT [--serve]`: rebuild on save, with a live preview."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import click

from copisdsl.source import printable

from copisdsl.cli.main import (EXIT_OK, EXIT_USAGE, config_options, main, output_options,
                               refuse_output_holding_inputs, root_option)
from copisdsl.diagnostics import plural


@main.command("watch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), metavar="OUT",
              help="The folder to build into, as `copis build` does.")
@click.option("--serve", is_flag=True, help="Serve the reports on a local preview server that updates open pages.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to serve on (other than loopback, anyone on the network can read the reports).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The port to serve on (0: any free port; a fixed one keeps open pages working across restarts).")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser (implies --serve).")
@click.option("--keep-dot", is_flag=True, help="Also write each view's Graphviz source.")
@config_options
@root_option
@output_options
def watch_cmd(paths, out, serve, host, port, open_browser, keep_dot, settings, root, ui):
    """Build journeys, then rebuild each when its file or a data file it reads
    changes (folders: every *.copis inside, new ones included). Prints one
    line per rebuild and the diagnostics of failed ones; a journey with
    errors keeps its last good report. Ctrl-C stops."""
    from copisdsl.workflow.watch import LiveState, Session, Watcher

    out_path = Path(out)
    refuse_output_holding_inputs(paths, out_path, "watched")
    _check_configuration(paths, settings)
    use_color = ui.color()
    state = LiveState()
    session = Session([Path(p) for p in paths], out_path, keep_dot=keep_dot, state=state,
                      root=Path(root) if root is not None else None, settings=settings)
    server = None
    watcher = Watcher(session, on_rebuild=lambda r: _show(r, use_color))
    previous = _stop_on_signals()
    try:
        out_path.mkdir(parents=True, exist_ok=True)
        if serve or open_browser:
            server = _start_server(out_path, state, host, port)
        _show(watcher.start(), use_color, first=True)
        folders = ", ".join(sorted(_shown(p) for p in watcher.watched)) or "nothing"
        click.echo(f"watching {folders}; writing to {printable(out_path.as_posix())}; Ctrl-C to stop")
        if server is not None:
            click.echo(f"preview: {server.url}")
            if open_browser:
                import webbrowser

                webbrowser.open(server.url)
        watcher.run()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        watcher.stop()
        if server is not None:
            server.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    sys.exit(EXIT_OK)


def _stop_on_signals() -> dict:
    """Make Ctrl-C (SIGINT) and SIGTERM end the watch; returns the handlers
    they had. SIGINT is taken even when it was ignored: a shell without job
    control starts background commands with SIGINT ignored, and a watch
    that nothing but SIGKILL stops is worse than one that stops when asked."""
    return {signum: signal.signal(signum, signal.default_int_handler)
            for signum in (signal.SIGINT, signal.SIGTERM)}


def _check_configuration(paths, settings) -> None:
    """A bad configuration is a usage error before the watch starts (later
    edits that break it are reported by the rebuild that meets them)."""
    from copisdsl.cli.main import config_for
    from copisdsl.config import ConfigError
    from copisdsl.workflow.search import journey_files

    try:
        found = journey_files(paths, settings)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    for path, _ in found:
        config_for(settings, path)


def _shown(path: Path) -> str:
    """A folder relative to the current one when it is inside it."""
    try:
        return printable(path.relative_to(Path.cwd().resolve()).as_posix() or ".")
    except ValueError:
        return printable(path.as_posix())


def _start_server(out: Path, state, host: str, port: int):
    from copisdsl.workflow.preview.server import PreviewServer, is_loopback

    try:
        server = PreviewServer(out, state, host, port)
    except OSError as exc:
        click.echo(f"error: cannot serve on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)
    if not is_loopback(host):
        click.echo(f"warning: serving on {host}: anyone who can reach this machine can read the reports",
                   err=True)
    server.start()
    return server


def _show(rebuild, color: bool, first: bool = False) -> None:
    """The diagnostics of a rebuild as `copis check` prints them, then one line."""
    from copisdsl.cli.main import echo_diagnostics

    for build in rebuild.builds:
        echo_diagnostics(build.diagnostics, build.source_file.text, err=False, color=color)
        if build.error is not None:
            click.echo(f"error: {build.error}")
    click.echo(summary(rebuild, first))


def summary(rebuild, first: bool = False) -> str:
    """``12:00:03 smartphone.copis rebuilt in 0.31 s: 0 errors, 1 warning``."""
    stamp = time.strftime("%H:%M:%S")
    if rebuild.failure is not None:
        return f"{stamp} internal error while building: {rebuild.failure}"
    parts = []
    if rebuild.builds:
        from copisdsl.source import shown_path

        names = [shown_path(b.source) for b in rebuild.builds]
        what = names[0] if len(names) == 1 else f"{len(names)} journeys"
        failed = [b for b in rebuild.builds if not b.ok]
        errors, warnings = rebuild.counts
        kept = ""
        if failed and len(names) == 1:
            verb = "failed"
            kept = "" if first else " (last good report kept)"
        else:
            verb = "built" if first else "rebuilt"
            if failed:
                verb += f" ({len(failed)} failed)"
            elif not any(b.written for b in rebuild.builds):
                verb += " (unchanged)"
        parts.append(f"{what} {verb} in {rebuild.seconds:.2f} s: {plural(errors, 'error')}, "
                     f"{plural(warnings, 'warning')}{kept}")
    if rebuild.removed:
        parts.append(f"removed {', '.join(rebuild.removed)}")
    if not parts:
        parts.append("no .copis files yet; waiting for one")
    return f"{stamp} " + "; ".join(parts)

