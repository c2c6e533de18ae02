"""The Pygments lexer `copis`: registered by entry point, and its words come
from the language's tables (keywords, elements, functions)."""

from __future__ import annotations

import pytest

pygments = pytest.importorskip("pygments")

from pygments.lexers import get_lexer_by_name, get_lexer_for_filename  # noqa: E402
from pygments.token import Comment, Error, Keyword, Name, Number, String  # noqa: E402

from copisdsl.checks.expressions import FUNCTIONS  # noqa: E402
from copisdsl.language import DATA_OPTION_KEYS  # noqa: E402
from copisdsl.syntax.tokens import KEYWORDS  # noqa: E402

SOURCE = '''# copis: ignore-file[W300]
journey shop "Shop \\"quoted\\"" {  # a comment
  kpi conversion = ratio(sum(funnel.orders), 3) * 4.5
  objective "Lift" increase conversion to 4% by 2026-12-31
  segment loyal "Loyal" when recency < 30d and orders >= 2
  customer "Anyone"
}
'''


def tokens(text: str) -> list[tuple]:
    return [(t, v) for t, v in get_lexer_by_name("copis").get_tokens(text) if v.strip()]


def test_registered_by_entry_point_for_name_and_file_name():
    assert get_lexer_by_name("copis").name == "COPIS"
    assert get_lexer_for_filename("journeys/a.copis").name == "COPIS"


def test_keywords_strings_numbers_and_comments_get_their_token_types():
    found = tokens(SOURCE)
    kinds = {v: t for t, v in found}
    assert kinds["# copis: ignore-file[W300]"] is Comment.Special
    assert kinds["# a comment"] is Comment.Single
    for word in ("journey", "kpi", "objective", "increase", "to", "by", "segment", "when", "and"):
        assert kinds[word] is Keyword, word
    assert kinds['"Shop \\"quoted\\""'] is String.Double and kinds['"Lift"'] is String.Double
    assert kinds["3"] is Number and kinds["4.5"] is Number
    assert kinds["4%"] is Number.Float and kinds["30d"] is Number.Other and kinds["2026-12-31"] is Number.Other
    assert kinds["ratio"] is Name.Function and kinds["sum"] is Name.Function
    assert kinds["customer"] is Name.Builtin and kinds["funnel"] is Name and kinds["shop"] is Name
    assert not [v for t, v in found if t is Error]


def test_every_keyword_and_function_of_the_language_is_highlighted():
    for word in KEYWORDS:
        assert tokens(f"{word} x")[0] == (Keyword, word)
    for name in set(FUNCTIONS) - set(KEYWORDS):  # clv is both: a keyword wins
        assert tokens(f"{name}(x)")[0] == (Name.Function, name)
    assert tokens("journeyman")[0] == (Name, "journeyman")  # a keyword inside a name is no keyword


def test_data_options_are_option_names_in_a_data_block():
    # `touchpoint COL` in a data block is an option (reference 12.2), as `customer COL` and `date COL` are.
    block = "\n".join(f"    {key} x_{key}" for key in DATA_OPTION_KEYS)
    text = (f'journey j "J" {{\n  data visits "v.csv" {{\n{block}\n  }}\n'
            '  data orders "o.csv" { kind transactions; touchpoint tp; customer c; date d }\n'
            '  stage s "S" { touchpoint t "T" {} }\n}\n')
    found = tokens(text)
    options = [(t, v) for t, v in found if v in DATA_OPTION_KEYS]
    assert [v for _, v in options] == [*DATA_OPTION_KEYS, "kind", "touchpoint", "customer", "date", "touchpoint"]
    assert {t for t, _ in options[:-1]} == {Name}  # one type for every option, as date and amount have
    assert options[-1] == (Keyword, "touchpoint")  # after the data blocks, a declaration again
    assert (Keyword, "data") in found and (Name, "x_touchpoint") in found
    assert (Keyword, "stage") in found and not [v for t, v in found if t is Error]


def test_the_lexer_never_fails_on_odd_text():
    text = '"unterminated\n@@ \x00 ~ journey'
    assert "".join(v for _, v in get_lexer_by_name("copis").get_tokens(text)) == text + "\n"
