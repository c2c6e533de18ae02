"""A ``JourneyDiff`` as terminal text or as Markdown for a pull request.

Both list the changes grouped (journey, stages, touchpoints, ...) with a
marker per change: ``+`` added, ``-`` removed, ``~`` renamed or changed,
and under a changed entity one line per property, ``old → new``. In
Markdown, identifiers and values are code spans and titles are escaped
text, so nothing a user wrote can turn into markup, a link or a mention.
"""

from __future__ import annotations

import re

from copisdsl.workflow.diff import GROUPS, Change, JourneyDiff

__all__ = ["format_markdown", "format_text", "md_code", "md_escape", "summary"]

MARKERS = {"added": "+", "removed": "-", "renamed": "~", "changed": "~"}
_COLORS = {"added": "32", "removed": "31", "renamed": "33", "changed": "33"}
NONE = "(none)"


def summary(diff: JourneyDiff) -> str:
    """``2 added, 1 changed`` (kinds without changes left out), or
    ``no differences``."""
    parts = [f"{count} {kind}" for kind, count in diff.counts().items() if count]
    return ", ".join(parts) if parts else "no differences"


def _where(where: tuple[str, str] | None, code=lambda s: s) -> str:
    if where is None:
        return ""
    kind, ident = where
    return " in the journey" if kind == "journey" else f" in {kind} {code(ident)}"


def _line(c: Change, code=lambda s: s, text=lambda s: s) -> str:
    out = c.what
    if c.name is not None:
        out += f" {code(c.name)}"
    if c.title is not None:
        out += f" {text(c.title)}"
    out += _where(c.where, code)
    if c.detail is not None and not c.fields:
        out += f": {code(c.detail)}"
    if c.old_name is not None:
        out += f" (renamed from {code(c.old_name)})"
    return out


def format_text(diff: JourneyDiff, old_label: str, new_label: str, color: bool = False) -> str:
    """The diff for a terminal; ANSI colours with ``color``."""

    def paint(code: str, s: str) -> str:
        return f"\x1b[{code}m{s}\x1b[0m" if color else s

    lines = [paint("1", f"{old_label} → {new_label}: {summary(diff)}")]
    for group, changes in diff.by_group():
        lines.append(paint("1", GROUPS[group]))
        for c in changes:
            lines.append("  " + paint(_COLORS[c.kind], f"{MARKERS[c.kind]} {_line(c)}"))
            for f in c.fields:
                old = paint("31", f.old if f.old is not None else NONE)
                new = paint("32", f.new if f.new is not None else NONE)
                lines.append(f"      {f.name}: {old} → {new}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ markdown

# Backslash escapes for the ASCII punctuation Markdown (CommonMark and
# GitHub's extensions: tables, strikethrough, emoji) may read as syntax
# inside a line ('-', '+', '.' matter only where a line starts, and escaped
# text never starts one); HTML's own characters and '@' (a GitHub mention)
# become character references.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#|~:!])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;"}


def md_escape(text: str) -> str:
    """``text`` as literal Markdown text (one line)."""
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))
    return "".join(_MD_ENTITIES.get(ch, ch) for ch in text)


def md_code(text: str) -> str:
    """``text`` as a code span, fenced with more backticks than it holds."""
    text = " ".join(text.splitlines())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def format_markdown(diff: JourneyDiff, old_label: str, new_label: str) -> str:
    """The diff as Markdown for a pull-request comment."""
    lines = [f"#### {md_code(old_label)} → {md_code(new_label)}", "", f"_{summary(diff)}_"]
    for group, changes in diff.by_group():
        lines += ["", f"**{GROUPS[group]}**", ""]
        for c in changes:
            lines.append(f"- **{c.kind}** {_line(c, md_code, md_escape)}")
            for f in c.fields:
                old = md_code(f.old) if f.old is not None else f"_{NONE}_"
                new = md_code(f.new) if f.new is not None else f"_{NONE}_"
                lines.append(f"  - {md_escape(f.name)}: {old} → {new}")
    return "\n".join(lines) + "\n"
