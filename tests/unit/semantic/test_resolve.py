"""Resolution rules of the reference, section 4.1."""

from __future__ import annotations

from copisdsl.api import check


def model_of(text: str):
    result = check(text, "t.copis")
    assert result.model is not None, result.diagnostics
    return result.model, result.diagnostics


def codes(text: str) -> list[str]:
    return [d.code for d in check(text, "t.copis").diagnostics]


def test_touchpoint_element_replaces_defaults_instead_of_merging():
    m, _ = model_of('journey j "J" {\n process "J1", "J2"\n stage s "S" {\n  process "S1"\n'
                    '  touchpoint a "A" { process "A1" }\n  touchpoint b "B" {}\n }\n'
                    ' stage u "U" { touchpoint c "C" {} }\n}')
    texts = {tp: [v.text for v in m.touchpoints[tp].elements["process"]] for tp in "abc"}
    assert texts == {"a": ["A1"], "b": ["S1"], "c": ["J1", "J2"]}
    assert m.touchpoints["b"].element_origin["process"] == "stage"


def test_objectives_default_and_fill_the_objective_element_but_count_once():
    m, _ = model_of('journey j "J" {\n objective "Grow" increase x\n stage s "S" {\n'
                    '  touchpoint a "A" {}\n  touchpoint b "B" { objective "Own" decrease y }\n }\n kpi x = 1\n kpi y = 2\n}')
    assert [v.text for v in m.touchpoints["a"].elements["objective"]] == ["Grow"]
    assert [v.text for v in m.touchpoints["b"].elements["objective"]] == ["Own"]
    assert [(o.text, o.scope) for o in m.objectives] == [("Grow", "j"), ("Own", "b")]


def test_persona_reference_in_customer_element():
    m, diags = model_of('journey j "J" { persona ann "Ann Lee"\n customer ann, "Walk-in"\n}')
    assert [(v.text, v.persona) for v in m.elements["customer"]] == [("Ann Lee", "ann"), ("Walk-in", None)]
    assert codes('journey j "J" { persona ann "Ann"\n process ann\n}') == ["E201"]


def test_advocacy_uses_people_as_the_customer_like_element():
    m, _ = model_of('journey j "J" { framework advocacy\n persona ann "Ann"\n people ann\n}')
    assert m.elements["people"][0].persona == "ann"


def test_stage_in_flow_means_first_touchpoint_as_target_last_as_source():
    m, _ = model_of('journey j "J" {\n stage a "A" { touchpoint a1 "1" {}\n touchpoint a2 "2" {} }\n'
                    ' stage b "B" { touchpoint b1 "1" {}\n touchpoint b2 "2" {} }\n stage c "C" { touchpoint c1 "1" {} }\n'
                    ' flow a -> b -> c\n flow c -> a "again"\n}')
    # c1 -> a1 points to an earlier stage but closes no cycle (nothing
    # leaves a1), so it is no loop: loops are back edges of the flow graph.
    assert [(e.source, e.target, e.back) for e in m.flows] == [
        ("a2", "b1", False), ("b2", "c1", False), ("c1", "a1", False)]
    assert m.flows[-1].label == "again"


def _loops(flows: str, stages: str = 'stage s "S" { touchpoint a "A" {}\n touchpoint b "B" {}\n'
           ' touchpoint c "C" {} }') -> list[tuple[str, str]]:
    m, _ = model_of(f'journey j "J" {{\n {stages}\n {flows}\n}}')
    return [(e.source, e.target) for e in m.flows if e.back]


def test_a_loop_is_a_back_edge_of_the_flow_not_a_matter_of_declaration_order():
    # c is written after b, yet c -> b is a forward step: the path is a -> c -> b
    assert _loops("flow a -> c -> b") == []
    assert _loops("flow a -> b -> c -> a") == [("c", "a")]
    assert _loops("flow b -> b") == [("b", "b")]
    # depth first from the entry (a), each touchpoint's steps in the order written
    assert _loops("flow a -> b\n flow a -> c\n flow b -> c\n flow c -> b") == [("c", "b")]
    assert _loops("flow a -> c\n flow a -> b\n flow b -> c\n flow c -> b") == [("b", "c")]
    # a cycle with no entry is searched from its first declared touchpoint
    assert _loops("flow c -> b -> a -> c") == [("b", "a")]


def test_kpi_references_resolve_touchpoint_then_stage_then_journey():
    m, diags = model_of('journey j "J" {\n kpi base = 10\n kpi x = 1\n stage s "S" {\n  kpi x = 2\n'
                        '  touchpoint t "T" { kpi y = x + base }\n  touchpoint u "U" { kpi x = 3\n kpi z = x }\n }\n}')
    assert not [d for d in diags if d.is_error]
    t_y = m.touchpoints["t"].kpis[0]
    assert m.lookup_kpi("x", "touchpoint", "t").scope == "s"
    assert m.lookup_kpi("x", "touchpoint", "u").scope == "u"
    assert m.lookup_kpi("base", "touchpoint", "t").scope == "j"
    assert t_y.name == "y"


