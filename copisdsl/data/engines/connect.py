"""From a ``data`` declaration to an ``EngineTable``: the files of a glob
or folder, or the database a URL names, connected and checked (E400,
E401 for a glob's file that lacks a used column).

Local paths, globs and ``duckdb:///`` files keep the root rule (E400
outside the journey's folder); network URLs do not.
"""

from __future__ import annotations

import glob as globbing
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from copisdsl.data.engines import EngineError, open_engine
from copisdsl.diagnostics import Diagnostic, error
from copisdsl.locations import GLOB_CHARS, SCHEMES, Location, file_format
from copisdsl.semantic.model import Data

_PARTITION = re.compile(r"^([^=/]+)=([^/]*)$")
SUPPORTED = "Parquet (.parquet), CSV (.csv, .tsv, optionally .gz) and JSON Lines (.jsonl)"


@dataclass
class Opened:
    """What opening a source gave: the table (None on failure), its
    diagnostics and the local files it reads (for ``watch``)."""

    table: object | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)


def connect(data: Data, where: Location, base_dir: Path, root: Path, wanted: set[str]) -> Opened:
    """Open the source of ``data`` (a glob, folder or database URL)."""
    from copisdsl.data.engines.table import EngineTable
    from copisdsl.data.engines import queries as q

    out = Opened()
    span = data.node.path.span
    shown = where.shown()

    def e400(message: str, hint: str | None = None) -> Opened:
        out.diagnostics.append(error("E400", message, span, hint))
        return out

    if where.is_database and where.engine not in SCHEMES.values():
        return e400(f"data URL '{shown}' is of an unknown kind",
                    "database URLs are duckdb:///PATH.duckdb, postgresql://HOST[:PORT]/DB and sc://HOST:PORT")
    engine = None
    try:
        if where.is_database:
            database = None
            if where.engine == "duckdb":
                if where.path is None:
                    return e400(f"data URL '{shown}' names no database file",
                                "write duckdb:///shop.duckdb (relative to the journey) or duckdb:////srv/shop.duckdb")
                full = _inside(base_dir, root, where.path)
                if full is None:
                    return e400(f"data file '{shown}' is outside the journey's folder",
                                "data files must be inside the journey's folder (or the folder given with --root)")
                out.inputs.append(str(full))
                if not full.is_file():
                    return e400(f"database file '{where.path}' of data '{data.id}' not found",
                                "the path after duckdb:/// is relative to the journey's folder")
                database = str(full)
            engine = open_engine(where.engine, where.url, database)
            try:
                source = q.relation(data.table, data.query, None, engine.dialect)
            except q.QueryRefused as exc:  # refused as the engine refuses a query (reference §13)
                engine.close()
                return e400(f"data '{data.id}' ({shown}): {exc}")
            except ValueError as exc:
                engine.close()
                out.diagnostics.append(error("E204", f"data '{data.id}': {exc}", data.option_spans.get("table", span)))
                return out
            out.table = EngineTable(data, engine, source)
            return out
        files, base, problem = _files(where.path, base_dir, root)
        if problem is not None:
            return e400(*problem)
        out.inputs += files
        formats = {_format(f) for f in files}
        if None in formats or len(formats) > 1:
            odd = next((f for f in files if _format(f) is None), None)
            return e400(f"data '{data.id}' matches {len(files)} files of more than one format"
                        if odd is None else f"data '{data.id}' matches '{_rel(odd, base_dir)}', "
                        "which is not a format a glob reads", f"a glob or folder reads {SUPPORTED}, one format")
        fmt = formats.pop()
        from copisdsl.data.engines.duck import VIEW, DuckEngine

        engine = DuckEngine()
        lacking: dict[str, str] = {}
        for f in files:
            have = set(engine.file_columns(f, fmt, data.delimiter)) | set(_partitions(f, base))
            for column in sorted(wanted - have):
                lacking.setdefault(column, _rel(f, base_dir))
        text = {data.customer} if data.kind is not None else set()
        engine.register_files(files, fmt, data.delimiter,
                              frozenset(text | ({data.touchpoint} if data.is_events else set())))
        table = EngineTable(data, engine, q.relation(None, None, VIEW, engine.dialect))
        # A column that no file has is a plain E401 (with hints); one that
        # only some lack names the first such file.
        table.lacking = {c: f for c, f in lacking.items() if c in table.kinds}
        table.in_files = True
        out.table = table
        return out
    except EngineError as exc:
        if engine is not None:  # opened, then failed: its connection (and spill folder) released
            engine.close()
        # Local files (one, a glob, a folder) are DuckDB's, whatever reads a
        # plain file elsewhere (``Location.engine``); a URL names its engine.
        name = where.engine if where.is_database else "duckdb"
        what = {"postgres": "PostgreSQL", "spark": "Spark", "duckdb": "DuckDB"}.get(name, name)
        if exc.not_text:
            out.diagnostics.append(error("E402", f"data '{data.id}' ({shown}) holds bytes that are not text: "
                                                 f"{what}: {exc.reason}", span, "save the file as UTF-8 text"))
            return out
        return e400(f"data '{data.id}' ({shown}): {what}: {exc.reason}",
                    "check the server, the network and the engine's credentials in its environment"
                    if where.is_network else None)


