"""A journey as a Mermaid ``journey`` diagram (``copis export --format mermaid``).

Lossy but valid, so that a journey renders natively wherever Mermaid does
(GitHub, GitLab, many docs themes)::

    journey
      title <journey title>
      section <stage title>
        <touchpoint title>: <score>: <actor>, <actor>

The score is the touchpoint's ``emotion`` (1 worst .. 5 best, the same scale
as Mermaid's), ``DEFAULT_SCORE`` (3, neutral) when it has none. The actors
are the values of the framework's customer-like element (``customer`` or
``people``) after defaults: a persona by its title, text as written; a task
without any has no actor list. Everything else (elements, KPIs, flows,
moments of truth) has no place in Mermaid's journey and is left out.

Mermaid's journey lexer ends a name at ``:``, a line at ``;``, starts a
comment at ``#`` and ``%%``, and splits actors at ``,``. So user text is
cleaned where it lands (``clean``): line breaks, tabs and runs of spaces
become one space, leading and trailing spaces go, and the characters a line
form cannot hold become look-alikes that Mermaid reads as text: the
full-width forms ``：`` (U+FF1A), ``；`` (U+FF1B), ``＃`` (U+FF03) for ``:``
``;`` ``#``, the second ``%`` of ``%%`` as ``％`` (U+FF05), and in actor names
``,`` as ``‚`` (U+201A, a low single quotation mark). A task name that would start
with a Mermaid keyword (``journey``, ``title``, ``section``, ``accTitle``,
``accDescr``) gets a zero-width space (U+200B) in front; a name that is empty
after cleaning is replaced by the stage or touchpoint ID.
"""

from __future__ import annotations

import re

from copisdsl.semantic.model import Model, Touchpoint

__all__ = ["DEFAULT_SCORE", "clean", "mermaid_journey"]

DEFAULT_SCORE = 3

_LOOKALIKE = {":": "\uff1a", ";": "\uff1b", "#": "\uff03", ",": "\u201a"}
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
_KEYWORD_START = re.compile(r"(journey|title\s|section\s|acc(title|descr)\s*[:{])", re.I)
_ZWSP = "\u200b"

#: what each line form cannot hold (the title may keep ':' and ',')
FORBIDDEN = {"title": "#;", "section": "#:;", "task": "#:;", "actor": "#:;,"}


def clean(text: str, where: str) -> str:
    """``text`` made safe for one of Mermaid's journey line forms
    (``title``, ``section``, ``task``, ``actor``); see the module docstring."""
    text = _SPACE.sub(" ", text).strip()
    text = "".join(_LOOKALIKE[ch] if ch in FORBIDDEN[where] else ch for ch in text)
    while "%%" in text:
        text = text.replace("%%", "%\uff05")
    if where in ("task", "actor") and _KEYWORD_START.match(text):
        text = _ZWSP + text
    return text


def _name(text: str, fallback: str, where: str) -> str:
    return clean(text, where) or clean(fallback, where)


def _actors(model: Model, tp: Touchpoint) -> list[str]:
    key = model.framework.customer_key
    names: list[str] = []
    for value in tp.elements.get(key, []) if key else []:
        name = clean(value.text, "actor")
        if name and name not in names:
            names.append(name)
    return names


def mermaid_journey(model: Model) -> str:
    """The Mermaid ``journey`` text of a resolved journey, ending with a newline."""
    lines = ["journey", f"  title {_name(model.title, model.id, 'title')}"]
    for stage in model.stages:
        lines.append(f"  section {_name(stage.title, stage.id, 'section')}")
        for tp in stage.touchpoints:
            score = tp.emotion if tp.emotion is not None else DEFAULT_SCORE
            task = f"    {_name(tp.title, tp.id, 'task')}: {score}"
            actors = _actors(model, tp)
            lines.append(task + (f": {', '.join(actors)}" if actors else ""))
    return "\n".join(lines) + "\n"
