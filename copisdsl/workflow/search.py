"""Which files a command works on: the files given, and every ``*.copis``
under the folders given (hidden files and folders left out)."""

from __future__ import annotations

import os
from pathlib import Path


def journey_files(paths) -> list[tuple[Path, str]]:
    """Files given, and every ``*.copis`` under folders given (sorted), as
    (path, name to show), each once; empty when there is none."""
    from copisdsl.source import shown_path

    found: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        files = sorted(_walk(p)) if p.is_dir() else [p]
        for f in files:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                found.append((f, shown_path(f)))
    return found


def is_searched(relative: Path) -> bool:
    """Whether a search of a folder finds the file at ``relative`` in it: a
    ``*.copis`` file outside hidden folders, not hidden itself."""
    *folders, name = relative.parts or ("",)
    return _journey_name(name) and not any(_hidden(part) for part in folders)


def _walk(folder: Path) -> list[Path]:
    """The ``*.copis`` files under ``folder``, hidden ones left out. A
    folder that cannot be read and a link to nothing are listed too, so
    that reading them fails loudly (a CI check must not pass by skipping)."""
    files: list[Path] = []

    def unreadable(exc: OSError) -> None:
        files.append(Path(exc.filename))

    for top, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not _hidden(d)]
        files += [Path(top, name) for name in names if _journey_name(name)]
    return files


def _journey_name(name: str) -> bool:
    return name.endswith(".copis") and not _hidden(name)


def _hidden(name: str) -> bool:
    return name.startswith(".")
