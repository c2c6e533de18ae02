"""Which flow steps are loops: the back edges of the flow graph.

A loop is decided by the path, never by where a touchpoint is written: the
flow graph is searched depth-first from its entry touchpoints (those no
flow leads to), in declaration order, each touchpoint's steps in the order
they are written; a step to a touchpoint still on the search's path is a
back edge. Touchpoints only reachable through a cycle are searched from
the first one declared.
"""

from __future__ import annotations

from copisdsl.semantic.model import FlowEdge


def back_edges(touchpoints: list[str], flows: list[FlowEdge]) -> list[bool]:
    """For each flow step, whether it is a back edge; ``touchpoints`` in
    declaration order."""
    out: dict[str, list[int]] = {tp: [] for tp in touchpoints}
    entered = set()
    for i, edge in enumerate(flows):
        out[edge.source].append(i)
        entered.add(edge.target)
    back = [False] * len(flows)
    state: dict[str, int] = {}  # 1 on the path, 2 done
    starts = [tp for tp in touchpoints if tp not in entered] + touchpoints
    for start in starts:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(out[start]))]
        while stack:  # iterative: a journey of 1,000 touchpoints in a row
            node, steps = stack[-1]
            for i in steps:
                target = flows[i].target
                seen = state.get(target)
                if seen == 1:
                    back[i] = True
                elif seen is None:
                    state[target] = 1
                    stack.append((target, iter(out[target])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return back


def mark_loops(touchpoints: list[str], flows: list[FlowEdge]) -> None:
    """Set ``back`` on every flow step."""
    for edge, is_back in zip(flows, back_edges(touchpoints, flows)):
        edge.back = is_back
