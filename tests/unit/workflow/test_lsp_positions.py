"""Positions between spans (code points) and LSP (UTF-16), and the
vocabulary completion derives from the resolver."""

from __future__ import annotations

from hypothesis import given, strategies as st

from copisdsl.language import STATEMENT_KEYWORDS
from copisdsl.workflow.lsp.completion import keywords_allowed
from copisdsl.workflow.lsp.positions import Lines, utf16_length

TEXT = 'a "é🙂" b\n\U0001F600x\n'


def test_astral_characters_count_twice():
    lines = Lines(TEXT)
    assert lines.to_lsp(1, 1) == (0, 0)
    assert lines.to_lsp(1, 8) == (0, 8)  # 'b': after a, space, ", é, 🙂 (two units), ", space
    assert lines.from_lsp(0, 8) == (1, 8)
    assert lines.from_lsp(0, 5) == (1, 5)  # the emoji starts at unit 4, so unit 5 is inside it: its start
    assert lines.to_lsp(2, 2) == (1, 2)
    assert lines.from_lsp(1, 1) == (2, 1)  # inside the surrogate pair: its start
    assert lines.from_lsp(1, 99) == (2, 3)  # past the end: the end
    assert lines.end() == (2, 0)
    assert Lines("x\n🙂").end() == (1, 2)


chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r")


@given(st.lists(st.text(chars, max_size=12), min_size=1, max_size=5), st.data())
def test_round_trip(parts, data):
    text = "\n".join(parts)
    lines = Lines(text)
    line = data.draw(st.integers(1, len(lines.lines) or 1))
    column = data.draw(st.integers(1, len(lines.line(line - 1)) + 1))
    lsp = lines.to_lsp(line, column)
    assert lsp[1] == utf16_length(lines.line(line - 1)[: column - 1])
    assert lines.from_lsp(*lsp) == (line, column)


def test_every_statement_keyword_has_a_place():
    placed = set(keywords_allowed("file")) | set(keywords_allowed("journey")) | \
        set(keywords_allowed("stage")) | set(keywords_allowed("touchpoint"))
    assert placed == set(STATEMENT_KEYWORDS)
    assert keywords_allowed("file") == ["journey"]
