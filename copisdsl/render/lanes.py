"""Drawings laid out by us and drawn by Graphviz: the lane views.

The ``map`` and ``blueprint`` views are grids (stage or touchpoint columns,
lanes as rows aligned across them). Graphviz cannot align rows of separate
nodes, so we place every box ourselves and hand ``neato -n2`` a graph in
which each node has its position and a fixed size: the DOT that
``copis render --format dot`` writes is exactly what is drawn.

Sizes come from ``measure``, a conservative estimate of Liberation Sans /
Helvetica widths (the fonts Graphviz and browsers use for ``Helvetica``);
text is wrapped to fit, so a table keeps the size it was given. All
coordinates here are points, with y growing downwards; ``Canvas`` turns
them into Graphviz's y-up positions.
"""

from __future__ import annotations

import unicodedata

from copisdsl.render.dot import FONT, INK, Graph, Html, text

ENGINE = "neato"
ENGINE_ARGS = ("-n2",)
LINE_HEIGHT = 1.2  # times the font size; Graphviz uses about 1.1 for Liberation Sans
ARROW = 6.0  # points: an arrowhead at arrowsize 0.6
MIN_FONT = 9  # points: 12 px at 1:1, above the 11 px floor of the report
PILL_MARGIN = 4.0  # points each side of a marker pill's label
# Points above and below a pill's label: with 1, the capitals of the browser's
# font touched the pill's top edge (Graphviz sets the baseline by its own metrics).
PILL_PAD = 2
PILL_ROW = MIN_FONT * LINE_HEIGHT + 2 * PILL_PAD + 4  # a row of pills: the label, its padding, the spacing

# Advance widths of ' ' .. '~' in thousandths of an em, as Graphviz 2.43
# measures Helvetica (measured at 100 pt; wider than the browsers' fonts, so
# what fits Graphviz's table fits the page). Other characters count 1 em,
# wide East Asian ones and emoji 1.25 em.
_REGULAR = [int(v) for v in """
377 398 458 840 638 953 781 278 390 390 503 840 316 361 316 338 638 638 638 638 638 638 638 638 638
638 338 338 840 840 840 533 998 712 683 698 773 631 578 773 750 293 293 653 556 863 750 788 601 788
698 638 593 736 683 991 683 608 683 390 338 390 840 503 503 615 638 548 638 615 345 638 638 278 278
578 278 975 638 615 638 638 391 518 390 638 593 818 593 593 525 638 338 638 840""".split()]
_BOLD = [int(v) for v in """
413 458 518 840 698 1006 871 308 458 458 525 840 383 413 383 368 698 698 698 698 698 698 698 698 698
698 398 398 840 840 840 578 998 773 766 736 833 683 683 818 840 376 376 773 638 998 840 848 736 848
773 677 704 811 773 1103 773 728 728 458 368 458 840 503 503 676 713 593 713 676 406 713 713 345 345
668 345 1043 713 691 713 713 496 593 480 713 653 923 646 653 586 713 368 713 840""".split()]


# the same widths in em, by character: measure() runs for every word of every label
_EM = {False: {chr(32 + k): v / 1000 for k, v in enumerate(_REGULAR)},
       True: {chr(32 + k): v / 1000 for k, v in enumerate(_BOLD)}}


def _em(ch: str, bold: bool) -> float:
    known = _EM[bold].get(ch)
    if known is not None:
        return known
    if unicodedata.category(ch).startswith("M"):
        return 0.0
    return 1.25 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.0


def measure(value: str, size: float, bold: bool = False) -> float:
    """The estimated width of ``value`` in points at ``size`` points."""
    table = _EM[bold]
    # Graphviz adds a point each side
    return sum(table[ch] if ch in table else _em(ch, bold) for ch in value) * size + 2


#: the longest word ``fit`` measures whole (longer ones no line holds anyway)
_LONG_WORD = 1_000


def fit(value: str, width: float, size: float, *, bold: bool = False, max_lines: int | None = None) -> list[str]:
    """``value`` wrapped into lines that fit ``width`` points (words longer
    than a line are split); cut with an ellipsis after ``max_lines``."""
    lines: list[str] = []
    for part in " ".join(value.replace("\r", "\n").split("\n")).split(" ") or [""]:
        if max_lines is not None and len(lines) > max_lines:
            break  # what follows is cut off anyway
        if not part:
            continue
        candidate = f"{lines[-1]} {part}" if lines else part
        if len(candidate) <= _LONG_WORD and lines and measure(candidate, size, bold) <= width:
            lines[-1] = candidate
            continue
        # A long word is cut where its prefix stops fitting, not measured
        # whole after every cut (that took time growing with its square).
        while len(part) > _LONG_WORD or measure(part, size, bold) > width:
            cut = max(1, _longest_prefix(part, width, size, bold))
            if cut >= len(part):
                break
            lines.append(part[:cut])
            part = part[cut:]
            if max_lines is not None and len(lines) > max_lines:
                break
        if part:
            lines.append(part)
    lines = lines or [""]
    if max_lines is not None and len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and measure(last + "\u2026", size, bold) > width:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last.rstrip() + "\u2026"]
    return lines


