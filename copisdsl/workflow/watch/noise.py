"""Which file events are an editor's own files, not a save."""

from __future__ import annotations

from pathlib import Path

_NOISE_SUFFIXES = (".swp", ".swo", ".swx", ".swn", ".swpx", "~", ".tmp", ".temp", ".bak", ".orig",
                   ".rej", ".crswap", ".kate-swp", ".part")
_NOISE_PREFIXES = (".#", ".~lock.", ".goutputstream-", ".syncthing.")


def is_editor_noise(path: str | Path) -> bool:
    """Whether a file is an editor's swap, backup, lock or probe file: vim's
    ``.x.swp`` and ``x~`` and the ``4913`` it writes to test a folder,
    emacs's ``.#x`` and ``#x#``, temporary files of atomic saves."""
    name = Path(path).name
    return (name.endswith(_NOISE_SUFFIXES) or name.startswith(_NOISE_PREFIXES) or name.isdigit()
            or (len(name) > 1 and name.startswith("#") and name.endswith("#")))


# ------------------------------------------------------------------ watcher
