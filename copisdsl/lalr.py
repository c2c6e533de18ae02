"""A tight LALR loop over Lark's parse table, for files without syntax errors.

Lark's driver (``ParserState.feed_token``) pays for its generality on every
token: attribute look-ups, an assertion and a ``try`` per action, ``Rule``
objects to unpack on every reduction. This loop runs the same table and the
same reduce callbacks (the inline transformer) with each action pre-decoded
into one integer, which halves the time of parsing a large journey.

It does not report errors: on the first unexpected token or character it
returns ``None``, and the caller parses again through Lark, whose parser
state gives the detailed syntax diagnostics.
"""

from __future__ import annotations

from functools import partial
from itertools import chain
from operator import itemgetter

from lark.exceptions import UnexpectedCharacters
from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders

from copisdsl.lexer import Token, tokenize

__all__ = ["compile_table", "parse"]

_END = (Token("$END", "", 0, 0, 0, 0, 0, 0),)


class Table:
    """Lark's table decoded: per state, terminal or rule name -> action
    (``>= 0`` shift or go to that state, ``< 0`` reduce by rule ``~action``);
    per rule ``(size, origin, callback, pick)`` (see ``_decode``)."""

    __slots__ = ("actions", "rules", "start", "end")

    def __init__(self, actions, rules, start, end) -> None:
        self.actions, self.rules, self.start, self.end = actions, rules, start, end


def compile_table(lalr) -> Table:
    """Decode the table of Lark's LALR parser object (``lark.parser.parser.parser``)."""
    table = lalr.parse_table
    callbacks = lalr.callbacks
    rule_index: dict[int, int] = {}
    rules: list[tuple[int, str, object]] = []
    actions: dict[int, dict[str, int]] = {}
    for state, row in table.states.items():
        decoded: dict[str, int] = {}
        for symbol, (action, arg) in row.items():
            if action.name == "Shift":
                decoded[symbol] = arg
                continue
            index = rule_index.get(id(arg))
            if index is None:
                index = rule_index[id(arg)] = len(rules)
                rules.append((len(arg.expansion), arg.origin.name, *_decode(arg, callbacks[arg])))
            decoded[symbol] = ~index
        actions[state] = decoded
    return Table(actions, rules, table.start_states["start"], table.end_states["start"])


def _decode(rule, callback) -> tuple:
    """A rule's reduction, unwrapped from Lark's child filter: ``(callback,
    pick)``, where ``pick`` is None (all the children) or takes the children
    to keep from the value stack, and a ``None`` callback means the value
    is the list of children itself. That is what the rules Lark inlines into
    their parent (named ``_...``, as its ``x*`` helpers are) become, instead
    of a tree made only to be taken apart again."""
    size = len(rule.expansion)
    include = None
    if isinstance(callback, ChildFilterLALR_NoPlaceholders):
        callback, include = callback.node_builder, callback.to_include
    if rule.origin.name.startswith("_") and isinstance(callback, partial):
        callback = None  # Lark's default: a tree, for the parent to expand
    if include is None:
        return callback, None
    if not any(expand for _, expand in include):
        keep = [i - size for i, _ in include]
        if len(keep) == 1:
            return callback, lambda values, i=keep[0]: [values[i]]
        return callback, itemgetter(*keep)  # a tuple, read by index like the list

    def expanding(children, include=include, inner=callback):
        kept: list = []
        for i, expand in include:
            if expand:
                kept += children[i]  # the list an inlined rule reduced to
            else:
                kept.append(children[i])
        return kept if inner is None else inner(kept)

    return expanding, None


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
    except UnexpectedCharacters:
        return None
    return None
