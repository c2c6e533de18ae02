"""Property tests for `copis fmt`: generated journeys, laid out at random
(one-line blocks, ';', stray blank lines, comments wherever a line may end,
breaks after commas and inside parentheses), keep their tree and
comments, and formatting the result again changes nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from journey_strategies import journeys
from profiles import examples

from copisdsl.workflow.fmt import format_source
from copisdsl.syntax.scanning import scan_comments
from copisdsl.syntax.parser import parse

@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys())
def test_generated_journeys_format_safely_and_stably(text):
    doc, diagnostics = parse(text)
    assert doc is not None, (text, diagnostics)
    out, _ = format_source(text, safe=False)
    again, problems = parse(out)
    assert again == doc, (text, out, problems)
    assert sorted(c.text for c in scan_comments(out)) == sorted(c.text for c in scan_comments(text)), out
    assert format_source(out, safe=False)[0] == out, (text, out)
    assert all(line == line.rstrip() for line in out.splitlines())


@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet=st.sampled_from('journey {}"#;,()=->\n ab1%.'), max_size=60))
def test_arbitrary_text_never_raises(text):
    out, diagnostics = format_source(text)
    assert out is not None or diagnostics
