"""`copis lsp` end to end: diagnostics on open and change, data diagnostics
in the background, codes, severities, hints and related information."""

from __future__ import annotations

import pytest
from lsprotocol import types as t

from lsp_support import change_text, client_fixture, open_text, published

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

CONFLICT = '''journey j "J" {
  stage s "S" {
    touchpoint a "A" {
      customer "c"; process "p"; information "i"; service "s"
      objective "Up" increase nps to 50
      objective "Down" decrease nps
      kpi nps = 30
    }
  }
  flow a -> chekout
}
'''


async def test_open_publishes_codes_ranges_hints_and_related(client, tmp_path):
    path = tmp_path / "conflict.copis"
    path.write_text(CONFLICT)
    uri = path.as_uri()
    open_text(client, uri, CONFLICT)
    diags = await published(client, uri)
    by_code = {d.code: d for d in diags}
    assert set(by_code) == {"E301", "E201"}
    unknown = by_code["E201"]
    assert unknown.severity == t.DiagnosticSeverity.Error
    assert unknown.source == "copis"
    assert unknown.range == t.Range(t.Position(9, 12), t.Position(9, 19))
    assert unknown.message == "unknown flow endpoint 'chekout'\nhint: a flow connects touchpoint or stage IDs"
    assert unknown.data == {"hint": "a flow connects touchpoint or stage IDs"}
    conflict = by_code["E301"]
    assert conflict.related_information, "E301 names the other objective"
    other = conflict.related_information[0]
    assert other.location.uri == uri
    assert other.location.range.start.line in (4, 5)
    assert other.location.range.start.line != conflict.range.start.line


async def test_change_is_checked_after_the_debounce(client, tmp_path):
    uri = (tmp_path / "typing.copis").as_uri()
    open_text(client, uri, 'journey j "J" {\n}\n')
    assert await published(client, uri) == []
    change_text(client, uri, 'journey j "J" {\n  stage s "S" {\n', 2)
    diags = await published(client, uri, version=2)
    assert [d.code for d in diags] == ["E100"]
    assert diags[0].severity == t.DiagnosticSeverity.Error
    change_text(client, uri, 'journey j "J" {\n  stage s "S" {\n  }\n}\n', 3)
    diags = await published(client, uri, version=3)
    assert [d.code for d in diags] == ["W305"]
    assert diags[0].severity == t.DiagnosticSeverity.Warning
    assert diags[0].message.startswith("stage 's' has no touchpoints")


async def test_a_burst_of_changes_makes_one_check(client, tmp_path):
    uri = (tmp_path / "burst.copis").as_uri()
    open_text(client, uri, 'journey j "J" {\n}\n')
    await published(client, uri)
    for version in range(2, 12):
        change_text(client, uri, 'journey j "J" {\n  stage s' + "x" * version + ' "S" {\n  }\n}\n', version)
    diags = await published(client, uri)
    assert [d.code for d in diags] == ["W305"]
    assert "sxxxxxxxxxxx" in diags[0].message  # the last text, checked once
    with pytest.raises(TimeoutError):
        await published(client, uri, timeout=0.6)


async def test_data_diagnostics_arrive_in_the_background(client, tmp_path):
    text = ('journey j "J" {\n  data survey "survey.csv"\n  kpi mean_score = mean(survey.score)\n'
            '  stage s "S" {\n    touchpoint a "A" {\n      customer "c"; objective "o"; process "p"\n'
            '      information "i"; service "s"\n    }\n  }\n}\n')
    path = tmp_path / "data.copis"
    path.write_text(text)
    open_text(client, path.as_uri(), text)
    first = await published(client, path.as_uri())
    assert "E400" not in {d.code for d in first}  # the check alone never reads data
    later = await published(client, path.as_uri(), codes={"E400"})
    e400 = next(d for d in later if d.code == "E400")
    assert e400.range.start.line == 1
    (tmp_path / "survey.csv").write_text("score,stage\n9,a\n")
    client.text_document_did_save(t.DidSaveTextDocumentParams(text_document=t.TextDocumentIdentifier(path.as_uri())))
    diags = await published(client, path.as_uri())
    while "E400" in {d.code for d in diags}:  # the check's publication first, the figures' next
        diags = await published(client, path.as_uri())
    assert "E400" not in {d.code for d in diags}


async def test_configuration_and_suppression_apply_as_on_the_command_line(client, tmp_path):
    """The nearest copis.toml makes W305 an error and ignores W300; an inline
    suppression silences W306: the editor shows what `copis check` reports."""
    (tmp_path / "copis.toml").write_text('error = ["W305"]\nignore = ["W300"]\n')
    text = ('journey j "J" {\n  stage empty "E" {\n  }\n  stage s "S" {\n'
            '    touchpoint a "A" { channel web }\n'
            '    touchpoint b "B" { channel web }  # copis: ignore[W306]\n  }\n  flow a -> a\n}\n')
    path = tmp_path / "configured.copis"
    path.write_text(text)
    open_text(client, path.as_uri(), text)
    diags = await published(client, path.as_uri())
    assert [(d.code, d.severity) for d in diags] == [("W305", t.DiagnosticSeverity.Error)]
