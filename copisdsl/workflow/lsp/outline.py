"""Document symbols (stages > touchpoints), folding ranges and semantic
tokens (from the tokenizer, ``copisdsl.syntax.tokens``)."""

from __future__ import annotations

from lsprotocol import types as t

from copisdsl.language import CLAUSE_KEYWORDS, FUNCTIONS, STATEMENT_KEYWORDS
from copisdsl.syntax.scanning import scan_comments
from copisdsl.syntax.tokens import LexError, tokenize
from copisdsl.workflow.lsp.diagnostics import to_range
from copisdsl.workflow.lsp.documents import Snapshot

TOKEN_TYPES = ["keyword", "string", "number", "comment", "operator", "namespace", "struct", "class",
               "enum", "parameter", "variable", "property", "function"]
TOKEN_MODIFIERS = ["declaration"]
LEGEND = t.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)
_TYPE = {name: i for i, name in enumerate(TOKEN_TYPES)}
_SYMBOL_TYPE = {"persona": "class", "segment": "enum", "data": "parameter", "kpi": "variable"}
_LITERALS = {"STRING": "string", "NUMBER_POS": "number", "PERCENT_POS": "number", "DURATION_POS": "number",
             "DATE": "number", "CMP": "operator", "PLUS": "operator", "MINUS": "operator",
             "STAR": "operator", "SLASH": "operator", "ARROW": "operator", "EQUAL": "operator"}
# Words that are keywords inside a statement (after its first word).
_INNER_KEYWORDS = frozenset(CLAUSE_KEYWORDS)


def _tokens(text: str):
    """The tokenizer's tokens, up to the first that cannot be read."""
    try:
        yield from tokenize(text, None, None)
    except LexError:
        return


def document_symbols(snap: Snapshot) -> list[t.DocumentSymbol]:
    """The journey, its stages and their touchpoints (with their KPIs),
    personas, segments and data sources."""
    model = snap.model
    if model is None:
        return []
    lines = snap.lines

    def sym(name, detail, kind, node, ident, children=()):
        return t.DocumentSymbol(name=name, detail=detail, kind=kind, range=to_range(lines, node.span),
                                selection_range=to_range(lines, ident.span), children=list(children))

    def kpis(holder):
        return [sym(k.name, k.kind, t.SymbolKind.Variable, k.node, k.node.name) for k in holder.kpis]

    stages = [sym(s.id, s.title, t.SymbolKind.Namespace, s.node, s.node.id,
                  [sym(tp.id, tp.title, t.SymbolKind.Event, tp.node, tp.node.id, kpis(tp)) for tp in s.touchpoints]
                  + kpis(s))
              for s in model.stages]
    others = ([sym(p.id, p.title, t.SymbolKind.Class, p.node, p.node.id) for p in model.personas.values()]
              + [sym(s.id, s.title, t.SymbolKind.Enum, s.node, s.node.id) for s in model.segments.values()]
              + [sym(d.id, d.path, t.SymbolKind.File, d.node, d.node.id) for d in model.data.values()])
    journey = model.node
    return [sym(model.id, model.title, t.SymbolKind.Module, journey, journey.id,
                others + [sym(k.name, k.kind, t.SymbolKind.Variable, k.node, k.node.name) for k in model.journey_kpis]
                + stages)]


def folding_ranges(snap: Snapshot) -> list[t.FoldingRange]:
    """Every block over several lines (from the braces, so that a file
    with errors folds too) and every run of two or more comment lines."""
    out, stack = [], []
    for tok in _tokens(snap.text):
        if tok.type == "LBRACE":
            stack.append(tok.line)
        elif tok.type == "RBRACE" and stack:
            start = stack.pop()
            if tok.line - 1 > start:
                out.append(t.FoldingRange(start_line=start - 1, end_line=tok.line - 2))
    run_start = prev = None
    for comment in scan_comments(snap.text) + [None]:
        line = comment.span.line if comment is not None else None
        if line is not None and prev is not None and line == prev + 1 and _alone(snap, line):
            prev = line
            continue
        if run_start is not None and prev > run_start:
            out.append(t.FoldingRange(start_line=run_start - 1, end_line=prev - 1, kind=t.FoldingRangeKind.Comment))
        run_start = prev = line if line is not None and _alone(snap, line) else None
    return sorted(out, key=lambda r: (r.start_line, r.end_line))


def _alone(snap: Snapshot, line: int) -> bool:
    return snap.lines.line(line - 1).lstrip().startswith("#")


def semantic_tokens(snap: Snapshot) -> list[int]:
    """The LSP encoding of every token: deltas of line and UTF-16 start,
    length, type, modifiers."""
    starts = {(o.span.line, o.span.column): o for o in snap.index.occurrences}
    found = []  # (line, column, end_column, type, modifiers), 1-based code points
    toks = list(_tokens(snap.text))
    options = _in_data_blocks(toks)
    for i, tok in enumerate(toks):
        kind = _LITERALS.get(tok.type)
        modifiers = 0
        if tok.type == "NAME":
            kind, modifiers = _name_type(snap, starts, toks, i, options)
        if kind is not None:
            found.append((tok.line, tok.column, tok.end_column, _TYPE[kind], modifiers))
    found += [(c.span.line, c.span.column, c.span.end_column, _TYPE["comment"], 0)
              for c in scan_comments(snap.text)]
    found.sort()
    data, last_line, last_start = [], 0, 0
    for line, column, end, kind, modifiers in found:
        (lsp_line, start), (_, stop) = snap.lines.to_lsp(line, column), snap.lines.to_lsp(line, end)
        delta_start = start - last_start if lsp_line == last_line else start
        data += [lsp_line - last_line, delta_start, stop - start, kind, modifiers]
        last_line, last_start = lsp_line, start
    return data


def _in_data_blocks(toks) -> set[int]:
    """The positions of the tokens inside a ``data`` block: its statements
    are options (``touchpoint COL`` there names a column, reference §12.2)."""
    inside: set[int] = set()
    blocks: list[bool] = []  # the open blocks, innermost last: whether each is a data block
    head = None  # the first word of the statement the token is in
    for i, tok in enumerate(toks):
        if i == 0 or toks[i - 1].type in ("_NL", "LBRACE", "RBRACE"):
            head = tok.value if tok.type == "NAME" else None
        if blocks and blocks[-1]:
            inside.add(i)
        if tok.type == "LBRACE":
            blocks.append(head == "data")
        elif tok.type == "RBRACE" and blocks:
            blocks.pop()
    return inside


def _name_type(snap: Snapshot, starts, toks, i, options: set[int]) -> tuple[str | None, int]:
    tok = toks[i]
    occ = starts.get((tok.line, tok.column))
    if occ is not None:
        kind, key = occ.symbol
        if kind == "node":
            kind = "struct" if key in snap.model.touchpoints else "namespace"
        else:
            kind = _SYMBOL_TYPE[kind]
        return kind, 1 if occ.definition else 0
    starts = i == 0 or toks[i - 1].type in ("_NL", "LBRACE", "RBRACE")
    if i and toks[i - 1].value == "journey" and (i == 1 or toks[i - 2].type in ("_NL", "LBRACE", "RBRACE")):
        return "namespace", 1  # the journey's ID
    if starts:
        return ("keyword" if tok.value in STATEMENT_KEYWORDS and i not in options else "property"), 0
    if i + 1 < len(toks) and toks[i + 1].type == "LPAR" and tok.value in FUNCTIONS:
        return "function", 0
    if tok.value in _INNER_KEYWORDS:
        return "keyword", 0
    return None, 0
