"""Figures: what the data says about a journey, as plain values.

Made by ``copisdsl.data.enrich`` from a ``Model`` and its data files; read by
the renderers and the JSON export. Keys are the model's declaration indexes
(``Kpi.index``, ``Objective.index``), so no renderer needs pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class KpiValue:
    """A KPI's value; ``value`` is None when it has none (``note`` says why)."""

    name: str
    scope: str
    kind: str  # rate | points | money | count | days | number
    value: float | None
    baseline: float | None = None
    note: str | None = None
    # ``by segment`` (§12.1): declared segment id -> value, in declaration
    # order; None for a KPI without ``by segment``.
    by_segment: dict[str, float | None] | None = None

    @property
    def change(self) -> float | None:
        """Value minus baseline, when both exist."""
        if self.value is None or self.baseline is None:
            return None
        return self.value - self.baseline


@dataclass(slots=True)
class ObjectiveStatus:
    """``status`` is met, not_met or no_data; None when there is no target."""

    value: float | None
    status: str | None
    kpi: int | None = None  # index of the measuring KPI


@dataclass(slots=True)
class SegmentFigures:
    id: str
    title: str
    customers: int
    share: float
    revenue: float
    clv_total: float
    clv_mean: float
    clv_share: float
    clv_total_interval: tuple[float, float] | None = None  # with `interval`


@dataclass(slots=True)
class HoldoutFigures:
    """The holdout comparison (reference §14): over the last ``days`` days,
    the repeat purchases the model fitted before them predicts for the
    ``customers`` it was fitted on, against the actual ones; ``tracking``
    holds per week ``(day, predicted, actual)``, cumulated."""

    days: int
    customers: int
    predicted: float
    actual: int
    mae: float
    tracking: list[tuple[int, float, int]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class CustomerTable:
    """One row per customer, sorted by customer ID (text order), as
    parallel columns (reference §14, ``copis export --customers``): numpy
    arrays (the table of 200,000 customers is kept in the figures cache,
    where lists of Python floats would be several times larger and slower).
    ``customer`` holds text, ``segment`` the declared segment ID or None,
    ``orders`` integers, the rest floats (NaN: no value). The model columns
    (``p_alive``, ``expected_purchases``, ``expected_spend``) are None for
    the historic CLV."""

    customer: Any
    segment: Any
    orders: Any
    revenue: Any
    frequency: Any
    recency: Any
    T: Any
    monetary: Any
    p_alive: Any | None
    expected_purchases: Any | None
    expected_spend: Any | None
    clv: Any

    COLUMNS = ("customer", "segment", "orders", "revenue", "frequency", "recency", "T", "monetary",
               "p_alive", "expected_purchases", "expected_spend", "clv")


@dataclass(slots=True)
class Reach:
    """Who passed through a touchpoint, from the event log (§12.2)."""

    customers: int
    share: float  # of the distinct customers in the log
    value_at_stake: float | None  # their summed CLV; None without CLV
    segments: dict[str, int]  # declared segment id -> customers, declaration order


@dataclass(slots=True)
class FlowVolume:
    """How many customers took a flow edge, from the event log (§12.2)."""

    customers: int
    conversion: float | None  # customers / reach of the source; None when that reach is 0
    median_days: float | None


@dataclass(slots=True)
class FitSummary:
    """How the CLV models' fit went: the purchase model's (BG/NBD or
    Pareto/NBD) maximised log-likelihood, which is what compares the two
    models on one log (the Gamma-Gamma spend model, fitted independently, is
    the same for both); whether both fits converged; and every parameter's
    standard error from the observed information (NaN where there is none)."""

    log_likelihood: float
    converged: bool
    standard_errors: dict[str, float]


@dataclass(slots=True)
class ClvFigures:
    model: str  # historic | bgnbd | pareto
    unit: str  # day | week
    margin: float
    discount: float
    horizon_months: float
    params: dict[str, float]
    mean_clv: float | None
    customers: int
    segments: list[SegmentFigures] = field(default_factory=list)
    fit: FitSummary | None = None  # None for historic, and without a fit
    interval: float | None = None  # the level of the intervals, when asked for
    mean_clv_interval: tuple[float, float] | None = None
    holdout: HoldoutFigures | None = None
    holdout_note: str | None = None  # why there is no holdout comparison, when asked for one
    interval_note: str | None = None  # why there are no intervals, when asked for
    #: customers per tenth of P(alive) (0-10%, ..., 90-100%); None without a purchase model
    p_alive_histogram: list[int] | None = None
    #: the per-customer rows (not compared: the figures are the summary above)
    table: CustomerTable | None = field(default=None, compare=False)


@dataclass(slots=True)
class Figures:
    """All figures of one journey."""

    kpis: dict[int, KpiValue] = field(default_factory=dict)
    objectives: dict[int, ObjectiveStatus] = field(default_factory=dict)
    clv: ClvFigures | None = None
    reach: dict[str, Reach] | None = None  # touchpoint id -> Reach; None without an event log
    flow_volumes: list[FlowVolume] | None = None  # parallel to Model.flows; None without an event log
    inputs: list[str] = field(default_factory=list)  # data files read (absolute paths)

    def kpi(self, index: int) -> KpiValue | None:
        return self.kpis.get(index)
