"""A tight LALR loop over Lark's parse table, for files without syntax errors.

Lark's driver (``ParserState.feed_token``) pays for its generality on every
token: attribute look-ups, an assertion and a ``try`` per action, ``Rule``
objects to unpack on every reduction. This loop runs the same table and the
same reduce callbacks (the inline transformer) with each action pre-decoded
into one integer, which halves the time of parsing a large journey.

The table is taken from Lark once (``table_spec``) as plain data, which the
parser caches on disk, so that a file without syntax errors is parsed
without importing Lark at all; ``build`` binds it to the transformer.

It does not report errors: on the first unexpected token or character it
returns ``None``, and the caller parses again through Lark, whose parser
state gives the detailed syntax diagnostics.
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter

from copisdsl.syntax.tokens import LexError, Token, tokenize

__all__ = ["Table", "build", "parse", "table_spec"]

_END = (Token("$END", "", 0, 0, 0, 0, 0, 0),)


class Table:
    """Lark's table decoded: per state, terminal or rule name -> action
    (``>= 0`` shift or go to that state, ``< 0`` reduce by rule ``~action``);
    per rule ``(size, origin, callback, pick)`` (see ``build``)."""

    __slots__ = ("actions", "rules", "start", "end")

    def __init__(self, actions, rules, start, end) -> None:
        self.actions, self.rules, self.start, self.end = actions, rules, start, end


def table_spec(lalr) -> dict | None:
    """The table of Lark's LALR parser object (``lark.parser.parser.parser``)
    as plain data (dicts, lists, strings, numbers: what ``marshal`` stores):
    ``actions`` as in ``Table``; per rule ``[size, origin, method, include]``,
    where ``method`` names the transformer's method (None: the rule is one
    Lark inlines into its parent, its value the list of its children) and
    ``include`` is None (all the children) or Lark's child filter, a list of
    ``[index, expand]``. None when Lark's callbacks are not of the shapes
    this knows (another Lark version): the caller then uses Lark's parser."""
    from functools import partial

    from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders

    table = lalr.parse_table
    rule_index: dict[int, int] = {}
    rules: list[list] = []
    actions: dict[int, dict[str, int]] = {}
    for state, row in table.states.items():
        decoded: dict[str, int] = {}
        for symbol, (action, arg) in row.items():
            symbol = str(symbol)  # Lark's names may be its Token, a str subclass
            if action.name == "Shift":
                decoded[symbol] = int(arg)
                continue
            index = rule_index.get(id(arg))
            if index is None:
                callback = lalr.callbacks[arg]
                include = None
                if isinstance(callback, ChildFilterLALR_NoPlaceholders):
                    include = [[i, bool(expand)] for i, expand in callback.to_include]
                    callback = callback.node_builder
                owner, method = getattr(callback, "__self__", None), getattr(callback, "__name__", None)
                if arg.origin.name.startswith("_") and isinstance(callback, partial):
                    method = None  # Lark's default: a tree, for the parent to expand
                elif owner is None or getattr(owner, method, None) != callback:
                    return None  # not a method of the transformer
                index = rule_index[id(arg)] = len(rules)
                rules.append([len(arg.expansion), str(arg.origin.name), method, include])
            decoded[symbol] = ~index
        actions[int(state)] = decoded
    return {"actions": actions, "rules": rules,
            "start": int(table.start_states["start"]), "end": int(table.end_states["start"])}


def build(spec: dict, transformer) -> Table:
    """The table ``table_spec`` gave, with each rule's reduction bound to the
    transformer: ``(size, origin, callback, pick)``, where ``pick`` takes
    the children to keep from the value stack (None: all of them) and a
    ``None`` callback means the value is the list of children itself. That
    is what the rules Lark inlines into their parent (named ``_...``, as its
    ``x*`` helpers are) become, instead of a tree made only to be taken
    apart again."""
    rules = []
    for size, origin, method, include in spec["rules"]:
        callback = getattr(transformer, method) if method is not None else None
        pick = None
        if include is not None:
            if any(expand for _, expand in include):
                callback = _expanding(include, callback)
            else:
                keep = [i - size for i, _ in include]
                if not keep:
                    pick = lambda values: []  # noqa: E731
                elif len(keep) == 1:
                    pick = lambda values, i=keep[0]: [values[i]]  # noqa: E731
                else:
                    pick = itemgetter(*keep)  # a tuple, read by index like the list
        rules.append((size, origin, callback, pick))
    return Table(spec["actions"], rules, spec["start"], spec["end"])


def _expanding(include, inner):
    """A reduction that splices in the lists of the inlined rules among its
    children (``include``: ``(index, expand)`` pairs), then calls ``inner``
    (None: the spliced list is the value)."""
    include = [(i, expand) for i, expand in include]
    first_expands = include[0][1]

    def expanding(children):
        # A list an inlined rule reduced to is its own (nothing else holds
        # it): the first is taken and extended, so that a left-recursive
        # list of n items is built in n steps, not n * n / 2 copies.
        first = children[include[0][0]]
        kept: list = (first if type(first) is list else list(first)) if first_expands else [first]
        for i, expand in include[1:]:
            if expand:
                kept += children[i]
            else:
                kept.append(children[i])
        return kept if inner is None else inner(kept)

    return expanding


def parse(text: str, table: Table):
    """The transformer's result for ``text``, or ``None`` at a syntax error."""
    actions, rules, end_state = table.actions, table.rules, table.end
    state = table.start
    stack = [state]  # also read by the tokenizer, for contextual keywords
    values: list = []
    push_state, push_value = stack.append, values.append
    try:
        for tok in chain(tokenize(text, actions, stack), _END):
            kind = tok[0]
            while True:
                try:
                    action = actions[state][kind]
                except KeyError:  # a syntax error
                    return None
                if action >= 0:
                    push_state(action)
                    push_value(tok)
                    state = action
                    break
                size, origin, callback, pick = rules[~action]
                if size:
                    children = values[-size:] if pick is None else pick(values)
                    del stack[-size:]
                    del values[-size:]
                else:
                    children = []
                push_value(children if callback is None else callback(children))
                state = actions[stack[-1]][origin]
                push_state(state)
                if state == end_state:  # only ever reached by reducing at $END
                    return values[-1]
    except LexError:
        return None
    return None
