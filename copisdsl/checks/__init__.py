"""The checks that run on a resolved model, one module per family.

Each check is a small function registered with the codes it may report;
its docstring says what it catches. ``run_checks`` runs them all in a fixed
order. Codes found while resolving (E100 placement, E200-E205) live in
``copisdsl.semantic.resolve``; every code is documented in ``copisdsl.codes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from copisdsl.diagnostics import Diagnostic
from copisdsl.semantic.model import Model

CheckFn = Callable[[Model], list[Diagnostic]]


@dataclass(frozen=True)
class Registered:
    codes: tuple[str, ...]
    fn: CheckFn


REGISTRY: list[Registered] = []


def check(*codes: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check function for the codes it reports."""

    def wrap(fn: CheckFn) -> CheckFn:
        REGISTRY.append(Registered(codes, fn))
        return fn

    return wrap


def run_checks(model: Model) -> list[Diagnostic]:
    """Every registered check over ``model``."""
    from copisdsl.checks import blueprint, elements, expressions, flow, objectives, ranges, text  # noqa: F401

    out: list[Diagnostic] = []
    for entry in REGISTRY:
        out.extend(entry.fn(model))
    return out
