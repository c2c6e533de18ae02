"""A Pygments lexer for ``.copis`` files, registered as ``copis`` through
the ``pygments.lexers`` entry point (mkdocs-material, Sphinx and every
other Pygments user highlight ```` ```copis ```` blocks with it).

Its words and patterns come from the language's own tables, never a copy:
the keywords and token patterns of ``syntax.tokens`` (the grammar's
terminals, a test holds the two equal), the built-in frameworks' element
keys and the ``data`` options of ``copisdsl.language``, and the expression
functions of ``checks.expressions``. Inside a ``data`` block every option
is a name, ``touchpoint`` (the event log's column, reference §12.2) and
``customer`` (an element key elsewhere) as much as ``date``. Pygments is
imported only by whoever loads the lexer: it is no dependency of copisdsl.
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

from copisdsl.checks.expressions import FUNCTIONS
from copisdsl.language import BUILTIN, DATA_OPTION_KEYS
from copisdsl.syntax.tokens import KEYWORDS, TOKEN_PATTERNS

__all__ = ["CopisLexer"]

_WORD_END = r"(?![A-Za-z0-9_])"
_ELEMENTS = sorted({key for framework in BUILTIN.values() for key in framework.keys} - set(KEYWORDS))


class CopisLexer(RegexLexer):
    """Customer journeys written as text (copisdsl)."""

    name = "COPIS"
    aliases = ["copis"]
    filenames = ["*.copis"]
    mimetypes = ["text/x-copis"]
    flags = re.MULTILINE

    tokens = {
        "root": [
            (r"[ \t\f\r]+", Whitespace),
            (r"\n", Whitespace),
            (r"#\s*copis\s*:.*$", Comment.Special),  # a suppression, addressed to the checker
            (r"#.*$", Comment.Single),
            (rf'(data)(\s+)({TOKEN_PATTERNS["NAME"]})(\s+)({TOKEN_PATTERNS["STRING"]})(\s*)(\{{)',
             bygroups(Keyword, Whitespace, Name, Whitespace, String.Double, Whitespace, Punctuation), "data"),
            (TOKEN_PATTERNS["STRING"], String.Double),
            (r'"[^"\n]*', String.Double),  # not closed on its line: still a string while typing
            (TOKEN_PATTERNS["DATE"], Number.Other),
            (TOKEN_PATTERNS["PERCENT_POS"], Number.Float),
            (TOKEN_PATTERNS["DURATION_POS"], Number.Other),
            (TOKEN_PATTERNS["NUMBER_POS"], Number),
            (words(sorted(KEYWORDS, key=len, reverse=True), suffix=_WORD_END), Keyword),
            (words(_ELEMENTS, suffix=_WORD_END), Name.Builtin),
            (words(sorted(FUNCTIONS, key=len, reverse=True), suffix=r"(?=\s*\()"), Name.Function),
            (TOKEN_PATTERNS["NAME"], Name),
            (r"->|==|!=|<=|>=|[<>+\-*/=]", Operator),
            (r"[{}(),;.%]", Punctuation),
            (r".", Text),
        ],
        "data": [  # a data block's options: names, whatever they are outside it
            (r"\}", Punctuation, "#pop"),
            (words(DATA_OPTION_KEYS, suffix=_WORD_END), Name),
            include("root"),
        ],
    }
