"""Where a ``data`` declaration's rows live (reference §13), decided from
its path alone: one local file, a glob or a folder of local files, or a
database URL (DuckDB file, PostgreSQL, Spark Connect).

Pure string work, no engine imported: ``copis check`` of a journey with
plain files pays nothing for the engines it does not use. A URL is shown
only through ``mask``, so that a secret written into one never reaches a
message.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from urllib.parse import parse_qsl, unquote, urlsplit

#: file extension -> format name; ``.gz`` may follow the text formats.
FORMATS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "excel",
}
#: URL scheme -> engine name.
SCHEMES = {"duckdb": "duckdb", "postgresql": "postgres", "postgres": "postgres", "sc": "spark"}
GLOB_CHARS = "*?["
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
#: connection parameters that carry a secret, in a URL's query string
SECRET_PARAMETERS = ("password", "passfile", "sslpassword", "token")
#: what a masked secret is shown as
MASK = "***"


class Unset(Exception):
    """A ``${NAME}`` whose environment variable is not set."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True, slots=True)
class Location:
    """A data path, classified.

    ``kind`` is ``file``, ``glob`` (also a folder), or ``url``; ``engine``
    is the engine that reads it (``pandas`` for one local file, ``duckdb``
    for globs, folders and DuckDB files, ``postgres``, ``spark``); ``path``
    is the local file, pattern or DuckDB database file (None for network
    URLs); ``url`` the expanded URL for network engines.
    """

    written: str
    kind: str
    engine: str
    path: str | None = None
    url: str | None = None

    @property
    def is_database(self) -> bool:
        return self.kind == "url"

    @property
    def is_network(self) -> bool:
        return self.engine in ("postgres", "spark")

    def shown(self) -> str:
        """The path as written, any secret masked."""
        return mask(self.written)


def file_format(path) -> tuple[str | None, bool]:
    """(format, gzipped) from a file name; format None when unsupported."""
    suffixes = [x.lower() for x in PurePath(path).suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    fmt = FORMATS.get(suffixes[-1]) if suffixes else None
    if gz and fmt not in ("csv", "tsv", "jsonl"):
        return None, gz
    return fmt, gz


def scheme(text: str) -> str | None:
    """The URL scheme of ``text`` (lower case), or None for a local path."""
    found = _SCHEME.match(text)
    return found.group(1).lower() if found else None


def is_url(text: str) -> bool:
    return scheme(text) is not None


def variables(text: str) -> list[str]:
    """The ``${NAME}`` variables of ``text``, in order."""
    return _VARIABLE.findall(text)


def expand(text: str, environ: dict[str, str] | None = None) -> str:
    """``text`` with every ``${NAME}`` replaced by the environment
    variable NAME; raises ``Unset`` naming the first one that is not set."""
    env = os.environ if environ is None else environ
    for name in variables(text):
        if name not in env:
            raise Unset(name)
    return _VARIABLE.sub(lambda m: env[m.group(1)], text)


def secret(text: str) -> bool:
    """Whether the URL ``text`` holds a password (``user:secret@``) or a
    secret connection parameter (``?password=...``)."""
    if not is_url(text):
        return False
    if _USERINFO.search(text):
        return True
    try:
        parts = urlsplit(text)
    except ValueError:  # an invalid URL (e.g. a stray '['): no parameters to read
        return False
    return any(key.lower() in SECRET_PARAMETERS for key, _ in parse_qsl(parts.query, keep_blank_values=True))


def mask(text: str) -> str:
    """``text`` with the password of a URL and the values of secret
    parameters replaced by ``***``; anything else as written."""
    if not is_url(text):
        return text
    head, sep, rest = text.partition("://")
    netloc_end = len(rest)
    for stop in "/?#":
        at = rest.find(stop)
        if at >= 0:
            netloc_end = min(netloc_end, at)
    netloc, tail = rest[:netloc_end], rest[netloc_end:]
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{host}"
    pattern = re.compile(r"(?i)([?&](?:%s)=)[^&#]*" % "|".join(SECRET_PARAMETERS))
    return f"{head}{sep}{netloc}{pattern.sub(lambda m: m.group(1) + MASK, tail)}"


def declaration_problem(written: str, table: bool, query: bool) -> tuple[str, str, str] | None:
    """What is wrong with a ``data`` declaration's path and its ``table`` /
    ``query`` options, statically (E204): (where, message, hint), where is
    ``path``, ``head`` or ``option``; None when nothing is. A path that
    only its ``${NAME}`` variables can make a URL (``"${DATABASE_URL}"``)
    is told apart once they are expanded (``options_problem``, when the
    data is read)."""
    if secret(written):
        return ("path", f"credentials do not belong in a journey: the URL '{mask(written)}' holds a password",
                "leave the password out of the URL and give it to the engine through its own environment "
                "(for PostgreSQL: PGPASSWORD, PGPASSFILE or PGSERVICE)")
    if scheme_unknown(written):
        return None
    return options_problem(written, written, table, query)


#: a path whose scheme a ``${NAME}`` may hold (``"${DATABASE_URL}"``, ``"${ENGINE}://..."``)
_SCHEME_VARIABLE = re.compile(r"[A-Za-z0-9+.-]*\$\{")


def scheme_unknown(written: str) -> bool:
    """Whether only expanding its variables tells if the path ``written``
    is a URL (then ``options_problem`` judges it when the data is read)."""
    return bool(_SCHEME_VARIABLE.match(written)) and not is_url(written)


def options_problem(text: str, written: str, table: bool, query: bool) -> tuple[str, str, str] | None:
    """E204 unless a database URL ``text`` (the path ``written``, expanded)
    names exactly one of ``table`` and ``query``, and a file, glob or
    folder neither: (where, message, hint) as ``declaration_problem``."""
    if is_url(text):
        if table and query:
            return ("head", "a database source names exactly one of `table` and `query`, not both",
                    "keep `table \"NAME\"` to read a table, or `query \"SELECT ...\"` for a query")
        if not table and not query:
            return ("head", f"the database source '{mask(written)}' names no `table` or `query`",
                    'add `table "orders"` or `query "SELECT ..."` in the data block')
    elif table or query:
        return ("option", "`table` and `query` are for database URLs (duckdb:///, postgresql://, sc://)",
                "a file, glob or folder is read whole; leave the option out")
    return None


_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s\"/@:]*):([^\s\"/@]*)@")
_PARAMETER = re.compile(r"(?i)([?&](?:%s)=)([^&#\s\"]*)" % "|".join(SECRET_PARAMETERS))


