"""The state one resolution carries: the diagnostics found so far, the model
being built and the symbol tables. ``resolve()`` creates it; the stages of
resolution (placement, symbols, options, elements, defaults) receive it."""

from __future__ import annotations

from dataclasses import dataclass, field

from copisdsl.diagnostics import Diagnostic, error
from copisdsl.semantic.model import Model
from copisdsl.syntax import nodes as n


@dataclass(slots=True)
class ResolveState:
    """What resolving one file has found so far."""

    file: str
    diags: list[Diagnostic] = field(default_factory=list)
    model: Model | None = None
    # stage and touchpoint IDs share one namespace: name -> (kind, ident)
    places: dict[str, tuple[str, n.Ident]] = field(default_factory=dict)
    tables: dict[str, dict[str, n.Ident]] = field(
        default_factory=lambda: {"persona": {}, "segment": {}, "data": {}})
    segment_refs: list[n.Ident] = field(default_factory=list)
    kpi_index: int = 0
    objective_index: int = 0

    def err(self, code: str, message: str, span, hint: str | None = None, related=()) -> None:
        self.diags.append(error(code, message, span, hint, related))
