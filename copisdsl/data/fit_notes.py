"""What a CLV model fit at its limits means for the figures (W406).

The models in ``copisdsl.data.clv`` report whether their fit converged and
which parameters ran to the edge of the search space; this module says, in
the analyst's words, what each limit means.
"""

from __future__ import annotations

MODEL_NAMES = {"bgnbd": "BG/NBD", "pareto": "Pareto/NBD", "gamma_gamma": "Gamma-Gamma"}

_NEVER_DROP = "customers almost never drop out"
_DROP_AT_ONCE = "customers drop out right after a purchase"
_SAME_RATE = "customers do not differ in how often they buy"
_SAME_SPEND = "customers do not differ in their average spend"
_UNRELIABLE_SPEND = "the expected spend per order is unreliable"
_RATES_UNLIMITED = "purchase rates differ without limit: most customers almost never buy"
_GAPS_VANISH = "purchase rates are without limit: the time between purchases tends to 0"

#: (model, parameter, "0" | "∞") -> what the limit means
MEANINGS = {
    ("bgnbd", "a", "0"): _NEVER_DROP,
    ("bgnbd", "b", "∞"): _NEVER_DROP,
    ("bgnbd", "a", "∞"): _DROP_AT_ONCE,
    ("bgnbd", "b", "0"): _DROP_AT_ONCE,
    ("bgnbd", "r", "∞"): _SAME_RATE,
    ("bgnbd", "alpha", "∞"): _SAME_RATE,
    ("bgnbd", "r", "0"): _RATES_UNLIMITED,
    ("bgnbd", "alpha", "0"): _GAPS_VANISH,
    ("pareto", "s", "0"): _NEVER_DROP,
    ("pareto", "beta", "∞"): _NEVER_DROP,
    ("pareto", "s", "∞"): _DROP_AT_ONCE,
    ("pareto", "beta", "0"): _DROP_AT_ONCE,
    ("pareto", "r", "∞"): _SAME_RATE,
    ("pareto", "alpha", "∞"): _SAME_RATE,
    ("pareto", "r", "0"): _RATES_UNLIMITED,
    ("pareto", "alpha", "0"): _GAPS_VANISH,
    ("gamma_gamma", "q", "∞"): _SAME_SPEND,
    ("gamma_gamma", "v", "∞"): _SAME_SPEND,
    ("gamma_gamma", "p", "∞"): "a customer's orders all have the same amount",
    ("gamma_gamma", "p", "0"): _UNRELIABLE_SPEND,
    ("gamma_gamma", "q", "0"): _UNRELIABLE_SPEND,
    ("gamma_gamma", "v", "0"): _UNRELIABLE_SPEND,
}


#: both parameters of one mixing distribution at ∞ (shape and rate growing
#: together): the spread vanishes, whatever each alone would mean
PAIRS = {
    ("bgnbd", "r", "alpha"): _SAME_RATE,
    ("bgnbd", "a", "b"): "customers do not differ in their drop-out probability",
    ("pareto", "r", "alpha"): _SAME_RATE,
    ("pareto", "s", "beta"): "customers do not differ in their drop-out rate",
    ("gamma_gamma", "q", "v"): _SAME_SPEND,
}


def _limits(model: str, edges) -> list[str]:
    """``"p → d: meaning"`` for each edge, a pair at ∞ said once."""
    at_infinity = {p for p, d in edges if d == "∞"}
    said: set[str] = set()
    out = []
    for (m, first, second), meaning in PAIRS.items():
        if m == model and {first, second} <= at_infinity:
            out.append(f"{first}, {second} → ∞: {meaning}")
            said |= {first, second}
    for p, d in edges:
        if p not in said:
            out.append(f"{p} → {d}: {MEANINGS.get((model, p, d), 'a limiting case of the model')}")
    return out


def fit_notes(model: str, params) -> list[tuple[str, str]]:
    """``(message, hint)`` for each problem of a fitted ``params`` record
    (``converged``, ``edges``) of ``model`` (a key of ``MODEL_NAMES``)."""
    name = MODEL_NAMES[model]
    notes = []
    if params.edges:
        limits = "; ".join(_limits(model, params.edges))
        notes.append((f"the {name} fit lies at the edge of the parameter space ({limits}); "
                      "the CLV figures are those of that limiting case",
                      "more customers or a longer order history may give a fit inside the parameter space"))
    elif not params.converged:
        notes.append((f"the {name} fit did not converge: its parameters and the CLV figures may be off",
                      "check the order history for mistakes (dates, amounts, duplicated rows)"))
    return notes
