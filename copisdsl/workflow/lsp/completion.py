"""Completion by context: statement keywords where a statement starts
(only those allowed in the block, reference sections 4 and 11), element
keys, IDs where a reference stands, data columns after ``DATA.``, and
functions with their signatures."""

from __future__ import annotations

import re

from lsprotocol import types as t

from copisdsl.language import CLV_MODELS, FUNCTIONS, SEGMENT_VARIABLES
from copisdsl.language import BUILTIN, DEFAULT, STATEMENT_KEYWORDS
from copisdsl.semantic.options import CLV_SETTINGS, DATA_OPTIONS
from copisdsl.semantic.placement import PLACES, SUPPORT_PLACES
from copisdsl.semantic.symbols import PERSONA_KEYS
from copisdsl.syntax import nodes as n
from copisdsl.workflow.lsp.columns import header_columns
from copisdsl.workflow.lsp.context import Context
from copisdsl.workflow.lsp.documents import uri_path

# The node each statement keyword makes (its places are the resolver's PLACES).
_NODE_OF = {keyword: cls for cls, keyword in n._KEYWORDS.items()}
_NODE_OF.update({"owner": n.Meta, "description": n.Meta, "tags": n.Meta,
                 "moment_of_truth": n.Marker, "repurchase": n.Marker, "fail_point": n.Marker,
                 "pain": n.Note, "opportunity": n.Note, "evidence": n.Note, "frontstage": n.Note,
                 "backstage": n.Note, "support": n.Note})
_BLOCK_WORDS = {"journey", "stage", "touchpoint", "persona"}

# The values some options take (the resolver's messages list the same).
OPTION_VALUES = {("data", "kind"): ("transactions", "events"), ("clv", "model"): CLV_MODELS,
                 ("clv", "unit"): ("day", "week")}


def keywords_allowed(block: str) -> list[str]:
    """The statement keywords that may start a statement in ``block``
    (``file``, ``journey``, ``stage`` or ``touchpoint``), in the reference's order."""
    return [k for k in STATEMENT_KEYWORDS if k in _NODE_OF and block in _places(k)]


def _places(keyword: str) -> tuple[str, ...]:
    """Where a statement keyword may stand, as the resolver places it."""
    return SUPPORT_PLACES if keyword == "support" else PLACES[_NODE_OF[keyword]]


def signature(name: str) -> str:
    """A function's call as the reference writes it."""
    shape = FUNCTIONS[name][0]
    return {"column": f"{name}(DATA.COLUMN [where ...])", "pair": f"{name}(a, b)",
            "tx": f"{name}(TX)", "tx_window": f"{name}(TX[, DURATION])"}[shape]


def _item(label, kind, detail=None, doc=None, insert=None, snippet=False) -> t.CompletionItem:
    return t.CompletionItem(
        label=label, kind=kind, detail=detail,
        documentation=t.MarkupContent(t.MarkupKind.Markdown, doc) if doc else None,
        insert_text=insert,
        insert_text_format=t.InsertTextFormat.Snippet if snippet else None)


def complete(ctx: Context, model, uri: str) -> list[t.CompletionItem]:
    """The completion items at a context; ``model`` is the last resolved
    one of the document (None when it never parsed)."""
    if ctx.in_string or ctx.in_comment:
        return []
    stmt = ctx.statement
    fw = model.framework if model is not None else DEFAULT
    if re.fullmatch(r"[A-Za-z0-9_]*", stmt):
        return _statement_start(ctx, fw)
    first = stmt.split(None, 1)[0]
    block = ctx.block
    if first == "kpi" and "=" in stmt:
        return _expression(stmt.split("=", 1)[1], ctx, model, uri)
    if first == "segment" and re.search(r"\bwhen\b", stmt):
        return [_item(v, t.CompletionItemKind.Variable, "per-customer variable") for v in SEGMENT_VARIABLES]
    if model is None:
        return []
    if re.search(r'^objective\s+"(?:[^"\\]|\\.)*"\s+(?:increase|decrease|maintain)\s+\w*$', stmt) \
            or first == "tradeoff":
        return _kpis(model, ctx)
    if first == "flow":
        return _nodes(model)
    if first == "framework" and block == "journey":
        return [_item(f.name, t.CompletionItemKind.Enum, f.description) for f in BUILTIN.values()]
    if first == "segment" and block == "persona":
        return [_item(s.id, t.CompletionItemKind.Class, s.title) for s in model.segments.values()]
    if first == fw.customer_key and block in ("journey", "stage", "touchpoint"):
        return [_item(p.id, t.CompletionItemKind.Class, p.title) for p in model.personas.values()]
    if first == "channel":
        used = sorted({tp.channel for tp in model.touchpoints.values() if tp.channel})
        return [_item(c, t.CompletionItemKind.Value, "a channel of this journey") for c in used]
    values = OPTION_VALUES.get((block, first))
    if values:
        return [_item(v, t.CompletionItemKind.EnumMember) for v in values]
    return []


