"""The tokenizer: one master regular expression, fed to Lark's LALR parser.

It behaves like Lark's contextual lexer, which it replaces for speed: a word
that is a keyword becomes the keyword's token only where the parser can
accept that keyword (so `stage` or `orders` work as names elsewhere), and it
folds separators the way the grammar wants them: a newline or ';' ends a
statement, except inside ( ) and after ','; runs of them count once,
and none is emitted where no statement follows (after '{', before '}', at
the ends of the file), which keeps the grammar's rules flat and the parse fast.
"""

from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer, Token

KEYWORDS = {
    word: word.upper()
    for word in (
        "journey", "stage", "touchpoint", "persona", "data", "clv", "segment", "framework",
        "owner", "description", "tags", "objective", "kpi", "channel", "emotion",
        "moment_of_truth", "repurchase", "pain", "opportunity", "flow", "tradeoff",
        "increase", "decrease", "maintain", "to", "by", "baseline", "when", "where", "and", "or",
    )
}

_PUNCT = {
    "->": "ARROW", "==": "CMP", "!=": "CMP", "<=": "CMP", ">=": "CMP", "<": "CMP", ">": "CMP",
    "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "SLASH", "=": "EQUAL", "(": "LPAR", ")": "RPAR",
    "{": "LBRACE", "}": "RBRACE", ",": "COMMA", ";": "SEMICOLON", ".": "DOT",
}

_MASTER = re.compile(r"""
    (?P<WS>[\t \f]+)
  | (?P<COMMENT>\#[^\n]*)
  | (?P<NL>(?:\r?\n[\t \f]*)+)
  | (?P<STRING>"(?:[^"\\\r\n]|\\[^\r\n])*")
  | (?P<DATE>[0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9A-Za-z_]))
  | (?P<PERCENT_POS>[0-9]+(?:\.[0-9]+)?%)
  | (?P<DURATION_POS>[0-9]+[dwmy](?![A-Za-z0-9_]))
  | (?P<NUMBER_POS>[0-9]+(?:\.[0-9]+)?(?![A-Za-z_]))
  | (?P<NAME>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<PUNCT>->|==|!=|<=|>=|[-+*/=(){},;.<>])
""", re.VERBOSE)


class CopisLexer(Lexer):
    """Lark lexer interface 2: ``lex(lexer_state, parser_state)``."""

    __future_interface__ = 2

    def __init__(self, lexer_conf) -> None:
        self.lexer_conf = lexer_conf

    def lex(self, lexer_state, parser_state):
        text = lexer_state.text.text if hasattr(lexer_state.text, "text") else lexer_state.text
        table = parser_state.parse_conf.parse_table.states if parser_state is not None else None
        match = _MASTER.match
        keywords = KEYWORDS
        punct = _PUNCT
        pos, line, line_start = 0, 1, 0
        size = len(text)
        depth = 0
        prev = "LBRACE"  # nothing to separate at the start of the file
        pending = None  # a statement separator, emitted only if a statement follows
        while pos < size:
            m = match(text, pos)
            if m is None:
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1, allowed=None,
                                           state=parser_state)
            kind = m.lastgroup
            end = m.end()
            value = m.group()
            if kind == "NL" or (kind == "PUNCT" and value == ";" and depth == 0):
                col = pos - line_start + 1
                if pending is None and depth == 0 and (kind != "NL" or prev != "COMMA"):
                    pending = Token("_NL", value, pos, line, col, line, col + 1, end)
                if kind == "NL":
                    line += value.count("\n")
                    line_start = pos + value.rfind("\n") + 1
                pos = end
                continue
            if kind == "WS" or kind == "COMMENT":
                pos = end
                continue
            if kind == "NAME":
                keyword = keywords.get(value)
                if keyword is not None and table is not None:
                    if pending is not None and prev != "LBRACE":
                        yield pending  # the parser state must see the separator first
                        prev, pending = "_NL", None
                    if keyword in table[parser_state.position]:
                        kind = keyword
            elif kind == "PUNCT":
                kind = punct[value]
                if kind == "LPAR":
                    depth += 1
                elif kind == "RPAR" and depth:
                    depth -= 1
            if pending is not None:
                # Before '}', the separator is dropped only where the block can
                # close, so that `kpi x = 1 +` errors at its own line's end.
                closes = kind == "RBRACE" and (table is None or "RBRACE" in table[parser_state.position])
                if prev != "LBRACE" and not closes:
                    yield pending
                pending = None
            col = pos - line_start + 1
            yield Token(kind, value, pos, line, col, line, col + len(value), end)
            prev = kind
            pos = end
