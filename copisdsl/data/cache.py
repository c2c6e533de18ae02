"""The figures cache: ``enrich``'s result kept on disk, so that an unchanged
check, watch rebuild or MkDocs build does not read the data and fit the CLV
models again.

An entry is found by a key that holds everything the figures depend on:

* the content (a BLAKE2 digest of the bytes) of every data file the journey
  links, never its size or modification time, so a file rewritten with the
  same size and time is still seen as changed;
* the statements the figures come from: the ``data`` declarations, the
  ``clv { }`` settings, the segments, the KPIs and the objectives, with
  their positions (the data diagnostics point into the file, and must not
  point at stale lines), and the journey's file name;
* the source of the ``copisdsl`` package (its readers of settings too) and
  the versions of the libraries that compute the figures, so an upgrade
  never reuses figures computed by older code.

A journey with a database source, a glob or a folder is never cached (what
a database holds cannot be digested without reading it all), nor is one
whose data file is missing or outside the root (its E400 is cheap anyway).
``COPIS_NO_FIGURES_CACHE=1`` turns the cache off. Entries are pickles
written with mode 0600; one that another user owns or could write is
ignored. The entries live in
``$XDG_CACHE_HOME/copisdsl/figures`` (``copisdsl.resources.cache_dir``);
the oldest beyond ``MAX_ENTRIES`` are removed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from pathlib import Path

from copisdsl.locations import Unset, locate, one_file
from copisdsl.resources import cache_dir
from copisdsl.semantic.model import Model

#: the layout of an entry; change it when ``Figures`` or its parts change shape
FORMAT = 1
MAX_ENTRIES = 32  # an entry holds the per-customer table: about 20 MB for 200,000 customers
_CHUNK = 1 << 20


def enabled() -> bool:
    """Whether the cache is on (``COPIS_NO_FIGURES_CACHE`` unset, empty or 0)."""
    return os.environ.get("COPIS_NO_FIGURES_CACHE", "") in ("", "0")


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """The source of the copisdsl package and the versions of the figures' libraries."""
    import importlib.metadata

    from copisdsl.data import DATA_LIBRARIES

    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    for name in DATA_LIBRARIES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _data_files(model: Model, base_dir: Path, root: Path) -> list[tuple[str, str]] | None:
    """(resolved path, content digest) of every linked file; None when one
    is not a plain readable file inside the root (no caching then)."""
    files = []
    for data in model.data.values():
        if data.unusable:
            return None
        try:
            where = locate(data.path)
        except Unset:
            return None
        full = one_file(where, base_dir)
        if full is None:  # an engine's source: not cached
            return None
        try:
            resolved = full.resolve()
            if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
                return None
            files.append((str(resolved), _file_digest(resolved)))
        except OSError:
            return None
    return files


def figures_key(model: Model, base_dir: Path, root: Path) -> str | None:
    """The cache key of a journey's figures, or None when they are not cached."""
    if not enabled() or not model.data:
        return None
    files = _data_files(model, base_dir, root)
    if files is None:
        return None
    statements = (
        model.file,
        [d.node for d in model.data.values()],
        model.clv.node,
        [s.node for s in model.segments.values()],
        [(k.scope, k.node) for k in model.kpis],
        [(o.scope, o.node) for o in model.objectives],
        # An event log's figures are per touchpoint and per flow edge (§12.2).
        (list(model.touchpoints), [(f.source, f.target, f.node) for f in model.flows])
        if model.events is not None else None,
    )
    digest = hashlib.blake2b(digest_size=20)
    for part in (str(FORMAT), _code_digest(), repr(files), repr(statements)):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def load(key: str | None):
    """The cached ``(figures, diagnostics)`` of ``key``, or None."""
    folder = cache_dir("figures") if key else None
    if folder is None:
        return None
    try:
        with open(os.path.join(folder, f"{key}.pickle"), "rb") as handle:
            if not _own(os.fstat(handle.fileno())):
                return None
            stored_key, value = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None  # missing, or written by an incompatible version: recompute
    return value if stored_key == key else None


def _own(found: os.stat_result) -> bool:
    """Whether an entry is this user's and only theirs to write: an entry is
    unpickled, so one that someone else could have written is never read."""
    getuid = getattr(os, "getuid", None)
    return (getuid is None or found.st_uid == getuid()) and not found.st_mode & 0o022


def store(key: str | None, value) -> None:
    """Keep ``value`` under ``key``; a cache that cannot be written is skipped."""
    from copisdsl.files import write_atomic

    folder = cache_dir("figures") if key else None
    if folder is None:
        return
    try:
        write_atomic(Path(folder) / f"{key}.pickle", pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL),
                     mode=0o600)
        entries = sorted(Path(folder).glob("*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        return
