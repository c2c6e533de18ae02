"""Quick fixes (code actions) for the diagnostics of a document."""

from __future__ import annotations

import re

from lsprotocol import types as t

from copisdsl.workflow.lsp.context import quoting
from copisdsl.workflow.lsp.documents import Snapshot

_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'\?")
_IGNORE = re.compile(r"#\s*copis:\s*ignore\[([A-Z0-9, ]*)\]")
# Warnings of a marked place without a KPI: a stub KPI below the marker fixes them.
NEEDS_KPI = {"W303": "moment of truth", "W308": "fail point"}
INDENT = "  "


def _edit(uri: str, title: str, diag: t.Diagnostic, edits: list[t.TextEdit], preferred=False) -> t.CodeAction:
    return t.CodeAction(title=title, kind=t.CodeActionKind.QuickFix, diagnostics=[diag],
                        is_preferred=preferred or None,
                        edit=t.WorkspaceEdit(changes={uri: edits}))


def code_actions(snap: Snapshot, diagnostics: list[t.Diagnostic]) -> list[t.CodeAction]:
    """The fixes for the diagnostics the editor sends (those under the cursor)."""
    out = []
    for diag in diagnostics:
        if diag.source not in (None, "copis"):
            continue
        code = str(diag.code or "")
        hint = (diag.data or {}).get("hint") if isinstance(diag.data, dict) else None
        match = _DID_YOU_MEAN.search(hint or diag.message)
        if match:
            out.append(_edit(snap.uri, f"Change to '{match.group(1)}'", diag,
                             [t.TextEdit(diag.range, match.group(1))], preferred=True))
        if code == "W300":
            action = _skeleton(snap, diag)
            if action:
                out.append(action)
        if code in NEEDS_KPI:
            action = _kpi_stub(snap, diag, NEEDS_KPI[code])
            if action:
                out.append(action)
        if diag.severity == t.DiagnosticSeverity.Warning and code:
            out.append(_ignore(snap, diag, code))
    return out


def _indent_of(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _touchpoint_at(snap: Snapshot, diag: t.Diagnostic):
    model = snap.model
    if model is None:
        return None
    line = diag.range.start.line + 1
    return next((tp for tp in model.touchpoints.values() if tp.node.head.line == line), None)


def _skeleton(snap: Snapshot, diag: t.Diagnostic) -> t.CodeAction | None:
    """The missing elements of a touchpoint, as statements to fill in,
    before its closing brace."""
    tp = _touchpoint_at(snap, diag)
    if tp is None:
        return None
    fw = snap.model.framework
    missing = [k for k in fw.keys if k not in tp.elements]
    if not missing:
        return None
    end = tp.node.span
    close_line = snap.lines.line(end.end_line - 1)
    if end.end_line == tp.node.head.line:  # a one-line touchpoint: statements before its '}'
        pos = snap.lines.to_lsp(end.end_line, end.end_column - 1)
        text = "".join(f"; {k} \"TODO\"" for k in missing) + " "
    else:
        indent = _indent_of(close_line) + INDENT
        pos = (end.end_line - 1, 0)
        text = "".join(f'{indent}{k} "TODO"\n' for k in missing)
    position = t.Position(*pos)
    return _edit(snap.uri, f"Add the missing elements ({', '.join(missing)})", diag,
                 [t.TextEdit(t.Range(position, position), text)])


def _kpi_stub(snap: Snapshot, diag: t.Diagnostic, what: str) -> t.CodeAction | None:
    """A KPI to fill in, on the line after the marker."""
    model = snap.model
    if model is None:
        return None
    tp = next((tp for tp in model.touchpoints.values()
               if tp.node.span.line <= diag.range.start.line + 1 <= tp.node.span.end_line), None)
    if tp is None:
        return None
    name = f"{tp.id}_kpi"
    taken = {k.name for k in tp.kpis}
    suffix = 2
    while name in taken:
        name, suffix = f"{tp.id}_kpi{suffix}", suffix + 1
    line = diag.range.start.line
    indent = _indent_of(snap.lines.line(line))
    position = t.Position(line + 1, 0)
    text = f"{indent}kpi {name} = 0  # TODO: measure the {what} from data, e.g. ratio(sum(d.ok), sum(d.all))\n"
    return _edit(snap.uri, f"Add a KPI for this {what}", diag, [t.TextEdit(t.Range(position, position), text)])


def _ignore(snap: Snapshot, diag: t.Diagnostic, code: str) -> t.CodeAction:
    """``# copis: ignore[CODE]`` at the end of the diagnostic's line, or the
    code added to the suppression already there."""
    line = diag.range.start.line
    text = snap.lines.line(line)
    existing = _IGNORE.search(text)
    if existing and not quoting(text[: existing.start()])[0]:
        codes = [c.strip() for c in existing.group(1).split(",") if c.strip()]
        new = f"# copis: ignore[{', '.join(codes + [code])}]"
        start, end = snap.lines.to_lsp(line + 1, existing.start() + 1), snap.lines.to_lsp(line + 1, existing.end() + 1)
        edit = t.TextEdit(t.Range(t.Position(*start), t.Position(*end)), new)
    else:
        comment = _comment_start(text)
        if comment is None:
            at = snap.lines.to_lsp(line + 1, len(text.rstrip()) + 1)
            edit = t.TextEdit(t.Range(t.Position(*at), t.Position(line, snap.lines.to_lsp(line + 1, len(text) + 1)[1])),
                              f"  # copis: ignore[{code}]")
        else:  # before the comment already there, which goes on after it
            at = t.Position(*snap.lines.to_lsp(line + 1, comment + 1))
            edit = t.TextEdit(t.Range(at, at), f"# copis: ignore[{code}] ")
    return _edit(snap.uri, f"Ignore {code} on this line", diag, [edit])


def _comment_start(text: str) -> int | None:
    """The index of the '#' that starts a comment on a line, if any."""
    for i, ch in enumerate(text):
        if ch == "#" and quoting(text[:i]) == (False, False):
            return i
    return None
