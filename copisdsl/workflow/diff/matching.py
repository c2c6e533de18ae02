"""Matching the entities of two versions: by id, then renames by content,
then by a unique title."""

from __future__ import annotations

from copisdsl.workflow.diff.changes import FieldChange
from copisdsl.workflow.diff.items import Item, field_name


def changed_fields(old: Item, new: Item) -> tuple[FieldChange, ...]:
    names = list(new.fields) + [k for k in old.fields if k not in new.fields]
    return tuple(FieldChange(field_name(k), old.fields.get(k) or old.inherited.get(k),
                             new.fields.get(k) or new.inherited.get(k))
                 for k in names if old.fields.get(k) != new.fields.get(k))


def match(old: dict[str, Item], new: dict[str, Item], by_title: bool = True):
    """Pairs (old, new) by id, then renames by content, then by title.

    Returns (same id, renamed, removed, added), each in declaration order.
    """
    same = [(old[i], new[i]) for i in new if i in old]
    gone = [o for i, o in old.items() if i not in new]
    came = [x for i, x in new.items() if i not in old]
    renamed = []
    for sig in dict.fromkeys(o.signature() for o in gone):
        olds = [o for o in gone if o.signature() == sig]
        news = [x for x in came if x.signature() == sig]
        for o, x in zip(olds, news):
            renamed.append((o, x))
            gone.remove(o)
            came.remove(x)
    if by_title:
        for o in list(gone):
            if o.title is None:
                continue
            olds = [g for g in gone if g.title == o.title]
            news = [x for x in came if x.title == o.title]
            if len(olds) == 1 and len(news) == 1:
                renamed.append((o, news[0]))
                gone.remove(o)
                came.remove(news[0])
    order = {x.id: i for i, x in enumerate(new.values())}
    renamed.sort(key=lambda pair: order[pair[1].id])
    return same, renamed, gone, came
