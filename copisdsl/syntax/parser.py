"""The parser: text -> ``Document`` and E100 diagnostics.

One LALR parser is built from ``grammar/copis.lark`` by Lark, with the
transformer inlined so no parse tree is built. A file is parsed by a tight
loop over Lark's table (``copisdsl.syntax.lalr``), which is cached on disk as plain
data, so that a file without syntax errors is parsed without importing Lark.
At a syntax error, Lark's own parser (also cached on disk) parses again and
the error is reported in words (``copisdsl.syntax.messages``: "expected '}' to
close the stage 'purchase' opened at 4:3"); the parser recovers by blanking
the line of an error and parsing again, so one run reports several
independent errors.
"""

from __future__ import annotations

import gc
import marshal
import os
import sys
import threading
import zlib
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from copisdsl.syntax import lalr
from copisdsl.syntax import nodes as n
from copisdsl.diagnostics import Diagnostic
from copisdsl.resources import cache_dir, grammar_path
from copisdsl.source import SourceFile, lf_lines
from copisdsl.syntax.transformer import ToAst

MAX_SYNTAX_ERRORS = 20

# Lark's options for the grammar; the cached tables depend on them too.
LARK_OPTIONS = {
    "parser": "lalr",
    "propagate_positions": False,  # spans come from the tokens (transformer._span)
    "maybe_placeholders": True,
}

# The format of the cached table: change it when ``lalr.table_spec`` or how
# ``lalr.build`` reads its output does.
TABLE_FORMAT = 1

_transformer = ToAst()
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _grammar() -> bytes:
    return grammar_path().read_bytes()


def _cache_file(kind: str) -> str:
    """Where a cache of the grammar's parser lives ("": nowhere). ``kind``
    is ``lark`` (Lark's) or ``table`` (the fast loop's, which ``marshal``
    writes in a format of this Python's). The name changes with the grammar,
    the options and the formats (a CRC, not a cryptographic hash: hashlib
    alone took longer to import than the whole table to load)."""
    key = f"{sorted(LARK_OPTIONS.items())} {kind}"
    if kind == "table":
        key += f" {TABLE_FORMAT} {sys.version_info[0]}.{sys.version_info[1]}"
    digest = f"{zlib.crc32(_grammar() + key.encode()):08x}{len(_grammar()):x}"
    folder = cache_dir("grammar")
    return os.path.join(folder, f"copis-{digest}.{kind}.cache") if folder else ""


@lru_cache(maxsize=1)
def get_parser():
    """The shared ``Lark`` LALR parser (built once per process, cached on
    disk). Load it with the collector running (see ``prepare``)."""
    from lark import Lark

    from copisdsl.syntax.lark_adapter import CopisLexer

    cache = _cache_file("lark")
    lark = Lark(_grammar().decode("utf-8"), lexer=CopisLexer, transformer=_transformer,
                cache=cache or False, **LARK_OPTIONS)
    _key_callbacks_by_table_rules(lark)
    return lark


def _key_callbacks_by_table_rules(lark) -> None:
    """Key the reduce callbacks by the very Rule objects of the parse table.

    Loaded from the cache, the table holds equal but not identical Rule
    objects, so every reduction paid for Python-level ``Rule.__eq__`` calls.
    """
    try:
        inner = lark.parser.parser.parser
        callbacks = inner.callbacks
        # by identity: equal rules from different states are distinct objects
        rules = {id(arg): arg for actions in inner.parse_table.states.values()
                 for action, arg in actions.values() if action.name == "Reduce"}.values()
    except AttributeError:  # another Lark layout: keep its own callbacks
        return
    rekeyed = {key: fn for key, fn in callbacks.items() if isinstance(key, str)}  # terminals
    for rule in rules:
        rekeyed[rule] = callbacks[rule]
    inner.callbacks = rekeyed


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector for a burst of allocations.

    Parsing and resolving allocate hundreds of thousands of small objects
    that live until the end; each automatic collection would walk all of
    them again (3-5x the run time on a large journey). Any cycles made
    meanwhile are collected after the collector is enabled again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse(text: str, path: str = "<input>") -> tuple[n.Document | None, list[Diagnostic]]:
    """Parse source text. Returns the document (``None`` after a syntax
    error) and the E100 diagnostics."""
    text = lf_lines(text)  # the same length: spans hold for the text as given
    prepare()
    with paused_gc():
        fast = _parse_fast(text, path)
    if fast is not None:
        doc, diagnostics = fast
    else:
        get_parser()  # loaded with the collector running (see prepare)
        with paused_gc():
            doc, diagnostics = _parse_with_recovery(text, path)
    return (doc if not any(d.code == "E100" for d in diagnostics) else None), diagnostics


def prepare() -> None:
    """Load the parse table, with the collector running.

    Loaded while the collector is paused, Lark's unpickled grammar left its
    garbage in memory, and every later parse in the process was a third
    slower for it (measured); so this, and Lark's parser at a syntax error,
    run before any ``paused_gc``.
    """
    _fast_table()


@lru_cache(maxsize=1)
def _fast_table():
    """The fast loop's table, bound to the transformer (None: this Lark's
    tables are of a shape ``lalr.table_spec`` does not know)."""
    cache = _cache_file("table")
    if cache:
        try:
            with open(cache, "rb") as handle:
                return lalr.build(marshal.load(handle), _transformer)
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            pass  # none yet, or not one this code can use: made again below
    try:
        spec = lalr.table_spec(get_parser().parser.parser.parser)
    except AttributeError:  # another Lark layout
        spec = None
    if spec is None:
        return None
    if cache:
        from copisdsl.files import write_atomic

        try:
            write_atomic(Path(cache), marshal.dumps(spec))
        except OSError:
            pass  # a read-only cache: parse without it
    return lalr.build(spec, _transformer)


def _parse_fast(text: str, path: str):
    """The document and the transformer's E100s through the fast loop
    (``copisdsl.syntax.lalr``), or None at the first syntax error, which Lark's
    parser then describes."""
    table = _fast_table()
    if table is None:
        return None
    with _lock:
        _transformer.start_file(path)
        doc = lalr.parse(text, table)
        return (doc, _transformer.diagnostics) if doc is not None else None


def _parse_with_recovery(text: str, path: str) -> tuple[n.Document | None, list[Diagnostic]]:
    """Lark's parse, one E100 per syntax error: the line of each is blanked
    and the text parsed again, up to ``MAX_SYNTAX_ERRORS``."""
    from lark.exceptions import UnexpectedInput

    from copisdsl.syntax.messages import blank_line, diagnose

    source = SourceFile(path, text)
    diagnostics: list[Diagnostic] = []
    attempt, doc = text, None
    while True:
        try:
            with _lock:
                _transformer.start_file(path)
                result = get_parser().parse(attempt)
                extra = _transformer.diagnostics
            if not diagnostics:
                doc = result
                diagnostics.extend(extra)
            break
        except UnexpectedInput as exc:
            diag, line = diagnose(exc, source, attempt)
            diagnostics.append(diag)
            if line is None or len(diagnostics) >= MAX_SYNTAX_ERRORS:
                break
            blanked = blank_line(attempt, line)
            if blanked is None:
                break
            attempt = blanked
    return doc, diagnostics

