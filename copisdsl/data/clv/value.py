"""CLV from a fitted purchase model and the Gamma-Gamma spend model, discounted monthly."""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from copisdsl.data.clv.bgnbd import _uncond_core, bgnbd_probability_alive
from copisdsl.data.clv.fit import _aggregate
from copisdsl.data.clv.gamma_gamma import gamma_gamma_expected_spend
from copisdsl.data.clv.pareto import _purchases_if_alive, pareto_probability_alive
from copisdsl.units import DAYS_PER_MONTH
from copisdsl.data.clv.params import (BGNBDParams, GammaGammaParams, ParetoNBDParams, _bg_params, _float_array,
                                      _gg_params, _pareto_params, _rft, _unit_days, _value_settings)
from copisdsl.data.clv.rfm import RFM

#: the most months of a CLV horizon evaluated at once, one per thread
MAX_THREADS = 4


def bgnbd_clv(rfm: RFM, bg: BGNBDParams, gg: GammaGammaParams, *, margin, discount,
              horizon_months, unit="day") -> np.ndarray:
    """Model-based CLV per customer from BG/NBD purchases and Gamma-Gamma spend.

    ``unit`` must be the unit ``rfm`` was built with and ``bg`` fitted in.
    With ``M = ceil(horizon_months)`` month ends ``t_k = min(k, horizon_months)
    * (365.25/12 days)`` (converted to ``unit``), and ``E(t)`` the conditional
    expected cumulative purchases in ``(T, T+t]``
    (:func:`bgnbd_expected_purchases`)::

        CLV = margin * spend * sum_{k=1}^{M} (E(t_k) - E(t_{k-1})) / (1 + d_m)^k

    where ``d_m = (1 + discount)^(1/12) - 1`` is the monthly rate for the
    annual ``discount`` and ``spend`` is :func:`gamma_gamma_expected_spend`.
    Customers with ``frequency == 0`` get the population mean spend
    ``p v / (q - 1)``.  When ``q <= 1`` that mean is infinite; customers whose
    expected spend is then undefined (``p x + q - 1 <= 0``, which includes
    every ``frequency == 0`` customer) get the mean ``monetary_value`` of the
    repeat customers instead (NaN if there are none).
    """
    r, alpha, a, b = _bg_params(bg)

    def if_alive(x, T):
        return lambda t: _uncond_core(r + x, alpha + T, a, b + x, t)

    return _discounted_clv(rfm, lambda x, tx, T: bgnbd_probability_alive((r, alpha, a, b), x, tx, T),
                           if_alive, gg, margin, discount, horizon_months, unit)


def pareto_clv(rfm: RFM, pn: ParetoNBDParams, gg: GammaGammaParams, *, margin, discount,
               horizon_months, unit="day") -> np.ndarray:
    """Model-based CLV per customer from Pareto/NBD purchases and
    Gamma-Gamma spend: as :func:`bgnbd_clv`, with ``E(t)`` from
    :func:`pareto_expected_purchases`."""
    params = _pareto_params(pn)
    return _discounted_clv(rfm, lambda x, tx, T: pareto_probability_alive(params, x, tx, T),
                           lambda x, T: lambda t: _purchases_if_alive(params, t, x, T),
                           gg, margin, discount, horizon_months, unit)


def _discounted_clv(rfm: RFM, alive, if_alive, gg: GammaGammaParams, margin, discount, horizon_months,
                    unit) -> np.ndarray:
    """``margin * spend * sum_k (E(t_k) - E(t_{k-1})) / (1 + d_m)^k`` per
    customer, where ``E(t) = alive(x, t_x, T) * U(t)`` and ``if_alive(x, T)``
    gives ``t -> U(t)``, the expected purchases of a customer still alive.
    ``U`` depends on (x, T) only, so the months are evaluated once per
    distinct (x, T) (28,000 where 200,000 customers have 160,000 distinct
    (x, t_x, T)), P(alive) once per distinct (x, t_x, T), and the sum is
    ``alive * sum_k (U(t_k) - U(t_{k-1})) / (1 + d_m)^k``."""
    scale = _unit_days(unit)
    margin, discount, Hm = _value_settings(margin, discount, horizon_months, "horizon_months")
    p, q, v = _gg_params(gg)
    x, tx, TT = _rft(rfm.frequency, rfm.recency, rfm.T)
    m = _float_array(rfm.monetary_value, "monetary_value")
    n = len(x)
    M = math.ceil(Hm)
    if M == 0:
        return np.zeros(n)

    spend = gamma_gamma_expected_spend((p, q, v), x, m)
    undefined = np.isnan(spend)  # only possible when q <= 1
    if undefined.any():
        rep = (x > 0) & (m > 0)
        fallback = float(np.mean(m[rep])) if rep.any() else np.nan
        spend = np.where(undefined, fallback, spend)

    (xu, txu, Tu), _, idx = _aggregate((x, tx, TT), np.ones(n))
    (xv, Tv), _, pair = _aggregate((xu, Tu), np.ones(len(xu)))
    cumulative = if_alive(xv, Tv)
    month = DAYS_PER_MONTH / scale
    d_m = (1.0 + discount) ** (1.0 / 12.0) - 1.0
    discounted_purchases = np.zeros(len(xv))
    previous = np.zeros(len(xv))
    times = [min(k, Hm) * month for k in range(1, M + 1)]
    # One vectorised evaluation per month, as many months at once as there
    # are cores (scipy's special functions release the GIL; 1.45x on two
    # cores), the months still added in order: the same sums, bounded memory.
    workers = max(1, min(MAX_THREADS, os.cpu_count() or 1))
    with ThreadPoolExecutor(workers, thread_name_prefix="copis-clv") as pool:
        for start in range(0, M, workers):
            for k, cum in enumerate(pool.map(cumulative, times[start:start + workers]), start + 1):
                discounted_purchases += (cum - previous) / (1.0 + d_m) ** k
                previous = cum
    return margin * spend * (alive(xu, txu, Tu) * discounted_purchases[pair])[idx]
