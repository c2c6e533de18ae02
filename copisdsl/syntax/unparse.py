"""AST -> source text, shared by the formatter and the diff: string
literals, literals as written or normalised, one-line expressions and the
statements that never wrap."""

from __future__ import annotations

from copisdsl.syntax import nodes as n

__all__ = ["expr_text", "literal_text", "number_text", "objective_clause", "percent_text",
           "plain_statement", "quote", "source_literal"]


def quote(text: str) -> str:
    """A string literal for ``text`` (escapes ``\\``, ``"`` and newlines)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def source_literal(lit: n.Literal) -> str:
    """A literal as written (strings re-escaped)."""
    return quote(lit.value) if lit.kind == "string" else lit.text


def number_text(value: float) -> str:
    """A number normalised: ``12.50`` -> ``12.5``."""
    return f"{float(value):.12g}"


def percent_text(value: float) -> str:
    """A fraction as a normalised percent: ``0.125`` -> ``12.5%``."""
    return f"{float(value) * 100:.10g}%"


def literal_text(lit: n.Literal) -> str:
    """A literal as source text, numbers normalised (``12.50%`` -> ``12.5%``)."""
    if lit.kind == "string":
        return quote(lit.value)
    if lit.kind == "number":
        return number_text(lit.value)
    if lit.kind == "percent":
        return percent_text(lit.value)
    if lit.kind == "duration":
        amount, unit = lit.value
        return f"{number_text(amount)}{unit}"
    return str(lit.value) if lit.kind == "name" else lit.text


def expr_text(e) -> str:
    """A KPI expression or condition as normalised source text (one line),
    with the parentheses its structure needs and no others: `(1 + (2 * 3))`
    and `1 + 2 * 3` are one expression, `(1 + 2) * 3` another."""
    if isinstance(e, n.Paren):
        return expr_text(e.inner)
    if isinstance(e, (n.BinOp, n.BoolOp)):
        level = e.level
        parts = [_operand(e.operands[0], level, False)]
        for op, operand in zip(e.ops, e.operands[1:]):
            parts.append(f" {op} {_operand(operand, level, True)}")
        return "".join(parts)
    if isinstance(e, n.Neg):
        inner = n.unparen(e.operand)
        text = expr_text(inner)
        return f"-({text})" if isinstance(inner, (n.BinOp, n.Neg)) else f"-{text}"
    return _leaf_text(e)


def _operand(e, level: int, right: bool) -> str:
    inner = n.unparen(e)
    text = expr_text(inner)
    if isinstance(inner, (n.BinOp, n.BoolOp)):
        own = inner.level
        if own < level or (right and own == level):
            return f"({text})"
    return text


def _leaf_text(e) -> str:
    if isinstance(e, n.Number):
        return literal_text(e.literal)
    if isinstance(e, n.KpiRef):
        return e.name.name
    if isinstance(e, n.Column):
        text = f"{e.data.name}.{e.column.name}"
        return text + (f" where {expr_text(e.where)}" if e.where is not None else "")
    if isinstance(e, n.Call):
        return f"{e.func.name}({', '.join(expr_text(a) for a in e.args)})"
    if isinstance(e, n.Compare):
        return f"{e.column.name} {e.op} {literal_text(e.value)}"
    raise TypeError(f"not an expression: {type(e).__name__}")


def objective_clause(stmt: n.Objective, literal=source_literal) -> str | None:
    """``increase METRIC to TARGET by DATE`` of an objective (the target
    shown by ``literal``), or None when it names no metric."""
    if stmt.direction is None:
        return None
    text = f"{stmt.direction} {stmt.metric.name}"
    if stmt.target is not None:
        text += f" to {literal(stmt.target)}"
    if stmt.by is not None:
        text += f" by {stmt.by.text}"
    return text


def plain_statement(stmt) -> str:
    """Statements that never wrap, as written."""
    if isinstance(stmt, n.Objective):
        clause = objective_clause(stmt, source_literal)
        return f"objective {quote(stmt.text)}" + (f" {clause}" if clause else "")
    if isinstance(stmt, n.Channel):
        return f"channel {stmt.name.name}"
    if isinstance(stmt, n.Emotion):
        return f"emotion {stmt.value.text}"
    if isinstance(stmt, n.Marker):
        return stmt.kind + (f" {quote(stmt.text)}" if stmt.text is not None else "")
    if isinstance(stmt, n.Tradeoff):
        return f"tradeoff {stmt.a.name} {stmt.b.name}"
    if isinstance(stmt, n.Flow):
        # A line cannot break after '->', so a flow stays on one line.
        label = f" {quote(stmt.label)}" if stmt.label is not None else ""
        return "flow " + " -> ".join(ident.name for ident in stmt.path) + label
    raise TypeError(f"unknown statement node {type(stmt).__name__}")