def _statement_start(ctx: Context, fw) -> list[t.CompletionItem]:
    block = ctx.block
    if block == "persona":
        return [_item(k, t.CompletionItemKind.Keyword) for k in ("segment", *PERSONA_KEYS, "description")]
    if block == "data":
        return [_item(k, t.CompletionItemKind.Property, "data option") for k in DATA_OPTIONS]
    if block == "clv":
        return [_item(k, t.CompletionItemKind.Property, "CLV setting") for k in CLV_SETTINGS]
    if block not in ("file", "journey", "stage", "touchpoint"):
        return []
    items = [_item(k, t.CompletionItemKind.Keyword, f"statement ({block})",
                   insert=f'{k} ${{1:id}} "${{2:Title}}" {{\n\t$0\n}}' if k in _BLOCK_WORDS else None,
                   snippet=k in _BLOCK_WORDS)
             for k in keywords_allowed(block)]
    if block != "file":
        keywords = {i.label for i in items}
        items += [_item(key, t.CompletionItemKind.Field, f"element: {fw.label(key)} ({fw.name})")
                  for key in fw.keys if key not in keywords]
    return items


def _nodes(model) -> list[t.CompletionItem]:
    items = []
    for stage in model.stages:
        items.append(_item(stage.id, t.CompletionItemKind.Module, f"stage: {stage.title}"))
        items += [_item(tp.id, t.CompletionItemKind.Function, f"touchpoint: {tp.title} ({stage.id})")
                  for tp in stage.touchpoints]
    return items


def _kpis(model, ctx: Context, everywhere: bool = True) -> list[t.CompletionItem]:
    """The KPIs visible from the cursor's scope, nearest first; with
    ``everywhere`` then the rest (an objective may be measured by any)."""
    scope = ctx.scope()
    chain = model.kpi_chain(*scope) if scope and _known_scope(model, scope) else [("journey", model.id)]
    seen, items = set(), []
    for kind, sid in chain:
        for kpi in model.kpis_in(kind, sid):
            if kpi.name not in seen:
                seen.add(kpi.name)
                items.append(_item(kpi.name, t.CompletionItemKind.Variable, f"KPI ({kind} {sid}, {kpi.kind})"))
    for kpi in model.kpis if everywhere else ():
        if kpi.name not in seen:
            seen.add(kpi.name)
            items.append(_item(kpi.name, t.CompletionItemKind.Variable, f"KPI ({kpi.scope_kind} {kpi.scope})"))
    return items


def _known_scope(model, scope) -> bool:
    kind, sid = scope
    return sid in model.touchpoints if kind == "touchpoint" else model.stage(sid) is not None


def _expression(expr: str, ctx: Context, model, uri: str) -> list[t.CompletionItem]:
    column = re.search(r"([A-Za-z_]\w*)\.(\w*)$", expr)
    if column:
        return _columns(model, column.group(1), uri)
    where = list(re.finditer(r"([A-Za-z_]\w*)\.\w+\s+where\b", expr))
    if where and re.search(r"(?:\bwhere|\band|\bor|\()\s*\w*$", expr[where[-1].end() - 5:]):
        return _columns(model, where[-1].group(1), uri)
    call = re.search(r"([A-Za-z_]\w*)\(\s*\w*$", expr)
    if call and call.group(1) in FUNCTIONS and FUNCTIONS[call.group(1)][0].startswith("tx") and model:
        data = sorted(model.data.values(), key=lambda d: not d.is_transactions)
        return [_item(d.id, t.CompletionItemKind.Reference, f"data: {d.path}" + (" (transactions)" if d.is_transactions else ""))
                for d in data]
    items = [_item(name, t.CompletionItemKind.Function, signature(name), f"value: {kind}",
                   insert=f"{name}($1)", snippet=True) for name, (_, kind) in FUNCTIONS.items()]
    if model is not None:
        items += _kpis(model, ctx, everywhere=False)
        items += [_item(d.id, t.CompletionItemKind.Reference, f"data: {d.path}") for d in model.data.values()]
    return items


def _columns(model, data_id: str, uri: str) -> list[t.CompletionItem]:
    path = uri_path(uri)
    if model is None or path is None or data_id not in model.data:
        return []
    data = model.data[data_id]
    folder = path.resolve().parent
    target = (folder / data.path).resolve()
    if not target.is_relative_to(folder):  # the root rule of section 7: never read outside
        return []
    return [_item(c, t.CompletionItemKind.Field, f"column of {data.path}")
            for c in header_columns(target, data.delimiter)]
