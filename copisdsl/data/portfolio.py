"""CLV per customer (section 8) and the value-segment portfolio.

The per-customer RFM summary and the models come from ``copisdsl.data.clv``;
this module chooses the model from the journey's ``clv { }`` settings,
computes the per-customer variables that segment conditions use, assigns
segments (first match wins) and sums up the portfolio.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field

import numpy as np

from copisdsl.data import clv as clvmath
from copisdsl.syntax import nodes as n
from copisdsl.data.filters import OPS, duration_days
from copisdsl.data.transactions import Transactions
from copisdsl.data.figures import ClvFigures, FitSummary, SegmentFigures
from copisdsl.data.fit_notes import fit_notes
from copisdsl.language import SEGMENT_VARIABLES as _VARIABLES
from copisdsl.semantic.model import ClvSettings, Model
from copisdsl.semantic.values import shift_back


@dataclass
class CustomerValues:
    """Per-customer arrays, aligned; ``clv`` is NaN where it has no value."""

    clv: np.ndarray
    orders: np.ndarray
    revenue: np.ndarray
    aov: np.ndarray
    recency: np.ndarray  # days since the last order, to the end of observation
    tenure: np.ndarray  # days since the first order
    frequency: np.ndarray  # repeat purchase days (distinct purchase days - 1)
    params: dict[str, float] = field(default_factory=dict)
    note: str | None = None  # why there is no CLV, when there is none
    fit_notes: list[tuple[str, str]] = field(default_factory=list)  # W406 (message, hint)
    end: dt.date | None = None  # the end of observation recency and tenure count to
    fit: FitSummary | None = None  # how the models' fit went (model-based CLV only)

    def variable(self, name: str) -> np.ndarray:
        return getattr(self, name)


def customer_values(tx: Transactions, settings: ClvSettings) -> CustomerValues:
    """RFM and CLV of every customer of ``tx`` under ``settings``."""
    rfm = tx.rfm(settings.unit)
    # rfm is sorted by customer code, which runs 0..n-1: aligned with tx.ids.
    first = rfm.first.astype("datetime64[D]").view("int64")
    last = rfm.last.astype("datetime64[D]").view("int64")
    orders = rfm.orders.astype(float)
    values = CustomerValues(
        clv=np.full(len(rfm), np.nan), orders=orders, revenue=tx.net_revenues(),
        aov=rfm.revenue / np.maximum(orders, 1.0),
        recency=(tx.end_day - last).astype(float), tenure=(tx.end_day - first).astype(float),
        frequency=rfm.frequency, end=tx.end_date(),
    )
    if settings.model in _PURCHASE_MODELS:
        _model_values(values, rfm, settings)
    else:
        values.clv = clvmath.historic_clv(rfm, margin=settings.margin, discount=settings.discount,
                                          horizon_years=settings.horizon_months / 12, unit=settings.unit)
    return values


# model -> (its name in messages, fit, CLV)
_PURCHASE_MODELS = {
    "bgnbd": ("BG/NBD", clvmath.fit_bgnbd, clvmath.bgnbd_clv),
    "pareto": ("Pareto/NBD", clvmath.fit_pareto, clvmath.pareto_clv),
}


def _model_values(values: CustomerValues, rfm, settings: ClvSettings) -> None:
    name, fit, clv = _PURCHASE_MODELS[settings.model]
    with warnings.catch_warnings():
        # The fits' own warnings become W406 values (``fit_notes``) below.
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            purchases = fit(rfm.frequency, rfm.recency, rfm.T)
        except (ValueError, RuntimeError, ArithmeticError) as exc:
            values.note = f"the {name} model cannot be fitted: {exc}"
            return
        if not (rfm.frequency > 0).any():
            values.note = "the Gamma-Gamma spend model needs customers who ordered on two or more days"
            return
        try:
            gg = clvmath.fit_gamma_gamma(rfm.frequency, rfm.monetary_value)
        except (ValueError, RuntimeError, ArithmeticError) as exc:
            values.note = f"the Gamma-Gamma spend model cannot be fitted: {exc}"
            return
        try:
            values.clv = clv(rfm, purchases, gg, margin=settings.margin, discount=settings.discount,
                             horizon_months=settings.horizon_months, unit=settings.unit)
        except (ValueError, RuntimeError, ArithmeticError) as exc:
            values.note = f"the {name} CLV cannot be computed: {exc}"
            return
    # W406 only for figures that exist: without a CLV, ``note`` says why.
    values.fit_notes = fit_notes(settings.model, purchases) + fit_notes("gamma_gamma", gg)
    values.params = {k: getattr(purchases, k) for k in _PARAM_NAMES[settings.model]}
    values.params.update(p=gg.p, q=gg.q, v=gg.v)
    values.fit = FitSummary(log_likelihood=purchases.log_likelihood, converged=purchases.converged and gg.converged,
                            standard_errors={**purchases.standard_errors, **gg.standard_errors})


_PARAM_NAMES = {"bgnbd": ("r", "alpha", "a", "b"), "pareto": ("r", "alpha", "s", "beta")}


def condition_mask(cond, values: CustomerValues) -> np.ndarray:
    """Customers for whom a segment condition holds (NaN never matches)."""
    if isinstance(cond, n.Paren):
        return condition_mask(cond.inner, values)
    if isinstance(cond, n.BoolOp):
        left, right = condition_mask(cond.left, values), condition_mask(cond.right, values)
        return (left & right) if cond.op == "and" else (left | right)
    lit = cond.value
    count = len(values.orders)
    if cond.column.name not in _VARIABLES or lit.kind not in ("number", "percent", "duration"):
        return np.zeros(count, dtype=bool)  # E201 / E204, reported by the static checks
    target = _duration_target(lit, cond.column.name, values) if lit.kind == "duration" else float(lit.value)
    data = values.variable(cond.column.name)
    with np.errstate(invalid="ignore"):
        return ~np.isnan(data) & OPS[cond.op](data, target)


def _duration_target(lit: n.Literal, variable: str, values: CustomerValues) -> float:
    """A duration as days for ``variable``. For the day counts to the end of
    observation (recency, tenure) months and years are calendar ones, as in
    churn_rate: `recency >= 6m` holds for a last order on or before the day
    six calendar months before the end."""
    amount, unit = lit.value
    if unit in ("m", "y") and variable in ("recency", "tenure") and values.end is not None:
        return float((values.end - shift_back(values.end, amount, unit)).days)
    return duration_days(lit)


def assign_segments(model: Model, values: CustomerValues) -> np.ndarray:
    """Each customer's segment position in declaration order (-1: none)."""
    count = len(values.orders)
    out = np.full(count, -1, dtype=np.int64)
    for i, seg in enumerate(model.segments.values()):
        free = out < 0
        if not free.any():
            break
        hit = free if seg.condition is None else free & condition_mask(seg.condition, values)
        out[hit] = i
    return out