def _longest_prefix(word: str, width: float, size: float, bold: bool) -> int:
    used = 0.0
    for k, ch in enumerate(word):
        used += _em(ch, bold) * size
        if used + 2 > width:
            return k
    return len(word)


def height(lines: int, size: float) -> float:
    """The height of ``lines`` lines of text at ``size`` points."""
    return lines * size * LINE_HEIGHT


def font(lines: list[str], size: float, colour: str = INK, *, bold: bool = False) -> str:
    """Escaped lines as label markup, left-aligned, one ``<BR/>`` apart."""
    body = '<BR ALIGN="LEFT"/>'.join(text(line) for line in lines)
    if bold:
        body = f"<B>{body}</B>"
    return f'<FONT POINT-SIZE="{size:g}" COLOR="{colour}">{body}</FONT>'


def num(value: float) -> str:
    """A coordinate or size as written in DOT: at most two decimals."""
    shown = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if shown == "-0" else shown


class Canvas:
    """A drawing of fixed boxes, lines and text blocks, as DOT for
    ``neato -n2``. ``width`` × ``height`` points, y down."""

    def __init__(self, name: str, graph_id: str, width: float, height: float) -> None:
        self.height = height
        self.graph = Graph(name)
        self.graph.defaults("graph", id=graph_id, bgcolor="white", pad=0.15, outputorder="edgesfirst",
                            bb=f"0,0,{num(width)},{num(height)}", fontname=FONT)
        self.graph.defaults("node", shape="plain", fontname=FONT, fontcolor=INK)
        self.graph.defaults("edge", arrowhead="none", fontname=FONT)
        self._count = 0

    def _pos(self, x: float, y: float) -> str:
        return f"{num(x)},{num(self.height - y)}"

    def _id(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def rect(self, node_id: str, x: float, y: float, w: float, h: float, fill: str, border: str | None = None,
             *, dashed: bool = False) -> None:
        """A filled box with its top-left corner at (x, y)."""
        items: dict[str, object] = dict(
            id=node_id, shape="box", fixedsize=True, width=round(w / 72, 4), height=round(h / 72, 4),
            style="filled,dashed" if dashed else "filled", fillcolor=fill, color=border or fill,
            penwidth=1 if border else 0, label="", pos=self._pos(x + w / 2, y + h / 2))
        self.graph.node(node_id, **items)

    def block(self, node_id: str, x: float, y: float, w: float, h: float, cells: str, used: float, *,
              fill: str | None = None, border: str | None = None, inset: float = 0.0) -> None:
        """A fixed ``w`` × ``h`` table at (x, y) holding ``cells`` (rows of
        label markup, ``used`` points tall) at its top, ``inset`` points in."""
        frame = f' BGCOLOR="{fill}"' if fill else ""
        edge = f'BORDER="1" COLOR="{border}"' if border else 'BORDER="0"'
        # A fixed cell stretches what it holds; a filler row below keeps the
        # content at the top (VALIGN does not apply to a nested table).
        filler = h - used - 2 * inset - (2 if border else 0)
        rest = f'<TR><TD HEIGHT="{num(filler)}"></TD></TR>' if filler >= 0.5 else ""
        # WIDTH and HEIGHT are minimums, not FIXEDSIZE: text wider than the
        # estimate grows its box (and may touch a neighbour) instead of
        # making Graphviz abort on content larger than a fixed table.
        label = (f'<TABLE WIDTH="{num(w)}" HEIGHT="{num(h)}" {edge} CELLBORDER="0" '
                 f'CELLSPACING="0" CELLPADDING="0"{frame}><TR><TD ALIGN="LEFT" BALIGN="LEFT" '
                 f'CELLPADDING="{num(inset)}"><TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">{cells}'
                 f'</TABLE></TD></TR>{rest}</TABLE>')
        self.graph.node(node_id, id=node_id, label=Html(label), pos=self._pos(x + w / 2, y + h / 2))

    def panel(self, panel_id: str, x: float, y: float, w: float, h: float, fill: str) -> None:
        """A filled background box under every line and node (a cluster)."""
        self.graph.open(f"cluster_{panel_id}", id=panel_id, bb=f"{num(x)},{num(self.height - y - h)},"
                        f"{num(x + w)},{num(self.height - y)}", style="filled", fillcolor=fill, color=fill,
                        label="")
        self.graph.node(f"{panel_id}_anchor", shape="point", style="invis", width=0.01, label="",
                        pos=self._pos(x + w / 2, y + h / 2))
        self.graph.close()

    def dot(self, node_id: str, x: float, y: float, diameter: float, ring: str, fill: str, label: str = "") -> None:
        """A circle centred on (x, y): a ``ring`` colour around a light
        ``fill`` that carries a short label in ink (white on the saturated
        colours would fall under 4.5:1)."""
        items: dict[str, object] = dict(
            id=node_id, shape="circle", fixedsize=True, width=round(diameter / 72, 4), style="filled",
            fillcolor=fill, color=ring, penwidth=2.5, label=label, fontsize=MIN_FONT, fontcolor=INK,
            pos=self._pos(x, y))
        self.graph.node(node_id, **items)

    def point(self, x: float, y: float) -> str:
        """An invisible anchor for a line; its node id."""
        node_id = self._id("pt")
        self.graph.node(node_id, shape="point", style="invis", width=0.01, label="", pos=self._pos(x, y))
        return node_id

    def line(self, edge_id: str, start: tuple[float, float, str], end: tuple[float, float, str], colour: str,
             *, width: float = 1.0, dashed: bool = False, arrow: bool = False) -> None:
        """A straight line between two nodes' points (x, y, node id)."""
        a, b = self._pos(start[0], start[1]), self._pos(end[0], end[1])
        items: dict[str, object] = dict(id=edge_id, color=colour, penwidth=width, pos=f"{a} {a} {b} {b}")
        if dashed:
            items["style"] = "dashed"
        if arrow:
            # the spline stops where the arrowhead (6 pt at arrowsize 0.6) starts
            dx, dy = end[0] - start[0], end[1] - start[1]
            length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
            cut = min(ARROW, length / 2)
            c = self._pos(end[0] - dx / length * cut, end[1] - dy / length * cut)
            items.update(arrowhead="normal", arrowsize=0.6, pos=f"e,{b} {a} {a} {c} {c}")
        self.graph.edge(start[2], end[2], **items)

    def rule(self, edge_id: str, x1: float, x2: float, y: float, colour: str, *, width: float = 1.0,
             dashed: bool = False) -> None:
        """A horizontal line from x1 to x2 at height y."""
        self.line(edge_id, (x1, y, self.point(x1, y)), (x2, y, self.point(x2, y)), colour, width=width,
                  dashed=dashed)

    def source(self) -> str:
        return self.graph.source()


def row(markup: str, *, pad_top: float = 0, bgcolor: str | None = None) -> str:
    """One row of a block: a left-aligned cell."""
    extra = f' BGCOLOR="{bgcolor}"' if bgcolor else ""
    top = f'<TR><TD HEIGHT="{num(pad_top)}"></TD></TR>' if pad_top else ""
    return f'{top}<TR><TD ALIGN="LEFT" BALIGN="LEFT"{extra}>{markup}</TD></TR>'


def pill_width(label: str, size: float) -> float:
    """A marker pill's width: its bold label and a margin each side."""
    return measure(label, size, bold=True) + 2 * PILL_MARGIN


def pill_cell(label: str, colour: str, size: float, extra: str = "") -> str:
    """A marker pill: a cell of ``colour`` with its label in white bold.

    The margins are the cell's width, not spaces around the label: a browser
    drops an SVG text's leading space, which put the label against the
    pill's left edge. Graphviz places the label in the cell."""
    return (f'<TD BGCOLOR="{colour}"{extra} WIDTH="{num(pill_width(label, size))}"><FONT POINT-SIZE="{size:g}" '
            f'COLOR="white"><B>{text(label)}</B></FONT></TD>')


def pills(items: list[tuple[str, str]], width: float, size: float = MIN_FONT) -> tuple[list[str], int]:
    """Marker pills (label, colour) in rows that fit ``width``: the rows'
    markup and how many rows."""
    rows: list[list[str]] = []
    used = width
    for label, colour in items:
        need = pill_width(label, size) + 3
        if used + need > width:
            rows.append([])
            used = 0.0
        rows[-1].append(pill_cell(label, colour, size, f' CELLPADDING="{PILL_PAD}"'))
        used += need
    return [f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLSPACING="2" CELLPADDING="0"><TR>{"".join(r)}'
            f'</TR></TABLE></TD></TR>' for r in rows], len(rows)