def test_kpi_of_a_sibling_touchpoint_is_not_visible():
    result = check('journey j "J" {\n stage s "S" {\n  touchpoint t "T" { kpi a = 1 }\n'
                   '  touchpoint u "U" { kpi b = a }\n }\n}', "t.copis")
    (d,) = [d for d in result.diagnostics if d.code == "E201"]
    assert "touchpoint 't'" in d.hint


def test_objective_is_measured_by_nearest_kpi_else_first_in_journey():
    m, _ = model_of('journey j "J" {\n stage s "S" {\n  touchpoint t "T" { kpi nps = 1 }\n'
                    '  touchpoint u "U" { objective "O" increase nps\n kpi nps = 2 }\n'
                    '  touchpoint v "V" { objective "P" increase nps }\n }\n}')
    o_u, o_v = m.objectives
    assert m.measuring_kpi(o_u).scope == "u"
    assert m.measuring_kpi(o_v).scope == "t"


def test_keywords_are_names_outside_statement_starts():
    assert codes('journey j "J" {\n data stage "s.csv"\n kpi orders = sum(stage.margin where touchpoint == "a")\n'
                 ' kpi margin = orders\n objective "x" increase margin\n tradeoff stage orders\n}') == []


def test_statement_order_inside_a_block_does_not_matter():
    a = 'journey j "J" {\n stage s "S" {}\n persona p "P"\n customer p\n}'
    b = 'journey j "J" {\n customer p\n stage s "S" {}\n persona p "P"\n}'
    assert codes(a) == codes(b) == ["W305"]


def test_sipoc_accepts_objectives_without_an_objective_element():
    m, diags = model_of('journey j "J" { framework sipoc\n objective "Fast" decrease lead_time\n kpi lead_time = 3 }')
    assert m.framework.objective_key is None
    assert not diags


def test_custom_framework_keys_in_order_with_labels():
    m, diags = model_of('journey j "J" {\n framework lean { customer "Client"; value "Value stream"; waste "Waste" }\n'
                        ' stage s "S" { touchpoint t "T" { customer "A"; value "B" } }\n}')
    assert m.framework.keys == ("customer", "value", "waste")
    assert m.framework.label("value") == "Value stream"
    assert [d.code for d in diags] == ["W300"] and "waste" in diags[0].message


def test_one_line_blocks_semicolons_and_list_continuation():
    m, diags = model_of('journey j "J" {\n persona ann "Ann" { needs "speed"; pains "waiting" }\n'
                        ' process "See ad",\n   "Tap",\n   "Land"\n kpi k = ratio(\n  1,\n  4\n )\n}')
    assert [v.text for v in m.elements["process"]] == ["See ad", "Tap", "Land"]
    assert m.personas["ann"].needs == ["speed"]


def test_string_escapes():
    m, _ = model_of('journey j "J" { description "say \\"hi\\"\\\\ now\\nthen" }')
    assert m.description == 'say "hi"\\ now\nthen'
    assert codes('journey j "J" { description "bad \\t" }') == ["E100"]


def test_percent_and_durations():
    m, diags = model_of('journey j "J" { clv { margin 12.5%; discount 0.08; horizon 18m } }')
    assert (m.clv.margin, m.clv.discount, m.clv.horizon_months) == (0.125, 0.08, 18)


def test_e200_names_the_first_declaration_by_its_name_for_every_kind():
    """Reference §6: E200 at the later declaration, naming the first, by
    where its name is (as the diagnostic itself is)."""
    text = ('journey j "J" {\n  data o "o.csv"\n  data o "p.csv"\n  kpi k = 1\n  kpi k = 2\n'
            '  persona p "P"\n  persona p "Q"\n}\n')
    found = [(d.span.line, d.span.column, d.message, d.hint) for d in check(text).diagnostics if d.code == "E200"]
    assert found == [
        (3, 8, "duplicate data 'o'; the first is at 2:8", "rename one of the two data sources"),
        (5, 7, "duplicate KPI 'k' in journey 'j'; the first is at 4:7",
         "KPI names are unique per touchpoint, stage and journey"),
        (7, 11, "duplicate persona 'p'; the first is at 6:11", "rename one of the two personas")]


def test_a_stage_emptied_by_duplicate_touchpoints_is_not_also_an_empty_flow_endpoint():
    """One mistake, one error: the touchpoint that clashes with its stage's
    ID (E200) is no second error at the flow naming the stage (E201 "no
    touchpoints"); a stage written empty still is."""
    text = ('journey j "J" {\n  stage a "S" { touchpoint a "T" { } }\n  stage e "E" { }\n'
            '  flow a -> e\n}\n')
    found = [(d.code, d.span.line, d.span.column) for d in check(text).diagnostics if d.is_error]
    assert found == [("E200", 2, 28), ("E201", 4, 13)]


def test_a_statement_misplaced_in_a_persona_says_where_it_belongs():
    """Reference §4: a statement where the table does not allow it is E100,
    naming where it is allowed (in a persona as in a stage)."""
    text = 'journey j "J" {\n  persona r "R" { channel web; kpi a = 1 }\n}\n'
    assert [d.message for d in check(text).diagnostics if d.code == "E100"] == [
        "'channel' is not allowed in a persona; it belongs in a touchpoint",
        "'kpi' is not allowed in a persona; it belongs in a journey, a stage or a touchpoint"]
