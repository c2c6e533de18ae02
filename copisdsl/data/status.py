"""Objective status: whether the measuring KPI's value meets the target."""

from __future__ import annotations

from copisdsl.data.figures import ObjectiveStatus

#: ``maintain`` is met while the value stays within this fraction of the
#: target (5%: a maintained 4% conversion rate is met from 3.8% to 4.2%).
MAINTAIN_TOLERANCE = 0.05


def objective_status(direction: str | None, target: float | None, value: float | None,
                     kpi: int | None = None) -> ObjectiveStatus:
    """``met`` / ``not_met`` / ``no_data``; status None without a target.

    increase: value >= target; decrease: value <= target; maintain:
    |value - target| <= MAINTAIN_TOLERANCE * |target| (equal when the target
    is 0).
    """
    if target is None or direction is None:
        return ObjectiveStatus(value, None, kpi)
    if value is None:
        return ObjectiveStatus(None, "no_data", kpi)
    # A hair of slack, so that 0.1 + 0.2 meets a target of 0.3.
    slack = 1e-9 * max(1.0, abs(target))
    if direction == "increase":
        met = value >= target - slack
    elif direction == "decrease":
        met = value <= target + slack
    else:
        met = abs(value - target) <= MAINTAIN_TOLERANCE * abs(target) + slack
    return ObjectiveStatus(value, "met" if met else "not_met", kpi)
