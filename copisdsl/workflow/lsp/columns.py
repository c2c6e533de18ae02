"""The column names of a linked data file, from its header only: the first
line of a CSV, TSV or JSON Lines file, the schema of a Parquet file. For
completion after ``DATA.``: nothing else of the file is read."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

_TEXT = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_PARQUET = (".parquet", ".pq")
_HEAD_BYTES = 1 << 16  # a header longer than this is cut (its last name may be partial)


def header_columns(path: Path, delimiter: str | None = None) -> list[str]:
    """The columns a data file declares; empty when it cannot be read
    (missing, another format, a folder, a glob or a database URL)."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    ext = (suffixes[-2] if gz and len(suffixes) > 1 else suffixes[-1]) if suffixes else ""
    try:
        if not path.is_file():
            return []
        if ext in _PARQUET and not gz:
            import pyarrow.parquet as pq  # only for a Parquet file

            return list(pq.read_schema(path).names)
        fmt = _TEXT.get(ext)
        if fmt is None:
            return []
        line = _first_line(path, gz)
        if fmt == "jsonl":
            row = json.loads(line) if line.strip() else {}
            return [str(k) for k in row] if isinstance(row, dict) else []
        sep = delimiter or ("\t" if fmt == "tsv" else ",")
        return [name.strip() for name in next(csv.reader(io.StringIO(line), delimiter=sep), [])]
    except (OSError, ValueError, ImportError, csv.Error):
        return []


def _first_line(path: Path, gz: bool) -> str:
    opener = gzip.open if gz else open
    with opener(path, "rb") as handle:
        head = handle.readline(_HEAD_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.decode("utf-8", errors="replace").rstrip("\r\n")
