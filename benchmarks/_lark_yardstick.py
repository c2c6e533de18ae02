"""The issue's yardstick for `copis check`: Lark's own LALR parser, with its
contextual lexer, building its parse tree of the same generated journey.

The speed goal of 2.5 s for 10,000 touchpoints was set where "Lark's LALR
parser with the transformer inlined parses such a file in about 1.25 s";
timing stock Lark on the machine at hand tells how that machine compares.
The grammar is ours, with what our tokenizer does by hand written into it
(newlines and ';' as a separator token, blanks and comments ignored).
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

GRAMMAR = Path(__file__).resolve().parent.parent / "grammar" / "copis.lark"

_STATEMENTS = ("(journey | stage | touchpoint | persona | data | clv | segment | framework | meta "
               "| objective | kpi | channel | emotion | marker | note | flow | tradeoff | generic)")
_EDITS = (
    ("start: body", "start: _NL? body"),
    ("block: LBRACE body RBRACE", "block: LBRACE _NL? body RBRACE"),
    ("fw_block: LBRACE (fw_entry (_NL fw_entry)*)? RBRACE",
     "fw_block: LBRACE _NL? (fw_entry (_NL fw_entry)*)? _NL? RBRACE"),
    ("_NL: /\\n/", "_NL: /((\\r?\\n|;)[\\t \\f]*)+/\n%ignore /[\\t \\f]+/\n%ignore /#[^\\n]*/"),
)


def stock_grammar() -> str:
    """Our grammar for Lark's standard lexer (raises ValueError when the
    grammar has changed so that the edits no longer apply)."""
    text = GRAMMAR.read_text(encoding="utf-8")
    for old, new in _EDITS:
        if old not in text:
            raise ValueError(f"grammar changed: {old!r} not found")
        text = text.replace(old, new)
    start, end = text.index("stmts:"), text.index("block:")
    stmts = f"stmts: {_STATEMENTS}\n     | stmts _NL {_STATEMENTS}\n     | stmts _NL\n"
    return text[:start] + stmts + text[end:]


def stock_lark_seconds(text: str) -> float:
    """Seconds Lark's LALR parser takes to build the tree of ``text``."""
    from lark import Lark

    parser = Lark(stock_grammar(), parser="lalr", lexer="contextual", maybe_placeholders=True)
    gc.disable()  # as `copis check` parses
    try:
        start = time.perf_counter()
        parser.parse(text)
        return time.perf_counter() - start
    finally:
        gc.enable()