def clv_figures(model: Model, values: CustomerValues | None, note: str | None = None) -> ClvFigures:
    """The CLV summary and segment portfolio of the journey."""
    s = model.clv
    figures = ClvFigures(model=s.model, unit=s.unit, margin=s.margin, discount=s.discount,
                         horizon_months=s.horizon_months, params={}, mean_clv=None, customers=0)
    if values is None:  # no customers: every declared segment is empty
        figures.segments = [SegmentFigures(id=seg.id, title=seg.title, customers=0, share=0.0, revenue=0.0,
                                           clv_total=0.0, clv_mean=0.0, clv_share=0.0)
                            for seg in model.segments.values()]
        return figures
    count = len(values.orders)
    figures.customers = count
    figures.params = dict(values.params)
    figures.fit = values.fit
    has_clv = count > 0 and not np.all(np.isnan(values.clv))
    clv = np.nan_to_num(values.clv, nan=0.0)
    if has_clv:
        figures.mean_clv = float(np.nanmean(values.clv))
    total_clv = float(clv.sum())
    segment = assign_segments(model, values)
    for i, seg in enumerate(model.segments.values()):
        members = segment == i
        k = int(members.sum())
        seg_clv = float(clv[members].sum())
        figures.segments.append(SegmentFigures(
            id=seg.id, title=seg.title, customers=k, share=k / count if count else 0.0,
            revenue=float(values.revenue[members].sum()), clv_total=seg_clv,
            clv_mean=seg_clv / k if k else 0.0,
            clv_share=seg_clv / total_clv if total_clv else 0.0))
    return figures
