"""The journey's shape: empty stages (W305) and touchpoints outside the
flow (W306)."""

from __future__ import annotations

from copisdsl.syntax import nodes as n
from copisdsl.checks import check
from copisdsl.diagnostics import Diagnostic, warning
from copisdsl.semantic.model import Model


@check("W305")
def empty_stages(model: Model) -> list[Diagnostic]:
    """A stage with no touchpoints (as written: one whose touchpoint is a
    duplicate, E200, is not empty)."""
    return [warning("W305", f"stage '{s.id}' has no touchpoints", s.node.head,
                    'add `touchpoint ID "Title" { ... }` to the stage, or remove it')
            for s in model.stages if not any(isinstance(st, n.Touchpoint) for st in s.node.body)]


@check("W306")
def unconnected(model: Model) -> list[Diagnostic]:
    """In a journey with flows, a touchpoint that no flow reaches or leaves."""
    if not model.flow_nodes:
        return []
    # A touchpoint named in a flow counts as connected even when the other
    # end is unknown (that is E201's to report, not a second warning).
    connected = {ident.name for f in model.flow_nodes for ident in f.path}
    for edge in model.flows:
        connected.add(edge.source)
        connected.add(edge.target)
    return [warning("W306", f"touchpoint '{tp.id}' is not connected to any flow", tp.node.head,
                    f"add it to a flow, e.g. `flow {tp.id} -> ...`")
            for tp in model.touchpoints.values() if tp.id not in connected]
