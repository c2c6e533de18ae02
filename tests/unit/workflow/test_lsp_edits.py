"""`copis lsp` end to end: quick fixes, formatting, document symbols,
folding ranges and semantic tokens."""

from __future__ import annotations

import pytest
from lsprotocol import types as t
from pygls.exceptions import JsonRpcException

from copisdsl.api import check
from copisdsl.workflow.fmt import format_source
from lsp_support import change_text, client_fixture, doc, open_text, published

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

TEXT = '''journey j "J" {
  persona maya "Maya"
  stage buy "Buy" {
    touchpoint cart "Cart" {
      customer myaa
      process "Add"  # the main step
      moment_of_truth "Trust"
    }
    touchpoint pay "Pay" { customer maya; process "p"; information "i"; service "s"; objective "o" }
  }
  flow cart -> pay
}
'''


def apply(text: str, edits: list[t.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions) to a text."""
    lines = text.split("\n")

    def offset(pos: t.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: pos.line])
        units, index, line = 0, 0, lines[pos.line] if pos.line < len(lines) else ""
        while units < pos.character and index < len(line):
            units += 2 if ord(line[index]) > 0xFFFF else 1
            index += 1
        return before + index

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


async def fixes(client, uri, diags, code):
    diag = next(d for d in diags if d.code == code)
    return await client.text_document_code_action_async(t.CodeActionParams(
        text_document=doc(uri), range=diag.range, context=t.CodeActionContext(diagnostics=[diag])))


async def test_quick_fixes(client, tmp_path):
    uri = (tmp_path / "fix.copis").as_uri()
    open_text(client, uri, TEXT)
    diags = await published(client, uri, version=1)
    assert sorted(d.code for d in diags) == ["E201", "W300", "W303"]

    mean = await fixes(client, uri, diags, "E201")
    assert [a.title for a in mean] == ["Change to 'maya'"]
    fixed = apply(TEXT, mean[0].edit.changes[uri])
    assert "      customer maya\n" in fixed

    skeleton = await fixes(client, uri, diags, "W300")
    assert skeleton[0].title == "Add the missing elements (objective, information, service)"
    filled = apply(TEXT, skeleton[0].edit.changes[uri])
    assert '      moment_of_truth "Trust"\n      objective "TODO"\n      information "TODO"\n      service "TODO"\n    }' in filled
    assert "W300" not in {d.code for d in check(filled).diagnostics}

    stub = await fixes(client, uri, diags, "W303")
    assert [a.title for a in stub] == ["Add a KPI for this moment of truth", "Ignore W303 on this line"]
    measured = apply(TEXT, stub[0].edit.changes[uri])
    assert "W303" not in {d.code for d in check(measured).diagnostics}
    assert check(measured).ok is False  # only the E201 of the text remains
    ignored = apply(TEXT, stub[1].edit.changes[uri])
    assert '      moment_of_truth "Trust"  # copis: ignore[W303]\n' in ignored

    comment_line = apply(TEXT, (await fixes(client, uri, diags, "W300"))[1].edit.changes[uri])
    assert '    touchpoint cart "Cart" {  # copis: ignore[W300]\n' in comment_line



async def test_a_fail_point_gets_a_kpi_stub(client, tmp_path):
    text = TEXT.replace('moment_of_truth "Trust"', 'fail_point "Card declined"').replace("customer myaa", "customer maya")
    uri = (tmp_path / "fail.copis").as_uri()
    open_text(client, uri, text)
    diags = await published(client, uri, version=1)
    assert "W308" in {d.code for d in diags}
    stub = await fixes(client, uri, diags, "W308")
    assert [a.title for a in stub] == ["Add a KPI for this fail point", "Ignore W308 on this line"]
    measured = apply(text, stub[0].edit.changes[uri])
    assert "W308" not in {d.code for d in check(measured).diagnostics}

async def test_ignore_joins_a_suppression_already_there(client, tmp_path):
    text = TEXT.replace('moment_of_truth "Trust"', 'moment_of_truth "Trust"  # copis: ignore[W306]')
    uri = (tmp_path / "join.copis").as_uri()
    open_text(client, uri, text)
    diags = await published(client, uri, version=1)
    action = (await fixes(client, uri, diags, "W303"))[-1]
    assert '"Trust"  # copis: ignore[W306, W303]\n' in apply(text, action.edit.changes[uri])
    before_comment = TEXT.replace("customer myaa", "customer maya")
    change_text(client, uri, before_comment.replace('"Trust"', '"Trust" # why'), 2)
    diags = await published(client, uri, version=2)
    action = (await fixes(client, uri, diags, "W303"))[-1]
    assert '"Trust" # copis: ignore[W303] # why\n' in apply(before_comment.replace('"Trust"', '"Trust" # why'),
                                                          action.edit.changes[uri])


async def test_formatting_goes_through_copis_fmt(client, tmp_path):
    uri = (tmp_path / "fmt.copis").as_uri()
    messy = 'journey j "J" {\nstage s "S" {\n      touchpoint a "A" { customer "c" }\n}\n}\n'
    open_text(client, uri, messy)
    await published(client, uri, version=1)
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(
        text_document=doc(uri), options=t.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert apply(messy, edits) == format_source(messy)[0]
    change_text(client, uri, 'journey j "J" {\n  stage s "S" {\n', 2)
    with pytest.raises(JsonRpcException, match="syntax errors"):
        await client.text_document_formatting_async(t.DocumentFormattingParams(
            text_document=doc(uri), options=t.FormattingOptions(tab_size=2, insert_spaces=True)))
    # a layout that would take a suppressed statement off its comment's line says so, and why
    change_text(client, uri, 'journey j "J" {\n  stage s "S" { touchpoint t "T" { moment_of_truth } }'
                             '  # copis: ignore[W303]\n}\n', 3)
    with pytest.raises(JsonRpcException, match="not formatted: the canonical layout would move the statements"):
        await client.text_document_formatting_async(t.DocumentFormattingParams(
            text_document=doc(uri), options=t.FormattingOptions(tab_size=2, insert_spaces=True)))


async def test_symbols_folding_and_semantic_tokens(client, tmp_path):
    uri = (tmp_path / "outline.copis").as_uri()
    text = TEXT.replace("customer myaa", "customer maya")
    open_text(client, uri, "# one\n# two\n" + text)
    await published(client, uri, version=1)
    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(text_document=doc(uri)))
    (journey,) = symbols
    assert journey.name == "j" and journey.kind == t.SymbolKind.Module
    assert [c.name for c in journey.children] == ["maya", "buy"]
    stage = journey.children[1]
    assert [c.name for c in stage.children] == ["cart", "pay"]
    assert stage.range.start.line == 4 and stage.range.end.line == 11
    assert stage.selection_range == t.Range(t.Position(4, 8), t.Position(4, 11))

    folds = await client.text_document_folding_range_async(t.FoldingRangeParams(text_document=doc(uri)))
    assert [(f.start_line, f.end_line, f.kind) for f in folds] == [
        (0, 1, t.FoldingRangeKind.Comment), (2, 12, None), (4, 10, None), (5, 8, None)]

    tokens = await client.text_document_semantic_tokens_full_async(t.SemanticTokensParams(text_document=doc(uri)))
    from copisdsl.workflow.lsp.outline import TOKEN_TYPES  # the server's legend, by its order
    decoded, line, start = [], 0, 0
    lines = ("# one\n# two\n" + text).split("\n")
    data = tokens.data
    for i in range(0, len(data), 5):
        line += data[i]
        start = data[i + 1] + (start if data[i] == 0 else 0)
        decoded.append((lines[line][start:start + data[i + 2]], TOKEN_TYPES[data[i + 3]], data[i + 4]))
    assert decoded[:5] == [("# one", "comment", 0), ("# two", "comment", 0), ("journey", "keyword", 0),
                           ("j", "namespace", 1), ('"J"', "string", 0)]
    assert ("persona", "keyword", 0) in decoded
    assert ("maya", "class", 1) in decoded and ("maya", "class", 0) in decoded
    assert ("cart", "struct", 1) in decoded and ("cart", "struct", 0) in decoded
    assert ("buy", "namespace", 1) in decoded
    assert ("customer", "property", 0) in decoded
    assert ("->", "operator", 0) in decoded
