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
from typing import TYPE_CHECKING, Callable

import numpy as np

from copisdsl.data import clv as clvmath
from copisdsl.syntax import nodes as n
from copisdsl.data.engines.summary import Summary
from copisdsl.data.figures import ClvFigures, CustomerTable, FitSummary, HoldoutFigures, SegmentFigures
from copisdsl.data.fit_notes import fit_notes
from copisdsl.data.ids import text_order
from copisdsl.language import CLV_MODELS, SEGMENT_VARIABLES as _VARIABLES
from copisdsl.semantic.model import ClvSettings, Model
from copisdsl.semantic.values import OPS, duration_days, shift_back

if TYPE_CHECKING:
    from copisdsl.data.transactions import Transactions


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
    ids: np.ndarray | None = None  # customer IDs (text), aligned
    without_orders: tuple[np.ndarray, np.ndarray] | None = None  # (IDs, net) with rows but no order
    rfm: object | None = None  # the RFM summary (copisdsl.data.clv.RFM) the models used
    # The purchase model's per-customer figures (None for historic).
    p_alive: np.ndarray | None = None
    expected_purchases: np.ndarray | None = None  # over the horizon, undiscounted
    expected_spend: np.ndarray | None = None
    fit: FitSummary | None = None
    # For the intervals: the per-customer CLV at log-parameters (r, alpha, a,
    # b, p, q, v), the fit's log-parameters and their covariance.
    clv_at: Callable[[np.ndarray], np.ndarray] | None = None
    log_params: np.ndarray | None = None
    covariance: np.ndarray | None = None
    interval_note: str | None = None
    holdout: clvmath.Holdout | None = None
    holdout_note: str | None = None

    def variable(self, name: str) -> np.ndarray:
        return getattr(self, name)


def customer_values(tx: Transactions | Summary, settings: ClvSettings) -> CustomerValues:
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
        frequency=rfm.frequency, end=tx.end_date(), ids=tx.ids, rfm=rfm,
        without_orders=tx.without_orders,
    )
    if settings.model != "historic":
        _model_values(values, rfm, settings)
        if values.params and settings.holdout is not None:
            _holdout(values, tx, settings)
    else:
        values.clv = clvmath.historic_clv(rfm, margin=settings.margin, discount=settings.discount,
                                          horizon_years=settings.horizon_months / 12, unit=settings.unit)
    return values


@dataclass(frozen=True)
class _PurchaseModel:
    """What the pipeline needs of a purchase model (with Gamma-Gamma spend)."""

    name: str  # in messages
    params: tuple[str, ...]  # its parameters, in the order of ``as_tuple()``
    fit: Callable
    clv: Callable
    p_alive: Callable  # (params, x, t_x, T) -> P(alive)
    expected: Callable  # (params, t, x, t_x, T) -> expected purchases in (T, T + t]


def _purchase_model(name: str) -> _PurchaseModel:
    """The purchase model ``name`` (built when first asked for: the models
    import scipy, which historic CLV does without)."""
    assert name in CLV_MODELS and name != "historic", name
    if name == "bgnbd":
        return _PurchaseModel("BG/NBD", ("r", "alpha", "a", "b"), clvmath.fit_bgnbd, clvmath.bgnbd_clv,
                              clvmath.bgnbd_probability_alive, clvmath.bgnbd_expected_purchases)
    return _PurchaseModel("Pareto/NBD", ("r", "alpha", "s", "beta"), clvmath.fit_pareto, clvmath.pareto_clv,
                          clvmath.pareto_probability_alive, clvmath.pareto_expected_purchases)


def _model_values(values: CustomerValues, rfm, settings: ClvSettings) -> None:
    model = _purchase_model(settings.model)
    name, fit, clv = model.name, model.fit, model.clv
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
    values.params = {k: getattr(purchases, k) for k in model.params}
    values.params.update(p=gg.p, q=gg.q, v=gg.v)
    values.fit = FitSummary(log_likelihood=purchases.log_likelihood, converged=purchases.converged and gg.converged,
                            standard_errors={**purchases.standard_errors, **gg.standard_errors})
    _predictions(values, rfm, model, purchases, gg, settings)
    if settings.interval is not None:
        _intervals(values, rfm, model, purchases, gg, settings)


