"""The tokenizer: one master regular expression, fed to the LALR parser
(``copisdsl.syntax.lalr``'s loop, or Lark's through ``copisdsl.syntax.lark_adapter``).

It behaves like Lark's contextual lexer, which it replaces for speed: a word
that is a keyword becomes the keyword's token only where the parser can
accept that keyword (so `stage` or `orders` work as names elsewhere), and it
folds separators the way the grammar wants them: a newline or ';' ends a
statement, except inside ( ) and after ','; runs of them count once,
and none is emitted where no statement follows (after '{', before '}', at
the ends of the file), which keeps the grammar's rules flat and the parse fast.

Inside a ``data`` block, ``touchpoint`` is never a keyword: there it is the
event log's option ``touchpoint COLUMN`` (reference §12.2), a plain
``key value`` statement like ``customer COLUMN``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from copisdsl.language import KEYWORDS as LANGUAGE_KEYWORDS
from copisdsl.source import CONTROL_CHARS


class Token(NamedTuple):
    """A token, with the attributes Lark's parser and its errors read.

    A named tuple, not Lark's ``Token`` (a ``str`` subclass whose slots are
    filled one by one): a large journey has hundreds of thousands of tokens,
    and a tuple is built in half the time.
    """

    type: str
    value: str
    start_pos: int
    end_pos: int
    line: int
    column: int
    end_line: int
    end_column: int


# A word's keyword terminal (the grammar names each in capitals).
KEYWORDS = {word: word.upper() for word in LANGUAGE_KEYWORDS}

PUNCTUATION = {
    "->": "ARROW", "==": "CMP", "!=": "CMP", "<=": "CMP", ">=": "CMP", "<": "CMP", ">": "CMP",
    "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "SLASH", "=": "EQUAL", "(": "LPAR", ")": "RPAR",
    "{": "LBRACE", "}": "RBRACE", ",": "COMMA", ";": "SEMICOLON", ".": "DOT",
}

# The patterns of the tokens that are more than a fixed word. The grammar
# (grammar/copis.lark) declares the same terminals, for Lark's own checks
# and error messages: a test holds the two equal.
TOKEN_PATTERNS = {
    "NAME": r"[A-Za-z_][A-Za-z0-9_]*",
    # unrolled, so that no group repeats per character (control characters,
    # line breaks included, may not stand in a string)
    "STRING": r'"[^"\\CONTROL]*(?:\\[^CONTROL][^"\\CONTROL]*)*"'.replace("CONTROL", CONTROL_CHARS),
    "DATE": r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9A-Za-z_])",
    "PERCENT_POS": r"[0-9]+(?:\.[0-9]+)?%",
    "DURATION_POS": r"[0-9]+[dwmy](?![A-Za-z0-9_])",
    "NUMBER_POS": r"[0-9]+(?:\.[0-9]+)?(?![A-Za-z0-9_.])",
}

# One match per token, as (the blanks before it, the token, ""), so that
# the matches cover the text end to end and C's ``findall`` does the
# scanning: the loop below tells the kinds apart by their first character.
# Where no token starts, the third group matches instead (and the tokenizer
# stops there): a word that starts like a number but is none (`90D`, `1.2.3`),
# a string not closed on its line, or any other character, so that none is
# ever skipped. Those take the whole word, or the string up to its closing
# quote or the end of its line: ``findall`` scans on past
# an error to the end of its chunk, and trying a number or a string again at
# every character of such a word would take time growing with its square.
_SCAN_LAYOUT = r"""
    ([\t \f]*)
    (?:(
      <NAME>
    | (?:\r?\n[\t \f]*)+                             # newlines
    | <STRING>
    | ->|==|!=|<=|>=|[-+*/=(){},;.<>]                # punctuation
    | <DATE> | <PERCENT_POS> | <DURATION_POS> | <NUMBER_POS>
    | \#[^\n]*                                        # a comment
    )|(
      [0-9][0-9A-Za-z_.%]*                            # no number
    | "(?:[^"\\\n]|\\[^\n])*"?                          # no string: to its end or the line's
    | [^\t \f]                                        # no token at all
    ))
