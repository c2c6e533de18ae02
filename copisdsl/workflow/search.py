"""Which files a command works on: the files given, and every ``*.copis``
under the folders given, less what a folder search skips (reference,
section 15): hidden files and folders, what git ignores (inside a git work
tree, asking ``git`` itself; without git nothing more is skipped), and
the ``exclude`` globs of the configuration. A file named is always taken."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from copisdsl.config import Settings


def journey_files(paths, settings: Settings | None = None) -> list[tuple[Path, str]]:
    """Files given, and every ``*.copis`` under folders given (sorted), as
    (path, name to show), each once; empty when there is none. ``settings``
    gives each folder's configuration (its ``exclude`` globs); raises
    ``ConfigError`` as ``Settings.for_file`` does."""
    from copisdsl.source import shown_path

    found: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        files = sorted(_walk(p, settings)) if p.is_dir() else [p]
        for f in files:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                found.append((f, shown_path(f)))
    return found


def is_searched(relative: Path) -> bool:
    """Whether a search of a folder finds the file at ``relative`` in it: a
    ``*.copis`` file outside hidden folders, not hidden itself (git and
    ``exclude`` aside)."""
    *folders, name = relative.parts or ("",)
    return _journey_name(name) and not any(_hidden(part) for part in folders)


def git_ignored(folder: Path) -> set[Path]:
    """The files and folders under ``folder`` that git ignores (resolved
    paths); empty outside a work tree or without git, and when git ignores
    ``folder`` itself: a folder named is searched as asked, as a file named
    is checked."""
    try:
        run = subprocess.run(["git", "-C", str(folder), "ls-files", "--others", "--ignored",
                              "--exclude-standard", "--directory", "-z"],
                             capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return set()
    if run.returncode != 0:
        return set()  # not a work tree (or git failed): search everything
    base = Path(folder).resolve()
    names = run.stdout.decode("utf-8", "surrogateescape").split("\0")
    if "./" in names:
        return set()
    return {(base / name.rstrip("/")) for name in names if name}


def _walk(folder: Path, settings: Settings | None) -> list[Path]:
    """The ``*.copis`` files under ``folder`` that a search takes. A
    folder that cannot be read and a link to nothing are listed too, so
    that reading them fails loudly (a CI check must not pass by skipping)."""
    files: list[Path] = []
    ignored = git_ignored(folder)

    def unreadable(exc: OSError) -> None:
        files.append(Path(exc.filename))

    def skipped(path: Path, config_folder: Path) -> bool:
        if ignored and path.resolve() in ignored:
            return True
        return settings is not None and settings.base(config_folder).excludes(path)

    for top, dirs, names in os.walk(folder, onerror=unreadable):
        here = Path(top)
        dirs[:] = [d for d in dirs if not _hidden(d) and not skipped(here / d, here)]
        files += [here / name for name in names if _journey_name(name) and not skipped(here / name, here)]
    return files


def _journey_name(name: str) -> bool:
    return name.endswith(".copis") and not _hidden(name)


def _hidden(name: str) -> bool:
    return name.startswith(".")