def _predictions(values: CustomerValues, rfm, model: _PurchaseModel, purchases, gg, settings: ClvSettings) -> None:
    """P(alive), expected purchases over the horizon and expected spend per customer."""
    horizon = settings.horizon_months * clvmath.DAYS_PER_MONTH / (7.0 if settings.unit == "week" else 1.0)
    with np.errstate(all="ignore"):
        values.p_alive = model.p_alive(purchases, rfm.frequency, rfm.recency, rfm.T)
        (xu, txu, Tu), _, idx = clvmath.aggregate_rows((rfm.frequency, rfm.recency, rfm.T))
        values.expected_purchases = model.expected(purchases, horizon, xu, txu, Tu)[idx]
        values.expected_spend = clvmath.gamma_gamma_expected_spend(gg, rfm.frequency, rfm.monetary_value)


def _intervals(values: CustomerValues, rfm, model: _PurchaseModel, purchases, gg, settings: ClvSettings) -> None:
    """What the intervals need (``clv_at``, ``log_params``, ``covariance``), or why there are none."""
    if purchases.edges or gg.edges or not (purchases.converged and gg.converged):
        values.interval_note = "the fit sits at a limit of the model (W406): its parameters have no normal spread"
        return
    purchase_cov, gg_cov = purchases.log_covariance, gg.log_covariance
    if purchase_cov is None or gg_cov is None:
        values.interval_note = "the log-likelihood is not curved at the fit: the parameters' spread is unknown"
        return
    covariance = np.zeros((7, 7))  # the two models are fitted separately: independent estimates
    covariance[:4, :4], covariance[4:, 4:] = purchase_cov, gg_cov

    def clv_at(theta: np.ndarray) -> np.ndarray:
        params = np.exp(theta)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return model.clv(rfm, tuple(params[:4]), tuple(params[4:]), margin=settings.margin,
                             discount=settings.discount, horizon_months=settings.horizon_months,
                             unit=settings.unit)

    values.clv_at, values.covariance = clv_at, covariance
    values.log_params = np.log(np.array(purchases.as_tuple() + gg.as_tuple()))


def _holdout(values: CustomerValues, tx, settings: ClvSettings) -> None:
    """Fit on the orders up to (end - holdout), compare with the rest."""
    model = _purchase_model(settings.model)
    amount, unit = settings.holdout
    end = tx.end_date()
    cutoff = shift_back(end, amount, unit)
    days = (end - cutoff).days
    if isinstance(tx, Summary):
        values.holdout_note = ("a holdout needs the orders themselves; a source an engine reads (a glob, a "
                               "folder or a database) gives a summary per customer")
        return
    split = tx.holdout_split(tx.end_day - days, settings.unit)
    if split is None:
        values.holdout_note = f"no order falls before the holdout's {days} days: nothing to fit on"
        return
    rfm, customer, offset = split
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            fitted = model.fit(rfm.frequency, rfm.recency, rfm.T)
        except (ValueError, RuntimeError, ArithmeticError) as exc:
            values.holdout_note = f"the {model.name} model cannot be fitted on the orders before the holdout: {exc}"
            return
        (xu, txu, Tu), _, idx = clvmath.aggregate_rows((rfm.frequency, rfm.recency, rfm.T))

        def expected(t: float) -> np.ndarray:
            return model.expected(fitted, t, xu, txu, Tu)[idx]

        values.holdout = clvmath.compare_holdout(expected, customer, offset, len(rfm), days,
                                                 7.0 if settings.unit == "week" else 1.0)


def condition_mask(cond, values: CustomerValues) -> np.ndarray:
    """Customers for whom a segment condition holds (NaN never matches)."""
    if isinstance(cond, n.Paren):
        return condition_mask(cond.inner, values)
    if isinstance(cond, n.BoolOp):
        out = condition_mask(cond.operands[0], values)
        for operand in cond.operands[1:]:
            more = condition_mask(operand, values)
            out = (out & more) if cond.op == "and" else (out | more)
        return out
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


