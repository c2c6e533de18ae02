"""Where the cursor stands: the blocks around it and the statement it is in.

Read from the text alone (the journey being typed rarely parses): braces
and statement separators outside strings and comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copisdsl.syntax.scanning import open_braces

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Block:
    """An open block: its statement keyword and ID (``journey j "J" {``)."""

    keyword: str
    id: str | None


@dataclass(frozen=True)
class Context:
    blocks: tuple[Block, ...]  # outermost first
    statement: str  # the current statement's text up to the cursor (left blanks dropped)
    in_string: bool
    in_comment: bool

    @property
    def block(self) -> str:
        """The innermost block's keyword; ``file`` outside every block."""
        return self.blocks[-1].keyword if self.blocks else "file"

    def scope(self) -> tuple[str, str] | None:
        """The innermost touchpoint or stage (kind, ID), or None for the journey."""
        for block in reversed(self.blocks):
            if block.keyword in ("touchpoint", "stage") and block.id:
                return block.keyword, block.id
        return None


def _scan(line: str) -> tuple[int, bool, bool]:
    """One line read as the tokenizer reads strings and comments: (where the
    last statement starts, after its last ';', '{' or '}' outside strings and
    comments; whether the line ends inside a string; inside a comment)."""
    start, quoted, i = 0, False, 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "#":
            return start, False, True
        elif ch in ";{}":
            start = i + 1
        i += 1
    return start, quoted, False


def _statement_start(line: str) -> str:
    """The part of ``line`` after its last ';' or '{' outside strings and comments."""
    return line[_scan(line)[0]:]


def quoting(prefix: str) -> tuple[bool, bool]:
    """(in a string, in a comment) at the end of ``prefix``, one line."""
    _, quoted, comment = _scan(prefix)
    return quoted, comment


def context_at(text: str, lines: list[str], line: int, column: int) -> Context:
    """The context at a 1-based (line, code-point column)."""
    upto = "\n".join(lines[: line - 1] + [lines[line - 1][: column - 1] if line <= len(lines) else ""])
    blocks = []
    for bl, bc in open_braces(upto):
        head = _statement_start(lines[bl - 1][: bc - 1]).split()
        words = [w for w in head if _WORD.fullmatch(w)]
        blocks.append(Block(words[0] if words else "", words[1] if len(words) > 1 else None))
    prefix = lines[line - 1][: column - 1] if line <= len(lines) else ""
    in_string, in_comment = quoting(prefix)
    statement = _statement_start(prefix).lstrip()
    # A list or an expression may go on after a comma or inside ( ): the
    # statement started on an earlier line.
    back = line - 1
    while back > 0 and _continues(lines[back - 1], statement):
        statement = _statement_start(lines[back - 1]).lstrip() + " " + statement
        back -= 1
    return Context(tuple(blocks), statement, in_string, in_comment)


def _continues(previous: str, statement: str) -> bool:
    code = previous.split("#", 1)[0].rstrip()
    return code.endswith(",") or code.count("(") > code.count(")") or code.endswith(("=", "+", "-", "*", "/"))
