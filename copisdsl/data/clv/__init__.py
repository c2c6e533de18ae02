"""Customer-lifetime-value mathematics (pure numerics, no knowledge of the DSL).

This module turns a transaction log into per-customer RFM summaries and
computes two kinds of customer lifetime value (CLV):

* a *historic* CLV that extrapolates each customer's observed revenue rate;
* a *model-based* CLV from the BG/NBD purchase model (Fader, Hardie & Lee
  2005, "Counting your customers the easy way") or the Pareto/NBD purchase
  model (Schmittlein, Morrison & Colombo 1987) combined with the
  Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using
  iso-value curves for customer base analysis").

Conventions
-----------
* Time is measured in calendar days (``unit="day"``) or weeks of 7 days
  (``unit="week"``).  A year is 365.25 days and a month is 365.25 / 12 days.
* ``frequency`` (x) is the number of *repeat* purchase days, ``recency``
  (t_x) the time from the first to the last purchase day and ``T`` the time
  from the first purchase day to the end of observation, exactly as in the
  ``lifetimes`` library.
* Parameters of the BG/NBD model are ``r, alpha`` (gamma mixing of the
  purchase rate, ``alpha`` in the time unit of the data) and ``a, b`` (beta
  mixing of the drop-out probability); those of the Pareto/NBD model are
  ``r, alpha`` and ``s, beta`` (gamma mixing of the drop-out rate, ``beta``
  in the time unit of the data).  The Gamma-Gamma parameters are
  ``p, q, v`` (``v`` is the paper's gamma, in money units).

All functions that take model parameters accept either the parameter
dataclass or a plain tuple ``(r, alpha, a, b)`` / ``(r, alpha, s, beta)`` /
``(p, q, v)``.  Every fit also records its maximised log-likelihood,
whether it converged, the parameters at the edge of the parameter space and
the standard errors (``copisdsl.data.clv.fit``).
"""

from __future__ import annotations

import importlib

from copisdsl.units import DAYS_PER_MONTH, DAYS_PER_YEAR  # noqa: F401 - re-exported

# Each name's module, imported when the name is first used: historic CLV
# and the RFM summary need numpy only, the fitted models scipy (whose
# optimiser alone takes 0.13 s to import: a `copis check` with historic CLV
# does not pay it).
_HOMES = {
    **dict.fromkeys(("bgnbd_expected_purchases", "bgnbd_log_likelihood", "bgnbd_probability_alive",
                     "bgnbd_unconditional_expected", "fit_bgnbd"), "bgnbd"),
    **dict.fromkeys(("fit_gamma_gamma", "gamma_gamma_expected_spend"), "gamma_gamma"),
    "historic_clv": "historic",
    **dict.fromkeys(("HISTORIC_MIN_SPAN_DAYS", "BGNBDParams", "GammaGammaParams", "ParetoNBDParams"), "params"),
    **dict.fromkeys(("fit_pareto", "pareto_expected_purchases", "pareto_log_likelihood",
                     "pareto_probability_alive"), "pareto"),
    **dict.fromkeys(("RFM", "rfm_summary"), "rfm"),
    **dict.fromkeys(("bgnbd_clv", "pareto_clv"), "value"),
    "aggregate_rows": "fit",
    **dict.fromkeys(("Holdout", "compare_holdout"), "holdout"),
    "delta_intervals": "uncertainty",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once
    return value


def __dir__() -> list[str]:
    return list(__all__)


__all__ = sorted([*_HOMES, "DAYS_PER_YEAR", "DAYS_PER_MONTH"])
