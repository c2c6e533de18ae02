"""What a CLV model fit at its limits means for the figures (W406).

The models in ``copisdsl.data.clv`` report whether their fit converged and
which parameters ran to the edge of the search space; this module says, in
the analyst's words, what each limit means.
"""

from __future__ import annotations

MODEL_NAMES = {"bgnbd": "BG/NBD", "gamma_gamma": "Gamma-Gamma"}

_NEVER_DROP = "customers almost never drop out"
_DROP_AT_ONCE = "customers drop out right after a purchase"
_SAME_RATE = "customers do not differ in how often they buy"
_SAME_SPEND = "customers do not differ in their average spend"
_UNRELIABLE_SPEND = "the expected spend per order is unreliable"

#: (model, parameter, "0" | "∞") -> what the limit means
MEANINGS = {
    ("bgnbd", "a", "0"): _NEVER_DROP,
    ("bgnbd", "b", "∞"): _NEVER_DROP,
    ("bgnbd", "a", "∞"): _DROP_AT_ONCE,
    ("bgnbd", "b", "0"): _DROP_AT_ONCE,
    ("bgnbd", "r", "∞"): _SAME_RATE,
    ("bgnbd", "alpha", "∞"): _SAME_RATE,
    ("bgnbd", "r", "0"): "purchase rates differ without limit: most customers almost never buy",
    ("bgnbd", "alpha", "0"): "purchase rates are without limit: the time between purchases tends to 0",
    ("gamma_gamma", "q", "∞"): _SAME_SPEND,
    ("gamma_gamma", "v", "∞"): _SAME_SPEND,
    ("gamma_gamma", "p", "∞"): "a customer's orders all have the same amount",
    ("gamma_gamma", "p", "0"): _UNRELIABLE_SPEND,
    ("gamma_gamma", "q", "0"): _UNRELIABLE_SPEND,
    ("gamma_gamma", "v", "0"): _UNRELIABLE_SPEND,
}


def fit_notes(model: str, params) -> list[tuple[str, str]]:
    """``(message, hint)`` for each problem of a fitted ``params`` record
    (``converged``, ``edges``) of ``model`` (a key of ``MODEL_NAMES``)."""
    name = MODEL_NAMES[model]
    notes = []
    if params.edges:
        limits = "; ".join(f"{p} → {d}: {MEANINGS.get((model, p, d), 'a limiting case of the model')}"
                           for p, d in params.edges)
        notes.append((f"the {name} fit lies at the edge of the parameter space ({limits}); "
                      "the CLV figures are those of that limiting case",
                      "more customers or a longer order history may give a fit inside the parameter space"))
    elif not params.converged:
        notes.append((f"the {name} fit did not converge: its parameters and the CLV figures may be off",
                      "check the order history for mistakes (dates, amounts, duplicated rows)"))
    return notes
