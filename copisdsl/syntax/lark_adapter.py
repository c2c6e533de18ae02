"""The tokenizer (``copisdsl.syntax.tokens``) as a lexer of Lark's, for Lark's own
LALR parser: the parser that describes syntax errors (and builds the parse
table the fast loop runs). Imported only then, with Lark."""

from __future__ import annotations

from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer

from copisdsl.syntax.tokens import LexError, tokenize


class CopisLexer(Lexer):
    """Lark lexer interface 2: ``lex(lexer_state, parser_state)``."""

    __future_interface__ = 2

    def __init__(self, lexer_conf) -> None:
        self.lexer_conf = lexer_conf

    def lex(self, lexer_state, parser_state):
        text = lexer_state.text.text if hasattr(lexer_state.text, "text") else lexer_state.text
        if parser_state is None:
            actions = stack = None
        else:
            actions, stack = parser_state.parse_conf.parse_table.states, parser_state.state_stack
        try:
            yield from tokenize(text, actions, stack)
        except LexError as exc:
            error = UnexpectedCharacters(text, exc.pos, exc.line, exc.column, allowed=None)
            error.state = parser_state
            error.word, error.reason, error.hint = exc.word, exc.reason, exc.hint
            raise error from None