def clv_figures(model: Model, values: CustomerValues | None, segments: np.ndarray | None,
                without_orders: tuple | None = None) -> ClvFigures:
    """The CLV summary and segment portfolio of the journey; ``segments`` is
    each customer's segment position (``assign_segments``, None without
    customers); ``without_orders``, without customers, the IDs whose rows
    are no orders and their net revenues (the customer table's only rows)."""
    s = model.clv
    figures = ClvFigures(model=s.model, unit=s.unit, margin=s.margin, discount=s.discount,
                         horizon_months=s.horizon_months, params={}, mean_clv=None, customers=0)
    if values is None:  # no customers: every declared segment is empty
        figures.segments = [SegmentFigures(id=seg.id, title=seg.title, customers=0, share=0.0, revenue=0.0,
                                           clv_total=0.0, clv_mean=0.0, clv_share=0.0)
                            for seg in model.segments.values()]
        if without_orders is not None and len(without_orders[0]):
            figures.table = _no_orders_table(model, *without_orders)
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
    for i, seg in enumerate(model.segments.values()):
        members = segments == i
        k = int(members.sum())
        seg_clv = float(clv[members].sum())
        figures.segments.append(SegmentFigures(
            id=seg.id, title=seg.title, customers=k, share=k / count if count else 0.0,
            revenue=float(values.revenue[members].sum()), clv_total=seg_clv,
            clv_mean=seg_clv / k if k else 0.0,
            clv_share=seg_clv / total_clv if total_clv else 0.0))
    figures.interval = s.interval
    if has_clv and values.clv_at is not None:
        _interval_figures(model, values, figures, segments)
    elif s.interval is not None:
        figures.interval_note = values.interval_note or values.note
    if values.holdout is not None:
        h = values.holdout
        figures.holdout = HoldoutFigures(days=h.days, customers=h.customers, predicted=h.predicted,
                                         actual=h.actual, mae=h.mae, tracking=list(h.tracking))
    figures.holdout_note = values.holdout_note
    if values.p_alive is not None:
        figures.p_alive_histogram = np.bincount(np.minimum((values.p_alive * 10).astype(np.int64), 9),
                                                minlength=10).tolist()
    figures.table = customer_table(model, values, segments)
    return figures


def _interval_figures(model: Model, values: CustomerValues, figures: ClvFigures, segment: np.ndarray) -> None:
    """The intervals of the mean CLV and of each segment's total (its
    customers as the estimate assigns them), by the delta method."""
    count = len(model.segments)
    member = segment >= 0

    def figures_at(theta: np.ndarray) -> np.ndarray:
        clv = values.clv_at(theta)
        totals = np.bincount(segment[member], weights=np.nan_to_num(clv, nan=0.0)[member], minlength=count)
        return np.concatenate(([np.nanmean(clv)], totals))

    intervals = clvmath.delta_intervals(figures_at, values.log_params, values.covariance, model.clv.interval)
    figures.mean_clv_interval = intervals[0]
    for seg, bounds in zip(figures.segments, intervals[1:]):
        seg.clv_total_interval = bounds


def _no_orders_table(model: Model, ids, net) -> CustomerTable:
    """The customer table of transactions without a single order: a row
    for each ID (whose every amount is <= 0), 0 orders, its net revenue,
    no other figure (the model columns empty, as for everyone's)."""
    ids = np.asarray(ids, dtype=object)
    order = text_order(ids)
    empty = np.full(len(ids), np.nan)
    fitted = None if model.clv.model == "historic" else empty
    return CustomerTable(
        customer=ids[order], segment=np.full(len(ids), None, dtype=object), orders=np.zeros(len(ids), np.int64),
        revenue=np.asarray(net, dtype=float)[order], frequency=empty, recency=empty, T=empty, monetary=empty,
        p_alive=fitted, expected_purchases=fitted, expected_spend=fitted, clv=empty)


def customer_table(model: Model, values: CustomerValues, segment: np.ndarray) -> CustomerTable | None:
    """The per-customer rows of ``copis export --customers``, sorted by
    customer ID: the customers, then the IDs whose rows are no orders (every
    amount <= 0), with 0 orders, their net revenue and no other figure."""
    if values.ids is None or values.rfm is None:
        return None
    extra_ids, extra_net = values.without_orders if values.without_orders is not None else ([], [])
    extra = len(extra_ids)
    ids = np.asarray(values.ids)
    if extra:
        ids = np.concatenate((ids.astype(object), np.asarray(extra_ids, dtype=object)))
    order = text_order(ids)
    names = np.array([seg.id for seg in model.segments.values()] + [None], dtype=object)
    rfm = values.rfm

    def column(array, fill=np.nan):
        if array is None:
            return None
        return np.concatenate((np.asarray(array, dtype=float), np.full(extra, fill)))[order]

    return CustomerTable(
        customer=ids[order],
        segment=names[np.concatenate((segment, np.full(extra, -1)))[order]],  # -1: the None at the end
        orders=np.concatenate((np.asarray(values.orders, dtype=np.int64), np.zeros(extra, np.int64)))[order],
        revenue=np.concatenate((np.asarray(values.revenue, dtype=float), np.asarray(extra_net, float)))[order],
        frequency=column(rfm.frequency), recency=column(rfm.recency), T=column(rfm.T),
        monetary=column(rfm.monetary_value), p_alive=column(values.p_alive),
        expected_purchases=column(values.expected_purchases), expected_spend=column(values.expected_spend),
        clv=column(values.clv))
