"""Writes syntaxes/copis.tmLanguage.json, the TextMate grammar, from the
language's own vocabulary (the tokenizer's keywords and patterns, the
statement keywords, the functions): ``python editors/vscode/grammar.py``.
A test keeps the file equal to what this prints."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from copisdsl.language import CLAUSE_KEYWORDS, FUNCTIONS, KPI_CLAUSES, STATEMENT_KEYWORDS
from copisdsl.syntax.tokens import TOKEN_PATTERNS

OUT = Path(__file__).with_name("syntaxes") / "copis.tmLanguage.json"
DECLARING = ("journey", "stage", "touchpoint", "persona", "data", "segment")
INNER = sorted(CLAUSE_KEYWORDS)
PHRASES = [c.replace(" ", r"\s+") for c in KPI_CLAUSES if " " in c]


def _words(words) -> str:
    return "|".join(sorted(words, key=lambda w: (-len(w), w)))


def grammar() -> dict:
    name = TOKEN_PATTERNS["NAME"]
    other = [k for k in STATEMENT_KEYWORDS if k not in DECLARING]
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "COPIS",
        "scopeName": "source.copis",
        "fileTypes": ["copis"],
        "patterns": [{"include": "#comment"}, {"include": "#string"}, {"include": "#data"},
                     {"include": "#declaration"}, {"include": "#statement"}, {"include": "#function"},
                     {"include": "#column"}, {"include": "#clause"}, {"include": "#inner"},
                     {"include": "#number"}, {"include": "#operator"}, {"include": "#punctuation"}],
        "repository": {
            "comment": {"match": r"#.*$", "name": "comment.line.number-sign.copis"},
            "string": {
                "begin": '"', "end": r'"|$', "name": "string.quoted.double.copis",
                "patterns": [{"match": r'\\["\\n]', "name": "constant.character.escape.copis"},
                             {"match": r"\\.", "name": "invalid.illegal.escape.copis"}],
            },
            # A data block holds options only (reference 7, 12.2): `touchpoint COL`
            # there names a column, as `customer COL` and `date COL` do; no
            # statement or declaration is highlighted inside it.
            "data": {
                "begin": rf'(?:^|(?<=[{{}};]))\s*\b(data)\s+({name})\s+("(?:[^"\\]|\\.)*")\s*(\{{)',
                "beginCaptures": {"1": {"name": "keyword.declaration.copis"},
                                  "2": {"name": "entity.name.type.copis"},
                                  "3": {"patterns": [{"include": "#string"}]},
                                  "4": {"name": "punctuation.section.block.copis"}},
                "end": r"\}",
                "endCaptures": {"0": {"name": "punctuation.section.block.copis"}},
                "patterns": [{"include": "#comment"}, {"include": "#string"}, {"include": "#number"},
                             {"include": "#punctuation"}],
            },
            # A keyword is one only where a statement starts (section 2): at
            # the start of a line or after '{', '}' or ';'.
            "declaration": {
                "match": rf"(?:^|(?<=[{{}};]))\s*\b({_words(DECLARING)})\s+({name})\b",
                "captures": {"1": {"name": "keyword.declaration.copis"},
                             "2": {"name": "entity.name.type.copis"}},
            },
            "statement": {
                "match": rf"(?:^|(?<=[{{}};]))\s*\b({_words(other)})\b",
                "captures": {"1": {"name": "keyword.other.statement.copis"}},
            },
            "function": {
                "match": rf"\b({_words(FUNCTIONS)})(?=\s*\()",
                "name": "support.function.copis",
            },
            "column": {
                "match": rf"\b({name})(\.)({name})\b",
                "captures": {"1": {"name": "variable.other.object.copis"},
                             "2": {"name": "punctuation.accessor.copis"},
                             "3": {"name": "variable.other.property.copis"}},
            },
            # Clauses of several words (`by segment`): `segment` there is no declaration.
            "clause": {
                "match": rf"\b({_words(PHRASES)})\b",
                "name": "keyword.operator.word.copis",
            },
            "inner": {"match": rf"\b({_words(INNER)})\b", "name": "keyword.operator.word.copis"},
            "number": {"patterns": [
                {"match": TOKEN_PATTERNS["DATE"].replace("[0-9]{4}", r"\b[0-9]{4}"), "name": "constant.numeric.date.copis"},
                {"match": r"\b" + TOKEN_PATTERNS["PERCENT_POS"], "name": "constant.numeric.percent.copis"},
                {"match": r"\b" + TOKEN_PATTERNS["DURATION_POS"], "name": "constant.numeric.duration.copis"},
                {"match": r"\b" + TOKEN_PATTERNS["NUMBER_POS"], "name": "constant.numeric.copis"},
            ]},
            "operator": {"match": r"->|==|!=|<=|>=|[<>=+\-*/]", "name": "keyword.operator.copis"},
            "punctuation": {"patterns": [
                {"match": r"[{}]", "name": "punctuation.section.block.copis"},
                {"match": r"[()]", "name": "punctuation.section.parens.copis"},
                {"match": r"[,;]", "name": "punctuation.separator.copis"},
            ]},
        },
    }


def text() -> str:
    return json.dumps(grammar(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if OUT.read_text() == text() else 1)
    OUT.write_text(text())
