"""Write the example journeys' data files into examples/data/ (fixed seed).

    python examples/generate_data.py

Small, realistic files that exercise every reader:

- ``skincare_orders.csv``: one row per order (customer_id, order_date,
  revenue, channel), drawn from the BG/NBD purchase process with
  Gamma-Gamma spend, so that ``clv { model bgnbd }`` has something real to fit;
- ``skincare_survey.csv``: survey answers (NPS score 0-10, CSAT 1-5) by stage;
- ``skincare_funnel.csv``: weekly funnel counts (impressions, visits, orders)
  per touchpoint;
- ``smartphone_orders.parquet``: phones, plans and accessories per customer;
- ``smartphone_feedback.jsonl``: feedback after each touchpoint (JSON Lines);
- ``smartphone_stores.tsv``: weekly store counts (visitors, sales, transfers).

The output is byte-identical from run to run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240611
OUT = Path(__file__).resolve().parent / "data"
START = np.datetime64("2024-01-01")
END = np.datetime64("2025-06-30")  # the examples' `until`


def bgnbd_orders(rng, customers: int, *, r: float, alpha: float, a: float, b: float,
                 p: float, q: float, gamma: float, first_window: int) -> pd.DataFrame:
    """Purchase days from BG/NBD (Poisson purchases at a gamma-distributed
    rate, drop-out after each repeat purchase with a beta-distributed
    probability) and amounts from Gamma-Gamma (per-customer mean spend)."""
    horizon = int((END - START).astype(int))
    rows_c, rows_d, rows_a = [], [], []
    lam = rng.gamma(r, 1.0 / alpha, customers)
    drop = rng.beta(a, b, customers)
    nu = rng.gamma(q, 1.0 / gamma, customers)
    first = rng.integers(0, first_window, customers)
    for c in range(customers):
        day = float(first[c])
        days = [day]
        while True:
            day += rng.exponential(1.0 / lam[c])
            if day > horizon:
                break
            days.append(day)
            if rng.random() < drop[c]:
                break
        spend = rng.gamma(p, 1.0 / nu[c], len(days))
        rows_c += [c] * len(days)
        rows_d += [int(d) for d in days]
        rows_a += list(spend)
    frame = pd.DataFrame({"customer": rows_c, "day": rows_d, "amount": rows_a})
    return frame.sort_values(["day", "customer"], kind="stable").reset_index(drop=True)


def skincare(rng) -> None:
    orders = bgnbd_orders(rng, 1400, r=0.45, alpha=60.0, a=0.7, b=3.2, p=6.0, q=4.0, gamma=22.0,
                          first_window=420)
    frame = pd.DataFrame({
        "order_id": [f"SK{100001 + i}" for i in range(len(orders))],
        "customer_id": [f"C{10000 + c}" for c in orders["customer"]],
        "order_date": (START + orders["day"].to_numpy().astype("timedelta64[D]")).astype(str),
        "revenue": orders["amount"].clip(lower=9.0).round(2),
        "channel": rng.choice(["web", "app", "email"], len(orders), p=[0.55, 0.3, 0.15]),
    })
    frame.to_csv(OUT / "skincare_orders.csv", index=False)

    n = 640
    stage = rng.choice(["purchase", "post_purchase"], n, p=[0.45, 0.55])
    touchpoint = np.where(stage == "purchase", "checkout", "restock_mail")
    score = np.where(stage == "purchase",
                     rng.choice(11, n, p=[.01, .01, .02, .03, .04, .06, .08, .15, .2, .2, .2]),
                     rng.choice(11, n, p=[.01, .01, .01, .02, .03, .04, .06, .12, .2, .24, .26]))
    csat = np.clip(np.round(score / 2.2 + rng.normal(0.6, 0.6, n)), 1, 5).astype(int)
    pd.DataFrame({
        "response_id": np.arange(1, n + 1),
        "answered_on": (START + rng.integers(0, 547, n).astype("timedelta64[D]")).astype(str),
        "stage": stage, "touchpoint": touchpoint,
        "channel": rng.choice(["web", "app", "email"], n, p=[0.5, 0.3, 0.2]),
        "score": score, "csat": csat,
    }).to_csv(OUT / "skincare_survey.csv", index=False)

    weeks = START + np.arange(0, 78 * 7, 7).astype("timedelta64[D]")
    rows = []
    for week in weeks:
        impressions = int(rng.normal(19000, 1800))
        rows.append((str(week), "insta_ad", impressions, int(impressions * rng.uniform(0.011, 0.016)), 0))
        visits = int(rng.normal(2400, 200))
        rows.append((str(week), "checkout", 0, visits, int(rng.binomial(visits, 0.037))))
    pd.DataFrame(rows, columns=["week", "touchpoint", "impressions", "visits", "orders"]) \
        .to_csv(OUT / "skincare_funnel.csv", index=False)


def smartphone(rng) -> None:
    orders = bgnbd_orders(rng, 900, r=0.5, alpha=120.0, a=0.8, b=2.5, p=2.0, q=3.0, gamma=60.0,
                          first_window=500)
    first = ~orders.duplicated("customer")
    kind = np.where(first, "phone", rng.choice(["accessory", "plan_upgrade", "phone"], len(orders),
                                               p=[0.6, 0.3, 0.1]))
    base = np.select([kind == "phone", kind == "plan_upgrade"],
                     [rng.normal(640, 180, len(orders)), rng.normal(120, 30, len(orders))],
                     orders["amount"].to_numpy())
    pd.DataFrame({
        "customer": [f"M{5000 + c}" for c in orders["customer"]],
        "ordered_at": pd.to_datetime(START + orders["day"].to_numpy().astype("timedelta64[D]"))
        + pd.to_timedelta(rng.integers(9 * 60, 20 * 60, len(orders)), unit="min"),
        "amount": np.clip(base, 15.0, None).round(2),
        "item": kind,
        "store": rng.choice(["berlin", "hamburg", "online"], len(orders), p=[0.4, 0.25, 0.35]),
    }).to_parquet(OUT / "smartphone_orders.parquet", index=False)

    n = 520
    touchpoint = rng.choice(["compare", "store_visit", "setup", "first_bill"], n)
    csat = rng.choice([1, 2, 3, 4, 5], n, p=[0.05, 0.08, 0.17, 0.4, 0.3])
    csat = np.where(touchpoint == "store_visit", np.maximum(csat - rng.integers(0, 2, n), 1), csat)
    complaint = (touchpoint == "first_bill") & (rng.random(n) < 0.11)
    records = pd.DataFrame({
        "touchpoint": touchpoint, "csat": csat,
        "recommend": np.clip(np.round(csat * 2 + rng.normal(0, 1.2, n)), 0, 10).astype(int),
        "complaint": complaint.astype(int),
        "waited_minutes": np.where(touchpoint == "store_visit", rng.gamma(2.0, 6.0, n).round(1), None),
    })
    records.to_json(OUT / "smartphone_feedback.jsonl", orient="records", lines=True)

    weeks = START + np.arange(0, 78 * 7, 7).astype("timedelta64[D]")
    rows = []
    for week in weeks:
        for store, size in (("berlin", 520), ("hamburg", 340)):
            visitors = int(rng.normal(size, size * 0.08))
            sales = int(rng.binomial(visitors, 0.42))
            transfers = int(rng.binomial(sales, 0.8))
            rows.append((str(week), store, visitors, sales, transfers, int(rng.binomial(transfers, 0.972))))
    pd.DataFrame(rows, columns=["week", "store", "visitors", "sales", "transfers", "transfers_ok"]) \
        .to_csv(OUT / "smartphone_stores.tsv", sep="\t", index=False)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(SEED)
    skincare(rng)
    smartphone(rng)
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parent)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
