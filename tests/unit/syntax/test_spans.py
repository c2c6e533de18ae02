"""Every statement's span covers the statement as written: from its keyword
to its last token (carets, the formatter and diff locations rely on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from copisdsl.syntax import nodes as n
from copisdsl.syntax.parser import parse

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.copis"))

EVERY_KIND = '''journey j "J" {
  owner "Ann", "Bob"
  description "One", "Two"
  tags "a", "b"
  framework service
  objective "Grow" increase conversion to 40% by 2026-12-31
  kpi conversion = ratio(3, 10) baseline 25%
  tradeoff discount margin
  persona p "P" {
    needs "speed", "price"
  }
  segment vip "VIP" when amount >= 100 and channel == "web"
  stage s "S" {
    touchpoint t "T" {
      channel web
      emotion 4
      moment_of_truth "first use"
      repurchase "refill"
      pain "slow", "dear"
      opportunity "faster"
      process "Open", "Read"
      customer p
    }
    touchpoint u "U" {
      channel app
    }
  }
  flow t -> u "next"
}
'''


def statements(body):
    for stmt in body or ():
        yield stmt
        yield from statements(getattr(stmt, "body", None) if isinstance(stmt, n.BLOCKS) else None)


def written(text: str, span) -> str:
    lines = text.split("\n")
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1:span.end_column - 1]
    return "\n".join([lines[span.line - 1][span.column - 1:], *lines[span.line:span.end_line - 1],
                      lines[span.end_line - 1][:span.end_column - 1]])


@pytest.mark.parametrize("text", [EVERY_KIND] + [p.read_text(encoding="utf-8") for p in EXAMPLES],
                         ids=["every_kind"] + [p.stem for p in EXAMPLES])
def test_a_statement_spans_what_is_written(text):
    doc, diagnostics = parse(text, "x.copis")
    assert doc is not None, diagnostics
    lines = text.split("\n")
    seen = set()
    for stmt in statements(doc.body):
        seen.add(type(stmt).__name__)
        line = lines[stmt.span.line - 1]
        got = written(text, stmt.span)
        if isinstance(stmt, n.BLOCKS) or (isinstance(stmt, (n.Data, n.Clv, n.Framework)) and "{" in got):
            assert got.endswith("}"), (stmt, got)
            continue
        last = lines[stmt.span.end_line - 1]
        if any(";" in x or "#" in x or "  " in x.strip() for x in (line, last)):
            continue  # several statements or a comment on the line
        # a statement continued after a comma spans its lines
        assert got.split("\n")[0] == line.strip(), (type(stmt).__name__, got, line)
        assert got.split("\n")[-1].strip() == last.strip(), (type(stmt).__name__, got, last)
    if text is EVERY_KIND:
        assert seen >= {"Meta", "Objective", "Kpi", "Tradeoff", "Persona", "Segment", "Stage", "Touchpoint",
                        "Channel", "Emotion", "Marker", "Note", "Generic", "Flow", "Framework"}
