"""A transaction log drawn from the BG/NBD process with Gamma-Gamma-like
spend, for the CLV tests that need a whole log (fixed seed)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def bgnbd_log(customers: int = 1500, days: int = 540, seed: int = 7) -> pd.DataFrame:
    """Orders (customer_id, date, amount): first purchases spread over the
    first two thirds of ``days`` days from 2024-01-01, a Poisson purchase
    process per customer with a gamma rate, a drop-out after each purchase
    with a beta probability; text IDs ``C0001``..."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.8, 1 / 30.0, customers)
    drop = rng.beta(1.2, 6.0, customers)
    spend = rng.gamma(6.0, 8.0, customers)
    rows = []
    for c in range(customers):
        day = int(rng.integers(0, days * 2 // 3))
        while day < days:
            rows.append((f"C{c:04d}", day, round(float(rng.gamma(5.0, spend[c] / 5.0)), 2)))
            if rng.random() < drop[c]:
                break
            day += int(np.ceil(rng.exponential(1.0 / rate[c])))
    frame = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    frame["date"] = (np.datetime64("2024-01-01") + frame["day"].to_numpy().astype("timedelta64[D]")).astype(str)
    return frame[["customer_id", "date", "amount"]]


JOURNEY = """journey shop "Shop" {{
  data orders "orders.csv" {{ kind transactions{until} }}
  clv {{ {settings} }}
  segment vip "VIP" when clv >= 40
  segment rest "Rest"
  kpi value = clv(orders)
}}
"""


def write_journey(folder, log: pd.DataFrame, settings: str = "model bgnbd", until: str = ""):
    """``folder``/shop.copis over ``folder``/orders.csv; returns the journey's path."""
    log.to_csv(folder / "orders.csv", index=False)
    path = folder / "shop.copis"
    path.write_text(JOURNEY.format(settings=settings, until=f"  until {until}" if until else ""),
                    encoding="utf-8")
    return path
