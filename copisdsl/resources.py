"""Where the grammar, the report templates and the caches live.

In a wheel they are packaged inside ``copisdsl/`` (see pyproject's
force-include); in a source checkout or an editable install they are the
top-level ``grammar/`` and ``templates/`` folders.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"copisdsl is installed without its {name}/ folder (looked in {_PACKAGE})")


def grammar_path() -> Path:
    """The path of ``copis.lark``."""
    return _find("grammar") / "copis.lark"


def templates_dir() -> Path:
    """The folder of the Jinja templates of the report."""
    return _find("templates")


def cache_dir(part: str) -> str | None:
    """A folder for one kind of cache (``part``), created when missing:
    ``$XDG_CACHE_HOME/copisdsl/PART``, by default ``~/.cache/copisdsl/PART``.
    None when it cannot be created: the caller then works without."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "copisdsl", part)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return folder
