"""Properties of the semantic diff over every example and every golden
diff case: the canonical layout (`copis fmt`) is no difference, and one
real edit is exactly one difference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

from conftest import EXAMPLES, ROOT
from copisdsl.api import check
from copisdsl.workflow.diff import FieldChange, diff_models
from copisdsl.workflow.fmt import format_source, quote

SOURCES = sorted(EXAMPLES.glob("*.copis")) + sorted((ROOT / "tests" / "golden" / "diff").glob("*/*.copis"))
TOUCHPOINT = re.compile(r'(touchpoint\s+(\w+)\s+")((?:[^"\\]|\\.)*)(")')


def model(text: str, name: str = "j.copis"):
    result = check(text, name)
    assert result.ok, [d.message for d in result.diagnostics if d.is_error]
    return result.model


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_formatted_journey_has_no_differences(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    formatted, _ = format_source(text, path.name)
    assert formatted is not None
    assert not diff_models(model(text), model(formatted))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.copis")), ids=lambda p: p.stem)
@settings(max_examples=examples(15), deadline=None)
@given(data=st.data())
def test_retitling_one_touchpoint_is_exactly_one_change(path: Path, data) -> None:
    text = path.read_text(encoding="utf-8")
    matches = list(TOUCHPOINT.finditer(text))
    m = data.draw(st.sampled_from(matches))
    suffix = data.draw(st.text(alphabet="ab <>*`#:;,é", min_size=1, max_size=6).filter(lambda s: s.strip()))
    escaped = suffix.replace("\\", "\\\\").replace('"', '\\"')
    edited = text[:m.end(3)] + escaped + text[m.end(3):]
    diff = diff_models(model(text), model(edited))
    assert len(diff.changes) == 1
    change = diff.changes[0]
    assert (change.group, change.kind, change.name) == ("touchpoints", "changed", m.group(2))
    old_title = model(text).touchpoints[m.group(2)].title
    assert change.fields == (FieldChange("title", quote(old_title), quote(old_title + suffix)),)


@pytest.mark.parametrize("a, b, same", [
    ("1 + 2 * 3", "(1 + (2 * 3))", True),
    ("(1 + 2) * 3", "1 + 2 * 3", False),
    ("a - (b - c)", "a - b - c", False),
    ("(a - b) - c", "a - b - c", True),
    ("-(x)", "-x", True),
    ("sum(d.v where (s == 1 and t == 2) or u == 3)", "sum(d.v where s == 1 and t == 2 or u == 3)", True),
    ("sum(d.v where s == 1 and (t == 2 or u == 3))", "sum(d.v where s == 1 and t == 2 or u == 3)", False),
])
def test_redundant_parentheses_are_no_difference(a, b, same):
    from copisdsl.api import parse
    from copisdsl.workflow.diff import expr_text

    def kpi(expr):
        doc, diags = parse(f'journey j "J" {{\n  kpi k = {expr}\n}}\n')
        assert doc is not None, diags
        return doc.body[0].body[0].expr

    assert (expr_text(kpi(a)) == expr_text(kpi(b))) is same