def local_files(where: Location, base_dir: Path, root: Path) -> list[Path]:
    """The local files ``connect`` reads for ``where`` (a glob, a folder or
    a ``duckdb:///`` file), resolved, found without opening any: what its
    ``Opened.inputs`` lists once it has."""
    if where.is_database:
        full = _inside(base_dir, root, where.path) if where.engine == "duckdb" and where.path else None
        return [full] if full is not None else []
    files, _, _ = _files(where.path, base_dir, root)
    return [Path(f).resolve() for f in files]


def _inside(base_dir: Path, root: Path, path: str) -> Path | None:
    full = Path(path) if Path(path).is_absolute() else base_dir / path
    try:
        resolved = full.resolve()
        return resolved if resolved.is_relative_to(root.resolve()) else None
    except (OSError, RuntimeError):
        return None


def _files(pattern: str, base_dir: Path, root: Path) -> tuple[list[str], Path, tuple[str, str] | None]:
    """The files of a glob or folder, sorted; the folder partitions are
    counted from; a problem (message, hint) instead when there are none."""
    root = root.resolve()
    full = pattern if os.path.isabs(pattern) else str(base_dir / pattern)
    fixed = _fixed_prefix(full)
    if not Path(fixed).resolve().is_relative_to(root):
        return [], Path(fixed), (f"data path '{pattern}' is outside the journey's folder",
                                 "data files must be inside the journey's folder (or the folder given with --root)")
    if any(c in pattern for c in GLOB_CHARS):
        found = globbing.glob(full, recursive=True)
        base = Path(fixed)
    elif os.path.isfile(full):  # one file, read by an engine (an event log, §12.2)
        found, base = [full], Path(full).parent
    else:  # a folder: its Parquet files, recursively
        base = Path(full)
        found = [str(p) for p in base.rglob("*") if p.suffix.lower() in (".parquet", ".pq")
                 and not any(part.startswith((".", "_")) for part in p.relative_to(base).parts)]
    files = sorted(f for f in found if os.path.isfile(f) and Path(f).resolve().is_relative_to(root))
    if not files:
        what = "no file matches" if any(c in pattern for c in GLOB_CHARS) else "the folder holds no Parquet file for"
        return [], base, (f"{what} data path '{pattern}'",
                          "the path is relative to the journey's folder; `**` matches any depth of folders")
    return files, base, None


def _fixed_prefix(pattern: str) -> str:
    """The folder part of a pattern before its first wildcard."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if any(c in part for c in GLOB_CHARS):
            break
        fixed.append(part)
    return str(Path(*fixed)) if fixed else "."


def _partitions(file: str, base: Path) -> list[str]:
    """The ``key=value`` folder names between ``base`` and ``file``."""
    try:
        parts = Path(file).relative_to(base).parts[:-1]
    except ValueError:
        parts = Path(file).parts[:-1]
    return [m.group(1) for m in map(_PARTITION.match, parts) if m]


def _format(file: str) -> str | None:
    """The format a glob reads the file as (None: not one it reads)."""
    fmt, _ = file_format(file)
    return fmt if fmt in ("csv", "tsv", "jsonl", "parquet") else None


def _rel(file: str, base_dir: Path) -> str:
    try:
        return Path(file).relative_to(base_dir).as_posix()
    except ValueError:
        return file
