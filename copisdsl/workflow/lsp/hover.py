"""Hover: what the journey says about the name under the cursor, with the
last figures (Markdown; everything the user wrote is escaped)."""

from __future__ import annotations

import re

from copisdsl.codes import BY_CODE
from copisdsl.render.format import format_target, format_value
from copisdsl.workflow.lsp.documents import Snapshot

_CODE = re.compile(r"\b[EW][0-9]{3}\b")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def md(text) -> str:
    """Text shown as Markdown, literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def fence(text: str, lang: str = "copis") -> str:
    """A fenced code block that no run of backticks in ``text`` can close."""
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def hover_text(snap: Snapshot, line: int, column: int) -> str | None:
    """The hover at a 1-based (line, column), or None."""
    code = _code_at(snap.lines.line(line - 1), column)
    if code is not None:
        return code
    occ = snap.index.at(line, column)
    if occ is None:
        return None
    kind, key = occ.symbol
    figures = snap.data.figures if snap.data is not None else None
    model = snap.model
    if kind == "node":
        tp = model.touchpoints.get(key)
        return _touchpoint(model, tp, figures, snap) if tp is not None else _stage(model.stage(key))
    if kind == "kpi":
        return _kpi(model.kpis[key], figures, snap)
    if kind == "persona":
        return _persona(model, model.personas[key], figures)
    if kind == "segment":
        return _segment(model.segments[key], figures, snap)
    if kind == "data":
        return _data(model.data[key])
    return None


def _code_at(text: str, column: int) -> str | None:
    for match in _CODE.finditer(text):
        if match.start() < column <= match.end() + 1 and match.group() in BY_CODE:
            info = BY_CODE[match.group()]
            return (f"**{info.code}** ({info.severity}): {info.title}\n\n{info.when}\n\n"
                    f"{fence(info.example)}\n\nFix: {info.fix}")
    return None


def _source(snap: Snapshot, span) -> str:
    lines = snap.lines
    start, end = lines.offset(span.line, span.column), lines.offset(span.end_line, span.end_column)
    return " ".join(snap.text[start:end].split())


def _kpi_value(kpi, figures) -> str:
    value = figures.kpi(kpi.index) if figures is not None else None
    if figures is None:
        return "not computed yet (figures are computed on open and save)"
    if value is None or value.value is None:
        return "no value" + (f" ({md(value.note)})" if value is not None and value.note else "")
    return format_value(value.value, kpi.kind)


def _touchpoint(model, tp, figures, snap) -> str:
    out = [f"**touchpoint** `{tp.id}` {md(tp.title)} (stage `{tp.stage}`)"]
    if tp.channel:
        out.append(f"channel: {md(tp.channel)}")
    out.append("")
    for key in model.framework.keys:
        values = tp.elements.get(key, [])
        origin = tp.element_origin.get(key, "touchpoint")
        mark = f" *(inherited from the {origin})*" if values and origin != "touchpoint" else ""
        shown = ", ".join(md(v.text) for v in values) or "*missing*"
        out.append(f"- {md(model.framework.label(key))}: {shown}{mark}")
    if tp.kpis:
        out += ["", "KPIs:"]
        out += [f"- `{k.name}` = {_kpi_value(k, figures)}" for k in tp.kpis]
    if tp.objectives:
        out += ["", "Objectives:"]
        for o in tp.objectives:
            status = figures.objectives.get(o.index) if figures is not None else None
            target = f" to {format_target(o.target, o.target_text, None)}" if o.target is not None else ""
            how = f" ({o.direction} {o.metric}{target})" if o.direction else ""
            state = f": **{status.status.replace('_', ' ')}**" if status is not None and status.status else ""
            inherited = f" *(from the {o.scope_kind})*" if o.scope_kind != "touchpoint" else ""
            out.append(f"- {md(o.text)}{md(how)}{state}{inherited}")
    return "\n".join(out)


def _stage(stage) -> str:
    ids = ", ".join(f"`{tp.id}`" for tp in stage.touchpoints) or "none"
    return f"**stage** `{stage.id}` {md(stage.title)}\n\ntouchpoints: {ids}"


def _kpi(kpi, figures, snap) -> str:
    out = [f"**KPI** `{kpi.name}` ({kpi.scope_kind} `{kpi.scope}`)", "",
           fence(f"kpi {kpi.name} = {_source(snap, kpi.expr.span)}"),
           f"- value: {_kpi_value(kpi, figures)}", f"- kind: {kpi.kind}"]
    if kpi.baseline is not None:
        out.append(f"- baseline: {format_value(kpi.baseline, kpi.kind)}")
    figure = figures.kpi(kpi.index) if figures is not None else None
    if figure is not None and figure.by_segment:
        out += ["", "By segment:"] + [f"- `{seg}`: {format_value(value, figure.kind)}"
                                      for seg, value in figure.by_segment.items()]
    return "\n".join(out)


def _portfolio(figures, segment_id: str | None) -> list[str]:
    clv = figures.clv if figures is not None else None
    row = next((s for s in clv.segments if s.id == segment_id), None) if clv is not None else None
    if row is None:
        return []
    return ["", "Portfolio:", f"- customers: {row.customers} ({format_value(row.share, 'rate')})",
            f"- revenue: {format_value(row.revenue, 'money')}",
            f"- CLV: {format_value(row.clv_total, 'money')} total, {format_value(row.clv_mean, 'money')} mean "
            f"({format_value(row.clv_share, 'rate')} of all)"]


def _persona(model, persona, figures) -> str:
    out = [f"**persona** `{persona.id}` {md(persona.title)}"]
    if persona.segment:
        out.append(f"segment: `{persona.segment}`")
    for what in ("needs", "pains", "goals"):
        if getattr(persona, what):
            out.append(f"- {what}: " + ", ".join(md(v) for v in getattr(persona, what)))
    return "\n".join(out + _portfolio(figures, persona.segment))


def _segment(segment, figures, snap) -> str:
    when = f"when {_source(snap, segment.condition.span)}" if segment.condition is not None else "every other customer"
    out = [f"**segment** `{segment.id}` {md(segment.title)}", "", fence(when)]
    return "\n".join(out + _portfolio(figures, segment.id))


def _data(data) -> str:
    kind = f" (kind {data.kind})" if data.kind else ""
    return f"**data** `{data.id}`{kind}: `{data.path.replace('`', '')}`"