def mask_line(line: str) -> str:
    """A source line with every URL password (and secret parameter) in it
    replaced by as many ``*``: quoted in a diagnostic, the line keeps its
    columns, so the caret still points where it should."""
    if "://" not in line:
        return line
    line = _USERINFO.sub(lambda m: f"{m.group(1)}:{'*' * len(m.group(2))}@", line)
    return _PARAMETER.sub(lambda m: m.group(1) + "*" * len(m.group(2)), line)


def locate(written: str, environ: dict[str, str] | None = None) -> Location:
    """Classify a data path (after ``${NAME}`` expansion; raises ``Unset``).

    A scheme that is not one of ``SCHEMES`` stays a ``url`` whose engine
    is the scheme itself, for the caller to refuse.
    """
    text = expand(written, environ)
    found = scheme(text)
    if found is not None:
        engine = SCHEMES.get(found, found)
        if engine == "duckdb":
            # As SQLAlchemy writes it: duckdb:///shop.duckdb is relative to
            # the journey's folder, duckdb:////srv/shop.duckdb absolute.
            rest = text.split("://", 1)[1]
            path = unquote(rest[1:]) if rest.startswith("/") else None
            return Location(written, "url", "duckdb", path=path or None, url=text)
        return Location(written, "url", engine, url=text)
    if any(c in text for c in GLOB_CHARS):
        return Location(written, "glob", "duckdb", path=text)
    return Location(written, "file", "pandas", path=text)


def one_file(where: Location, base_dir) -> Path | None:
    """The file of a source read as one local file (``kind`` ``file`` and
    not a folder), relative paths joined to ``base_dir``; None for globs,
    folders and URLs, which an engine reads. The one rule the loader, the
    figures cache and the commands that refuse to overwrite data share."""
    if where.kind != "file":
        return None
    full = Path(where.path) if os.path.isabs(where.path) else Path(base_dir) / where.path
    return None if full.is_dir() else full
