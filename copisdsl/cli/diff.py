"""`copis diff OLD NEW` and `copis diff --rev REV [PATH...]`: what changed
in a journey, semantically (see ``copisdsl.workflow.diff``).

Exit codes, like diff(1): 0 no differences, 1 differences, 2 usage error
(also: not a git repository, unknown revision or path), 3 a version does
not compile (its diagnostics are printed on standard error as `copis check`
prints them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from copisdsl.cli.main import EXIT_OK, EXIT_USAGE, color_options, main
from copisdsl.cli.main import use_color as colour

EXIT_DIFFERENT = 1
EXIT_INVALID = 3


class GitError(click.ClickException):
    """A problem with git or the revision; exit code 2 like a usage error."""

    exit_code = EXIT_USAGE


@dataclass
class Side:
    """One version of a file: its name in messages and its bytes (None:
    the file does not exist in that version)."""

    label: str
    data: bytes | None


@main.command("diff")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rev", metavar="REV",
              help="Compare the working tree with this git revision (PATHs default to every "
                   "tracked .copis file changed since REV).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True, help="Output format (markdown: for a pull-request comment).")
@color_options
def diff_cmd(paths: tuple[str, ...], rev: str | None, fmt: str, color: str) -> None:
    """Show what changed between two versions of a journey.

    \b
    copis diff OLD.copis NEW.copis
    copis diff --rev main [PATH...]

    Stages, touchpoints, elements, objectives, KPIs, flows, segments,
    personas and data are compared by meaning: a change of layout or
    comments is no difference. Exit code 0 when there are no differences,
    1 when there are, 2 for a usage error, 3 when a version does not compile.
    """
    if rev is None:
        if len(paths) != 2:
            raise click.UsageError("give two files (OLD NEW), or --rev REV [PATH...]")
        pairs = [(_read(paths[0]), _read(paths[1]))]
    else:
        pairs = _git_pairs(rev, paths)
        if not pairs:
            click.echo(f"no .copis files changed since {rev}")
            sys.exit(EXIT_OK)
    use_color = colour(color, sys.stdout) and fmt == "text"
    sys.exit(_compare(pairs, fmt, use_color))


def _compare(pairs: list[tuple[Side, Side]], fmt: str, color: bool) -> int:
    from copisdsl.workflow.diff import diff_models
    from copisdsl.workflow.diff.render import format_markdown, format_text

    status = EXIT_OK
    blocks = []
    for old, new in pairs:
        models = [_compile(side) for side in (old, new)]
        if any(m is False for m in models):
            status = EXIT_INVALID
            continue
        diff = diff_models(*models)
        if diff and status == EXIT_OK:
            status = EXIT_DIFFERENT
        if fmt == "markdown":
            blocks.append(format_markdown(diff, old.label, new.label))
        else:
            blocks.append(format_text(diff, old.label, new.label, color))
    if blocks:
        # click strips ANSI codes when stdout is no terminal, unless told otherwise (--color).
        click.echo("\n".join(blocks), nl=False, color=color)
    return status


def _compile(side: Side):
    """The side's model; None when the file does not exist; False (after
    printing the diagnostics on stderr) when it does not compile."""
    from copisdsl.api import check, decode_source
    from copisdsl.cli.main import echo_diagnostics
    from copisdsl.diagnostics import summary_line

    if side.data is None:
        return None
    text, diagnostics = decode_source(side.data, side.label)
    if not diagnostics:
        result = check(text, side.label)
        if result.ok and result.model is not None:
            return result.model
        diagnostics = result.diagnostics
    echo_diagnostics(diagnostics, text)
    click.echo(summary_line(1, diagnostics), err=True)
    return False


def _read(path: str) -> Side:
    p = Path(path)
    if not p.is_file():
        raise click.BadParameter(f"{path!r} is not a file", param_hint="OLD/NEW")
    try:
        return Side(path, p.read_bytes())
    except OSError as exc:
        raise click.FileError(path, hint=exc.strerror or str(exc)) from None


# ------------------------------------------------------------------ git


def _git(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (copis diff --rev runs git)") from None


def _git_pairs(rev: str, paths: tuple[str, ...]) -> list[tuple[Side, Side]]:
    """(REV version, working-tree version) of every file to compare."""
    top = _git(["rev-parse", "--show-toplevel"])
    if top.returncode != 0:
        raise GitError("not inside a git repository; --rev compares with a git revision "
                       "(use `copis diff OLD NEW` for two files)")
    root = Path(os.fsdecode(top.stdout.strip())).resolve()
    if _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
            root).returncode != 0:
        raise GitError(f"unknown revision {rev!r}")
    files: list[str] = []
    if not paths:
        files = _changed(rev, root, [])
    for raw in paths:
        p = Path(raw)
        rel = _in_repo(p, root, raw)
        if p.is_dir():
            files += _changed(rev, root, [rel or "."])
        elif p.exists() or _exists_at(rev, rel, root):
            files.append(rel)
        else:
            raise GitError(f"{raw!r} is neither in the working tree nor in {rev}")
    pairs = []
    for rel in dict.fromkeys(files):
        shown = os.path.relpath(root / rel)
        old = _blob(rev, rel, root)
        worktree = root / rel
        new = worktree.read_bytes() if worktree.is_file() else None
        pairs.append((Side(f"{rev}:{rel}", old), Side(shown, new)))
    return pairs


def _in_repo(p: Path, root: Path, raw: str) -> str:
    try:
        rel = p.resolve().relative_to(root).as_posix()
    except ValueError:
        raise GitError(f"{raw!r} is outside the git repository at {root}") from None
    return "" if rel == "." else rel


def _changed(rev: str, root: Path, pathspecs: list[str]) -> list[str]:
    """Tracked .copis files that differ between REV and the working tree."""
    out = _git(["diff", "--name-only", "--no-renames", "-z", rev, "--", *pathspecs], root)
    if out.returncode != 0:
        raise GitError(f"git diff failed: {os.fsdecode(out.stderr).strip()}")
    names = [os.fsdecode(name) for name in out.stdout.split(b"\0") if name]
    return sorted(name for name in names if name.endswith(".copis"))


def _exists_at(rev: str, rel: str, root: Path) -> bool:
    return _git(["cat-file", "-e", f"{rev}:{rel}"], root).returncode == 0


def _blob(rev: str, rel: str, root: Path) -> bytes | None:
    if not _exists_at(rev, rel, root):
        return None
    out = _git(["cat-file", "blob", f"{rev}:{rel}"], root)
    if out.returncode != 0:
        raise GitError(f"cannot read {rel} at {rev}: {os.fsdecode(out.stderr).strip()}")
    return out.stdout