"""


def _compile_scan() -> re.Pattern:
    text = _SCAN_LAYOUT
    for name, pattern in TOKEN_PATTERNS.items():
        text = text.replace(f"<{name}>", pattern)
    return re.compile(text, re.VERBOSE)


_SCAN = _compile_scan()
# A chunk of the text may end where the scan's newlines token ends (matched
# from a newline in it): a token starts there, and every match ends there
# as it would in the whole text.
_NEWLINES = re.compile(r"(?:\r?\n[\t \f]*)+")
_CHUNK = 1 << 16

# The kind of a token by its first character; "NUMERIC" and "PUNCT" are
# told apart further below.
_FIRST = {c: "NAME" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"}
_FIRST.update({c: "NUMERIC" for c in "0123456789"})
_FIRST.update({c: "PUNCT" for c in "-=!<>+*/(){},;."})
_FIRST.update({"\n": "NL", "\r": "NL", '"': "STRING", "#": "COMMENT"})  # "\r": of "\r\n"


def _numeric(value: str) -> str:
    """The kind of a token that starts with a digit."""
    last = value[-1]
    if last == "%":
        return "PERCENT_POS"
    if last in "dwmy":
        return "DURATION_POS"
    if len(value) == 10 and value[4] == "-":
        return "DATE"
    return "NUMBER_POS"


class Lexeme(NamedTuple):
    """A piece of text as the scan reads it, without a parser: ``kind`` is
    ``NAME``, ``NUMERIC``, ``STRING``, ``COMMENT``, ``PUNCT``, ``NL`` (line
    breaks) or ``BAD`` (where no token starts: the rest of the word, or of
    the line for an unterminated string, or one character)."""

    kind: str
    value: str
    line: int
    column: int


def lexemes(text: str, kinds: frozenset[str] | None = None):
    """Every lexeme of ``text`` in order (those of ``kinds`` only, if given),
    comments included; never raises.

    The one definition of what a string and a comment are, for those who
    need them without parsing: the formatter, and syntax messages about
    braces."""
    stop = len(text.rstrip("\t \f"))  # trailing blanks hold nothing (see _chunks)
    line, base, end = 1, -1, 0
    first = _FIRST
    for blank, value, bad in _SCAN.findall(text, 0, stop):
        pos = end + len(blank)
        end = pos + len(value or bad)
        kind = "BAD" if bad else first[value[0]]
        if kind == "NL":
            if kinds is None or "NL" in kinds:
                yield Lexeme(kind, value, line, pos - base)
            line += value.count("\n")
            base = pos + value.rfind("\n")
        elif kinds is None or kind in kinds:
            yield Lexeme(kind, value or bad, line, pos - base)


class LexError(Exception):
    """No token starts at offset ``pos`` (``line``:``column``): ``word`` is
    what was read there instead; or, with a ``reason`` (and a ``hint`` for
    the user), the token there may not be read."""

    def __init__(self, pos: int, line: int, column: int, word: str = "", reason: str | None = None,
                 hint: str | None = None) -> None:
        super().__init__(reason or f"no token starts at {line}:{column}")
        self.pos, self.line, self.column, self.word = pos, line, column, word
        self.reason, self.hint = reason, hint


# How deep blocks may nest: the formatter walks them recursively, and a
# journey needs four levels at most (journey, stage, touchpoint, a block).
MAX_BLOCK_NESTING = 100


_new_tuple = tuple.__new__


def _token(kind: str, value: str, pos: int, line: int, col: int, end: int) -> Token:
    """A one-line token."""
    return _new_tuple(Token, (kind, value, pos, end, line, col, line, col + end - pos))


_NO_SEPARATOR_AFTER = frozenset({"LBRACE", "COMMA", "_NL"})
# The tokens after DATA that open a data block: NAME, STRING, then '{'.
_DATA_HEAD = frozenset({(1, "NAME"), (2, "STRING")})


def _chunks(text: str) -> list[tuple[int, int]]:
    """``text`` cut, where ``_NEWLINES`` says it may be, into pieces of
    about ``_CHUNK`` characters.

    ``findall`` over a whole large file made every match at once (50 MB for
    3 MB of text); a chunk's matches stay in the processor's cache while they
    are read, which makes scanning a quarter faster.
    """
    # Blanks at the very end hold no token, and are left out: the scan would
    # try every one of them as the start of a match, each time to the end
    # (100,000 of them took minutes).
    stop = len(text.rstrip("\t \f"))
    bounds = []
    start = look = 0
    while stop - start > _CHUNK:
        newline = text.find("\n", max(look, start + _CHUNK), stop)
        if newline < 0:
            break
        look = _NEWLINES.match(text, newline).end()  # each character looked at once
        if look < stop:
            bounds.append((start, look))
            start = look
    bounds.append((start, stop))
    return bounds


def tokenize(text: str, actions, stack):
    """The tokens of ``text``, read by an LALR parser whose live state stack
    is ``stack`` (a list whose last item is the current state) over the
    table ``actions`` (state -> {terminal: action}); with ``actions`` None,
    keywords are never contextual. Raises ``LexError``."""
    keywords = KEYWORDS
    punct = PUNCTUATION
    first = _FIRST
    new, cls = _new_tuple, Token
    line, base = 1, -1  # base: the offset just before the line's first character
    depth = 0  # of ( )
    braces = 0
    prev = "LBRACE"  # nothing to separate at the start of the file
    # ``data NAME "path" {``: how far into that head we are (0: not in one),
    # and the brace depth of the data block we are in (-1: none).
    data_head, data_braces = 0, -1
    pending = None  # a statement separator, emitted only if a statement follows
    end = 0
    findall = _SCAN.findall
    for chunk_start, chunk_end in _chunks(text):
        for blank, value, bad in findall(text, chunk_start, chunk_end):
            pos = end + len(blank)
            if bad:
                raise LexError(pos, line, pos - base, bad)
            end = pos + len(value)
            kind = first[value[0]]
            if kind == "NAME":
                pass
            elif kind == "PUNCT":
                kind = punct[value]
                if kind == "SEMICOLON" and depth == 0:
                    kind = "NL"
                elif kind == "LBRACE":
                    braces += 1
                    if data_head == 3:
                        data_braces = braces
                    if braces > MAX_BLOCK_NESTING:
                        raise LexError(pos, line, pos - base, value,
                                       f"blocks nested too deeply (more than {MAX_BLOCK_NESTING} levels)",
                                       "a journey holds stages, a stage touchpoints: close the blocks "
                                       "you opened")
                elif kind == "RBRACE" and braces:
                    braces -= 1
                    if braces < data_braces:
                        data_braces = -1
            elif kind == "NUMERIC":
                kind = _numeric(value)
            elif kind == "COMMENT":
                continue
            if kind == "NL":
                if pending is None and depth == 0 and (value == ";" or prev != "COMMA"):
                    pending = _token("_NL", value, pos, line, pos - base, pos + 1)
                if value != ";":
                    line += value.count("\n")
                    base = pos + value.rfind("\n")
                continue
            if (prev == "RBRACE" or len(blank) > 1) and pending is None and depth == 0 and (
                    prev not in _NO_SEPARATOR_AFTER) and actions is not None:
                # On one line, a statement after a block's '}', or after two or
                # more blanks, starts a new one where the parser could not go on
                # otherwise, as the reference's tables write blocks:
                # `clv { margin 35%  discount 10% }`.
                row = actions[stack[-1]]
                if "_NL" in row and kind not in row and (kind != "NAME" or keywords.get(value) not in row):
                    start = pos - len(blank)
                    pending = _token("_NL", blank, start, line, start - base, pos)
            if kind == "NAME":
                keyword = keywords.get(value)
                if keyword is not None and actions is not None:
                    if pending is not None and prev != "LBRACE":
                        yield pending  # the parser state must see the separator first
                        prev, pending = "_NL", None
                    if keyword in actions[stack[-1]] and (keyword != "TOUCHPOINT" or braces != data_braces):
                        kind = keyword
            elif kind == "LPAR":
                depth += 1
            elif kind == "RPAR" and depth:
                depth -= 1
            if pending is not None:
                # Before '}', the separator is dropped only where the block can
                # close, so that `kpi x = 1 +` errors at its own line's end.
                closes = kind == "RBRACE" and (actions is None or "RBRACE" in actions[stack[-1]])
                if prev != "LBRACE" and not closes:
                    yield pending
                pending = None
            yield new(cls, (kind, value, pos, end, line, pos - base, line, end - base))
            prev = kind
            if kind == "DATA":
                data_head = 1
            elif data_head:
                data_head = data_head + 1 if (data_head, kind) in _DATA_HEAD else 0
