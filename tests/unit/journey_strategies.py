"""Hypothesis strategies that write whole journeys, with comments, one-line
blocks, continued lists and nested expressions: shared by the formatter's
and the tokenizer's property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from copisdsl.language import KEYWORDS
from copisdsl.syntax.unparse import quote

RESERVED = set(KEYWORDS)

names = st.from_regex(r"[a-z_][a-z0-9_]{0,7}", fullmatch=True).filter(lambda s: s not in RESERVED)
strings = st.text(alphabet=st.sampled_from('ab é#;{}",\\\n\t'), max_size=12).map(quote)
numbers = st.from_regex(r"-?(0|[1-9][0-9]{0,3})(\.[0-9]{1,2})?%?", fullmatch=True)
durations = st.from_regex(r"[1-9][0-9]?[dwmy]", fullmatch=True)
dates = st.sampled_from(["2026-06-30", "2025-01-01"])
comments = st.from_regex(r"#[ a-z#\"{};,]{0,12}", fullmatch=True).map(str.rstrip)


@st.composite
def line_end(draw):
    """What may end a line: nothing or a comment, then one or more newlines."""
    comment = draw(st.one_of(st.just(""), comments.map(lambda c: "  " + c)))
    return comment + "\n" * draw(st.integers(1, 3)) + " " * draw(st.integers(0, 6))


@st.composite
def comma(draw):
    """A comma, maybe followed by a line break (allowed after commas)."""
    return "," + draw(st.one_of(st.just(" "), st.just(""), line_end()))


@st.composite
def in_parens(draw, empty=True):
    """Space between two tokens inside parentheses, where newlines are free
    (never empty after a keyword)."""
    return draw(st.one_of(st.just(" "), st.just("" if empty else " "), line_end()))


def value_list(items):
    @st.composite
    def build(draw):
        values = draw(st.lists(items, min_size=1, max_size=5))
        out = values[0]
        for v in values[1:]:
            out += draw(comma()) + v
        return out
    return build()


@st.composite
def condition(draw, depth=0, parens=False):
    gap = in_parens(empty=False) if parens else st.just(" ")
    if depth < 2 and draw(st.booleans()):
        left = draw(condition(depth + 1, parens))
        right = draw(condition(depth + 1, parens))
        return f"{left} {draw(st.sampled_from(['and', 'or']))}{draw(gap)}{right}"
    if depth < 2 and draw(st.integers(0, 3)) == 0:
        return f"({draw(in_parens())}{draw(condition(depth + 1, True))}{draw(in_parens())})"
    value = draw(st.one_of(strings, numbers, dates))
    return f"{draw(names)} {draw(st.sampled_from(['==', '!=', '<', '<=', '>', '>=']))}{draw(gap)}{value}"


@st.composite
def expression(draw, depth=0, parens=False):
    gap = in_parens(empty=False) if parens else st.just(" ")
    kind = draw(st.integers(0, 6 if depth < 3 else 2))
    if kind == 0:
        return draw(st.one_of(numbers.filter(lambda s: not s.startswith("-")), durations))
    if kind == 1:
        return draw(names)
    if kind == 2:
        column = f"{draw(names)}.{draw(names)}"
        if draw(st.booleans()):
            column += f" where{draw(gap)}{draw(condition(depth + 1, parens))}"
        return column
    if kind == 3:
        args = draw(st.lists(expression(depth + 1, True), max_size=3))
        out = f"{draw(names)}({draw(in_parens())}"
        for i, arg in enumerate(args):
            out += (draw(comma()) if i else "") + arg
        return out + draw(in_parens()) + ")"
    if kind == 4:
        left, right = draw(expression(depth + 1, parens)), draw(expression(depth + 1, parens))
        return f"{left} {draw(st.sampled_from('+-*/'))}{draw(gap)}{right}"
    if kind == 5:
        return "-" + draw(expression(depth + 1, parens))
    return f"({draw(in_parens())}{draw(expression(depth + 1, True))}{draw(in_parens())})"


def simple_statements():
    return st.one_of(
        value_list(strings).map(lambda v: f"process {v}"),
        value_list(st.one_of(strings, names)).map(lambda v: f"customer {v}"),
        value_list(strings).map(lambda v: f"tags {v}"),
        value_list(strings).map(lambda v: f"pain {v}"),
        st.tuples(strings, st.sampled_from(["", " increase m", " decrease n to 5%", " maintain k to 3 by 2026-06-30"]))
        .map(lambda t: f"objective {t[0]}{t[1]}"),
        st.tuples(names, expression(), st.one_of(st.just(""), numbers.map(lambda x: f" baseline {x}")))
        .map(lambda t: f"kpi {t[0]} = {t[1]}{t[2]}"),
        st.integers(1, 5).map(lambda e: f"emotion {e}"),
        names.map(lambda c: f"channel {c}"),
        st.one_of(st.just(""), strings.map(lambda s: " " + s)).map(lambda s: f"moment_of_truth{s}"),
        st.one_of(st.just(""), strings.map(lambda s: " " + s)).map(lambda s: f"repurchase{s}"),
    )


@st.composite
def body(draw, items, inline_ok=True, required=None):
    stmts = draw(st.lists(items, max_size=4))
    if required is not None:
        stmts.insert(draw(st.integers(0, len(stmts))), draw(required))
    if inline_ok and stmts and draw(st.booleans()):
        return "{ " + "; ".join(stmts) + " }"
    out = "{" + draw(line_end())
    for s in stmts:
        out += s + draw(st.sampled_from([";", ""])) + draw(line_end())
    return out + "}"


@st.composite
def journeys(draw):
    touchpoints = st.tuples(names, strings, body(simple_statements())).map(
        lambda t: f"touchpoint {t[0]} {t[1]} {t[2]}")
    stages = st.tuples(names, strings, body(touchpoints)).map(lambda t: f"stage {t[0]} {t[1]} {t[2]}")
    full_stage = st.tuples(names, strings, body(touchpoints, required=st.tuples(
        names, strings, body(simple_statements(), required=simple_statements())).map(
        lambda t: f"touchpoint {t[0]} {t[1]} {t[2]}"))).map(lambda t: f"stage {t[0]} {t[1]} {t[2]}")
    personas = st.tuples(names, st.one_of(st.just(""), strings.map(lambda s: " " + s)),
                         st.one_of(st.just(""), body(value_list(strings).map(lambda v: f"needs {v}")).map(lambda b: " " + b))
                         ).map(lambda t: f"persona {t[0]}{t[1]}{t[2]}")
    flows = st.tuples(st.lists(names, min_size=2, max_size=4), st.one_of(st.just(""), strings.map(lambda s: " " + s)))

    @st.composite
    def flow(draw2):
        path, label = draw2(flows)
        out = "flow " + path[0]
        for p in path[1:]:
            out += draw2(st.sampled_from([" -> ", "->"])) + p
        return out + label

    segments = st.tuples(names, st.one_of(st.just(""), strings.map(lambda s: " " + s)),
                         st.one_of(st.just(""), condition().map(lambda c: " when " + c))
                         ).map(lambda t: f"segment {t[0]}{t[1]}{t[2]}")
    data = st.tuples(names, strings, st.one_of(st.just(""), body(st.sampled_from(
        ["kind transactions", "customer customer_id", 'delimiter ";"', "until 2026-01-01"])).map(lambda b: " " + b))
    ).map(lambda t: f"data {t[0]} {t[1]}{t[2]}")
    clv = body(st.sampled_from(["margin 35%", "discount 10.0%", "horizon 3y", "model bgnbd", "model pareto"])).map(lambda b: "clv " + b)
    top = st.one_of(stages, personas, flow(), segments, data, clv, simple_statements(),
                    st.tuples(names, names).map(lambda t: f"tradeoff {t[0]} {t[1]}"))
    header = draw(st.one_of(st.just(""), comments.map(lambda c: c + "\n")))
    return header + f"journey {draw(names)} {draw(strings)} " + draw(body(top, inline_ok=False, required=full_stage)) + draw(line_end())
