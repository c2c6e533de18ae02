"""The copis view: the COPIS matrix, and the SIPOC chain under ``sipoc``.

One row per touchpoint grouped by stage, one column per element of the
journey's framework. Values inherited from the stage or the journey are
grey; a missing element is a tinted cell that says so. The whole matrix is a
single HTML-like table, which Graphviz lays out in linear time.
"""

from __future__ import annotations

from copisdsl.data.figures import Figures
from copisdsl.semantic.model import ElementValue, Model, Touchpoint
from copisdsl.render import palette
from copisdsl.render.dot import FONT, INK, LINE, MUTED, PANEL, Graph, Html, text, wrapped

VALUE_WIDTH = 26  # characters per line in a cell
MAX_VALUES = 6
SIPOC_ORDER = ("supplier", "input", "process", "output", "customer")


def element_lines(values: list[ElementValue], width: int = VALUE_WIDTH, limit: int = MAX_VALUES) -> str:
    """An element's values as escaped label lines, bulleted when several."""
    shown = values[:limit]
    bullet = "• " if len(values) > 1 else ""
    lines = [bullet + wrapped(v.text, width, 3).replace("<BR/>", "<BR/>" + ("  " if bullet else ""))
             for v in shown]
    if len(values) > limit:
        lines.append(f"+{len(values) - limit} more")
    return "<BR/>".join(lines)


def _missing_cell() -> str:
    return (f'<TD BGCOLOR="{palette.MISSING_FILL}" ALIGN="LEFT"><FONT POINT-SIZE="10" '
            f'COLOR="{palette.MISSING_INK}"><I>missing</I></FONT></TD>')


def _value_cell(tp: Touchpoint, key: str) -> str:
    values = tp.elements.get(key) or []
    if not values:
        return _missing_cell()
    colour = INK if tp.element_origin.get(key, "touchpoint") == "touchpoint" else MUTED
    return (f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="10" COLOR="{colour}">'
            f'{element_lines(values)}</FONT></TD>')


def _touchpoint_cell(tp: Touchpoint) -> str:
    strong, tint = palette.emotion_colours(tp.emotion)
    return (f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP" BGCOLOR="{tint}"><FONT POINT-SIZE="11"><B>'
            f'{wrapped(tp.title, 22, 3)}</B></FONT><BR/><FONT POINT-SIZE="9" COLOR="{MUTED}">'
            f'{text(tp.id)}</FONT></TD>')


def matrix_table(model: Model) -> Html:
    """The COPIS matrix as an HTML-like table."""
    fw = model.framework
    columns = len(fw.keys) + 2
    head = "".join(f'<TD BGCOLOR="{PANEL}" ALIGN="LEFT"><FONT POINT-SIZE="11"><B>{text(label)}</B></FONT></TD>'
                   for label in fw.labels)
    rows = [f'<TR><TD COLSPAN="{columns}" ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="8"><FONT POINT-SIZE="16"><B>'
            f'{wrapped(model.title, 80, 2)}</B></FONT><BR/><FONT POINT-SIZE="10" COLOR="{MUTED}">'
            f'COPIS matrix · {text(fw.name)} framework · grey values are inherited from the stage or '
            f'journey</FONT></TD></TR>',
            f'<TR><TD BGCOLOR="{PANEL}" ALIGN="LEFT"><FONT POINT-SIZE="11"><B>Stage</B></FONT></TD>'
            f'<TD BGCOLOR="{PANEL}" ALIGN="LEFT"><FONT POINT-SIZE="11"><B>Touchpoint</B></FONT></TD>{head}</TR>']
    for stage in model.stages:
        stage_cell = (f'<TD ROWSPAN="{max(len(stage.touchpoints), 1)}" ALIGN="LEFT" VALIGN="TOP" '
                      f'BGCOLOR="{PANEL}"><FONT POINT-SIZE="11"><B>{wrapped(stage.title, 16, 4)}</B></FONT></TD>')
        if not stage.touchpoints:
            rows.append(f'<TR>{stage_cell}<TD COLSPAN="{columns - 1}" ALIGN="LEFT"><FONT POINT-SIZE="10" '
                        f'COLOR="{MUTED}"><I>no touchpoints</I></FONT></TD></TR>')
            continue
        for k, tp in enumerate(stage.touchpoints):
            cells = "".join(_value_cell(tp, key) for key in fw.keys)
            rows.append(f"<TR>{stage_cell if k == 0 else ''}{_touchpoint_cell(tp)}{cells}</TR>")
    return Html(f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="5" COLOR="{LINE}" '
                f'BGCOLOR="white">{"".join(rows)}</TABLE>')


def _chain_box(tp: Touchpoint, key: str, label: str) -> str:
    values = tp.elements.get(key) or []
    if values:
        body = f'<FONT POINT-SIZE="10">{element_lines(values, 20, 3)}</FONT>'
        fill = "white"
    else:
        body = f'<FONT POINT-SIZE="10" COLOR="{palette.MISSING_INK}"><I>missing</I></FONT>'
        fill = palette.MISSING_FILL
    return (f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP" BGCOLOR="{fill}" BORDER="1">'
            f'<FONT POINT-SIZE="9" COLOR="{MUTED}"><B>{text(label.upper())}</B></FONT><BR/>{body}</TD>')


def sipoc_table(model: Model) -> Html:
    """Supplier → Input → Process → Output → Customer, one row per touchpoint."""
    fw = model.framework
    arrow = f'<TD BORDER="0"><FONT POINT-SIZE="14" COLOR="{MUTED}">→</FONT></TD>'
    rows = [f'<TR><TD COLSPAN="10" BORDER="0" ALIGN="LEFT"><FONT POINT-SIZE="14"><B>SIPOC chain</B></FONT>'
            f'<FONT POINT-SIZE="10" COLOR="{MUTED}">  supplier to customer, per touchpoint</FONT></TD></TR>']
    for stage in model.stages:
        for tp in stage.touchpoints:
            boxes = arrow.join(_chain_box(tp, key, fw.label(key)) for key in SIPOC_ORDER)
            rows.append(f'<TR><TD BORDER="0" ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="11"><B>'
                        f'{wrapped(tp.title, 20, 3)}</B></FONT></TD>{boxes}</TR>')
    return Html(f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="5" COLOR="{LINE}">'
                f'{"".join(rows)}</TABLE>')


def matrix_dot(model: Model, figures: Figures | None = None) -> str:
    """The copis view as DOT (``dot`` engine)."""
    g = Graph(f"{model.id}_copis")
    g.defaults("graph", id="copis", rankdir="TB", fontname=FONT, pad=0.2, bgcolor="white", nodesep=0.3,
               ranksep=0.3)
    g.defaults("node", shape="plain", fontname=FONT, fontcolor=INK)
    g.node("matrix", id="copis_matrix", label=matrix_table(model))
    if model.framework.name == "sipoc":
        g.node("sipoc", id="copis_sipoc", label=sipoc_table(model))
        g.edge("matrix", "sipoc", style="invis")
    return g.source()
