"""`copis lsp` end to end: hover, definition, references, rename, with
positions in UTF-16 (accents and emoji before the names)."""

from __future__ import annotations

import pytest
import pytest_asyncio
from lsprotocol import types as t
from pygls.exceptions import JsonRpcException

from lsp_support import client_fixture, doc, open_text, position_of, published

pytestmark = pytest.mark.asyncio(loop_scope="module")
client = client_fixture()

TEXT = '''journey j "J" {
  data orders "orders.csv" { kind transactions }
  segment big "Big spenders" when revenue >= 100
  segment small "Small"
  persona ann "Ann 🙂" {
    segment big
    needs "Speed"
  }
  service "Shop"
  stage buy "Buy" {
    information "Stage info"
    touchpoint cart "Cart é" {
      customer "Guest 🙂 é", ann
      process "Add"
      objective "More buyers" increase buyers to 5
      kpi buyers = customers(orders) baseline 2
      kpi per_buyer = revenue(orders) / buyers by segment  # 💶 per buyer
    }
    touchpoint pay "Pay" {
      customer ann; process "Pay"; information "Card 🙂"  # copis: ignore[W303]
      moment_of_truth "Safe"
    }
  }
  flow cart -> pay
}
'''
ORDERS = "customer_id,date,amount\na,2024-01-01,150\na,2024-02-01,20\nb,2024-01-05,30\nc,2024-03-01,10\n"


@pytest_asyncio.fixture(loop_scope="module")
async def opened(client, tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS)
    path = tmp_path / "j.copis"
    path.write_text(TEXT)
    uri = path.as_uri()
    open_text(client, uri, TEXT)
    await published(client, uri, version=1)
    await published(client, uri, version=1)  # the figures' publication
    return uri


async def hover(client, uri, needle, nth=0, offset=1):
    result = await client.text_document_hover_async(
        t.HoverParams(text_document=doc(uri), position=position_of(TEXT, needle, offset, nth)))
    return result.contents.value if result is not None else None


def utf16_range(line_text: str, start: int, length: int, line: int) -> t.Range:
    units = len(line_text[:start].encode("utf-16-le")) // 2
    return t.Range(t.Position(line, units), t.Position(line, units + length))


async def test_hover_touchpoint_elements_kpis_and_objectives(client, opened):
    text = await hover(client, opened, "touchpoint cart", offset=12)
    assert text.startswith("**touchpoint** `cart` Cart é (stage `buy`)")
    assert "- Customer: Guest 🙂 é, Ann 🙂\n" in text
    assert "- Information: Stage info *(inherited from the stage)*" in text
    assert "- Service: Shop *(inherited from the journey)*" in text
    assert "- Objective: More buyers\n" in text
    assert "- `buyers` = 3\n" in text
    assert "- `per_buyer` = 70" in text
    assert "- More buyers \\(increase buyers to 5\\): **not met**" in text


async def test_hover_kpi_persona_segment_and_code(client, opened):
    kpi = await hover(client, opened, "kpi buyers", offset=5)
    assert "**KPI** `buyers` (touchpoint `cart`)" in kpi
    assert "kpi buyers = customers(orders)" in kpi
    assert "- value: 3\n- kind: count\n- baseline: 2" in kpi
    # by segment: big is a (170 over 1 buyer), small is b and c (40 over 2)
    per_buyer = await hover(client, opened, "kpi per_buyer", offset=5)
    assert "- value: 70" in per_buyer and "By segment:\n- `big`: 170\n- `small`: 20" in per_buyer
    persona = await hover(client, opened, "ann", nth=0)
    assert persona.startswith("**persona** `ann` Ann 🙂\nsegment: `big`\n- needs: Speed")
    assert "Portfolio:\n- customers: 1 (33" in persona
    segment = await hover(client, opened, "segment big", offset=9)
    assert segment.startswith("**segment** `big` Big spenders")
    assert "when revenue >= 100" in segment and "- customers: 1" in segment
    code = await hover(client, opened, "W303]", offset=1)
    assert code.startswith("**W303** (warning)")


async def test_definition_and_references_across_emoji(client, opened):
    lines = TEXT.split("\n")
    at = position_of(TEXT, "ann", 1, nth=1)  # `customer "Guest 🙂 é", ann`
    assert at.character == len('      customer "Guest 🙂 é", a'.encode("utf-16-le")) // 2
    found = await client.text_document_definition_async(t.DefinitionParams(text_document=doc(opened), position=at))
    assert found.range == utf16_range(lines[4], lines[4].index("ann"), 3, 4)
    refs = await client.text_document_references_async(t.ReferenceParams(
        text_document=doc(opened), position=at, context=t.ReferenceContext(include_declaration=True)))
    assert [r.range for r in refs] == [utf16_range(lines[i], lines[i].index("ann"), 3, i) for i in (4, 12, 19)]
    tp = await client.text_document_references_async(t.ReferenceParams(
        text_document=doc(opened), position=position_of(TEXT, "cart ->", 1),
        context=t.ReferenceContext(include_declaration=False)))
    assert [r.range.start.line for r in tp] == [23]


async def test_rename_a_kpi_everywhere_it_is_meant(client, opened):
    edit = await client.text_document_rename_async(t.RenameParams(
        text_document=doc(opened), position=position_of(TEXT, "kpi buyers", 5), new_name="clients"))
    ranges = sorted((e.range.start.line, e.range.start.character) for e in edit.changes[opened])
    assert ranges == [(14, 39), (15, 10), (16, 40)]  # the objective's metric, the definition, the reference


async def test_rename_refuses_clashes_and_keywords(client, opened):
    at = position_of(TEXT, "touchpoint pay", 12)
    with pytest.raises(JsonRpcException, match="'cart' is already the name of a stage or touchpoint"):
        await client.text_document_rename_async(t.RenameParams(text_document=doc(opened), position=at, new_name="cart"))
    with pytest.raises(JsonRpcException, match="'stage' is a keyword"):
        await client.text_document_rename_async(t.RenameParams(text_document=doc(opened), position=at, new_name="stage"))
    with pytest.raises(JsonRpcException, match="not an identifier"):
        await client.text_document_rename_async(t.RenameParams(text_document=doc(opened), position=at, new_name="2x"))
    prepared = await client.text_document_prepare_rename_async(t.PrepareRenameParams(text_document=doc(opened), position=at))
    assert prepared.placeholder == "pay"
    edit = await client.text_document_rename_async(t.RenameParams(text_document=doc(opened), position=at, new_name="checkout"))
    assert sorted(e.range.start.line for e in edit.changes[opened]) == [18, 23]
