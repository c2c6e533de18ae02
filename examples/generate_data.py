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
- ``smartphone_stores.tsv``: weekly store counts (visitors, sales, transfers);
- ``petfood_orders.csv``, ``petfood_funnel.csv``, ``petfood_survey.csv``:
  a pet food subscription's orders, weekly visits and conversions of each of
  its touchpoints, and survey answers per touchpoint;
- ``bank_funnel.csv``, ``bank_survey.csv``: the same for opening a current
  account (no orders: a bank counts accounts, not purchases);
- ``eyewear_events.csv``, ``eyewear_orders.csv``, ``eyewear_survey.csv``:
  an online optician's event log (one row per customer interaction, the
  customers walking the journey's flows), the orders those walks end in
  (an order whenever a walk reaches the order confirmation) and survey
  answers per touchpoint.

The realistic examples draw from generators of their own (``SEED + 1``,
``SEED + 2``, ``SEED + 3``), so that adding one never changes the others' files.

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


def funnel(rng, steps: dict[str, tuple[int, float]], weeks: int = 78) -> pd.DataFrame:
    """Weekly ``visits`` and ``conversions`` per touchpoint: ``steps`` maps
    a touchpoint to (typical weekly visits, conversion rate)."""
    days = START + np.arange(0, weeks * 7, 7).astype("timedelta64[D]")
    rows = []
    for week in days:
        for touchpoint, (visits, rate) in steps.items():
            seen = max(0, int(rng.normal(visits, visits * 0.07)))
            rows.append((str(week), touchpoint, seen, int(rng.binomial(seen, rate))))
    return pd.DataFrame(rows, columns=["week", "touchpoint", "visits", "conversions"])


def survey(rng, moods: dict[str, float], answers: int) -> pd.DataFrame:
    """Survey answers: a 0-10 recommend score and a 1-5 CSAT per
    touchpoint, centred on ``moods`` (a typical CSAT per touchpoint)."""
    names = list(moods)
    touchpoint = rng.choice(names, answers)
    centre = np.array([moods[t] for t in touchpoint])
    csat = np.clip(np.round(rng.normal(centre, 0.9)), 1, 5).astype(int)
    score = np.clip(np.round(csat * 2.1 - 0.6 + rng.normal(0, 1.3, answers)), 0, 10).astype(int)
    return pd.DataFrame({
        "response_id": np.arange(1, answers + 1),
        "answered_on": (START + rng.integers(0, 547, answers).astype("timedelta64[D]")).astype(str),
        "touchpoint": touchpoint, "score": score, "csat": csat,
    })


PETFOOD_FUNNEL = {
    "vet_tip": (5200, 0.06), "social_video": (21000, 0.018), "search_ad": (8800, 0.045),
    "food_finder": (3100, 0.52), "product_page": (4600, 0.21), "reviews": (2300, 0.34),
    "trial_box": (980, 0.71), "checkout": (1150, 0.78), "first_delivery": (820, 0.96),
    "feeding_plan": (760, 0.64), "reorder_prompt": (1900, 0.58), "referral": (640, 0.19),
}
PETFOOD_MOODS = {
    "vet_tip": 4.0, "food_finder": 4.2, "product_page": 3.6, "trial_box": 3.9, "checkout": 3.1,
    "first_delivery": 4.4, "transition_guide": 3.4, "support_chat": 2.6, "reorder_prompt": 4.1,
    "skip_or_pause": 3.0, "review_request": 3.8, "referral": 4.3,
}
BANK_FUNNEL = {
    "comparison_site": (14000, 0.09), "branch_poster": (6000, 0.02), "landing_page": (9100, 0.24),
    "fee_calculator": (2700, 0.41), "application": (2100, 0.63), "id_check": (1350, 0.81),
    "card_delivery": (1080, 0.97), "app_activation": (1050, 0.86), "salary_switch": (900, 0.44),
    "refer_friend": (700, 0.12),
}
BANK_MOODS = {
    "landing_page": 3.7, "application": 3.2, "id_check": 2.3, "video_ident": 2.8, "card_delivery": 4.2,
    "app_activation": 4.0, "salary_switch": 2.9, "first_statement": 3.6, "overdraft_alert": 3.3,
    "refer_friend": 4.1,
}


def petfood(rng) -> None:
    orders = bgnbd_orders(rng, 1100, r=0.9, alpha=40.0, a=0.9, b=4.0, p=8.0, q=5.0, gamma=14.0,
                          first_window=380)
    pd.DataFrame({
        "order_id": [f"PF{200001 + i}" for i in range(len(orders))],
        "customer_id": [f"P{30000 + c}" for c in orders["customer"]],
        "order_date": (START + orders["day"].to_numpy().astype("timedelta64[D]")).astype(str),
        "revenue": orders["amount"].clip(lower=12.0).round(2),
        "channel": rng.choice(["web", "app"], len(orders), p=[0.6, 0.4]),
    }).to_csv(OUT / "petfood_orders.csv", index=False)
    funnel(rng, PETFOOD_FUNNEL).to_csv(OUT / "petfood_funnel.csv", index=False)
    survey(rng, PETFOOD_MOODS, 900).to_csv(OUT / "petfood_survey.csv", index=False)


def bank(rng) -> None:
    funnel(rng, BANK_FUNNEL).to_csv(OUT / "bank_funnel.csv", index=False)
    survey(rng, BANK_MOODS, 760).to_csv(OUT / "bank_survey.csv", index=False)


# Where a customer goes next from each touchpoint of the eyewear journey:
# (next touchpoint, probability); what is left of 1 is leaving the journey.
# Every step is a flow of examples/eyewear_online.copis.
EYEWEAR_START = {"insta_ad": 0.34, "search_ad": 0.26, "optician_mail": 0.12, "youtube_review": 0.16,
                 "friend_glasses": 0.12}
EYEWEAR_NEXT = {
    "insta_ad": [("frame_quiz", 0.38), ("virtual_tryon", 0.22)],
    "search_ad": [("frame_quiz", 0.30), ("price_check", 0.34)],
    "optician_mail": [("home_tryon", 0.40), ("frame_quiz", 0.25)],
    "youtube_review": [("virtual_tryon", 0.45), ("reviews", 0.20)],
    "friend_glasses": [("home_tryon", 0.45), ("virtual_tryon", 0.30)],
    "frame_quiz": [("virtual_tryon", 0.62), ("home_tryon", 0.18)],
    "price_check": [("reviews", 0.40), ("virtual_tryon", 0.25)],
    "reviews": [("virtual_tryon", 0.45), ("home_tryon", 0.25)],
    "virtual_tryon": [("prescription", 0.46), ("home_tryon", 0.20)],
    "home_tryon": [("prescription", 0.72)],
    "prescription": [("lens_options", 0.78), ("support_chat", 0.10)],
    "lens_options": [("checkout", 0.80)],
    "checkout": [("order_confirmation", 0.74), ("payment_plan", 0.12)],
    "payment_plan": [("order_confirmation", 0.70)],
    "order_confirmation": [("lab_update", 0.95)],
    "lab_update": [("delivery", 0.97)],
    "delivery": [("fit_check", 0.88), ("support_chat", 0.08)],
    "fit_check": [("adjustment", 0.18), ("care_guide", 0.55), ("review_request", 0.20)],
    "adjustment": [("care_guide", 0.60), ("review_request", 0.25)],
    "support_chat": [("lens_options", 0.35), ("adjustment", 0.30)],
    "care_guide": [("review_request", 0.45), ("sunglasses_offer", 0.30)],
    "review_request": [("referral", 0.30), ("sunglasses_offer", 0.28), ("renewal_reminder", 0.20)],
    "sunglasses_offer": [("lens_options", 0.26)],
    "renewal_reminder": [("prescription", 0.40)],
    "referral": [("photo_share", 0.35), ("renewal_reminder", 0.25)],
    "photo_share": [],
}
# mean days spent before the next step, from each touchpoint
EYEWEAR_DAYS = {"order_confirmation": 0.1, "lab_update": 4.0, "delivery": 1.5, "fit_check": 6.0,
                "care_guide": 20.0, "review_request": 30.0, "sunglasses_offer": 45.0, "referral": 25.0,
                "renewal_reminder": 14.0, "home_tryon": 5.0}
EYEWEAR_MOODS = {
    "frame_quiz": 4.1, "virtual_tryon": 3.8, "home_tryon": 4.4, "prescription": 2.7, "lens_options": 3.0,
    "checkout": 3.5, "delivery": 4.5, "fit_check": 3.6, "adjustment": 2.9, "support_chat": 3.2,
    "review_request": 3.9, "referral": 4.3,
}


def eyewear(rng) -> None:
    """Walks through the eyewear journey: per customer a start, then one
    step at a time along the flows, a few days apart, until they leave or
    the observation period ends. Reaching the order confirmation is an
    order (a complete pair, then cheaper repeat pairs)."""
    horizon = int((END - START).astype(int))
    starts, weights = list(EYEWEAR_START), np.array(list(EYEWEAR_START.values()))
    events_c, events_t, events_d, orders_c, orders_d, orders_a = [], [], [], [], [], []
    customers = 4200
    taste = rng.gamma(6.0, 1.0 / 0.03, customers)  # mean spend per pair, per customer
    for c in range(customers):
        day = float(rng.integers(0, horizon - 60))
        here = starts[rng.choice(len(starts), p=weights / weights.sum())]
        pairs = 0
        for _ in range(60):
            events_c.append(c)
            events_t.append(here)
            events_d.append(int(day))
            if here == "order_confirmation":
                orders_c.append(c)
                orders_d.append(int(day))
                orders_a.append(rng.gamma(8.0, taste[c] / 8.0) * (1.0 if pairs == 0 else 0.7))
                pairs += 1
            steps = EYEWEAR_NEXT[here]
            pick = rng.random()
            nxt = None
            for target, p in steps:
                if pick < p:
                    nxt = target
                    break
                pick -= p
            day += rng.exponential(EYEWEAR_DAYS.get(here, 1.2))
            if nxt is None or day > horizon:
                break
            here = nxt
    order = np.lexsort((np.arange(len(events_d)), events_d))
    pd.DataFrame({
        "event_id": np.arange(1, len(order) + 1),
        "customer_id": [f"E{50000 + events_c[k]}" for k in order],
        "touchpoint": [events_t[k] for k in order],
        "date": [str(START + np.timedelta64(events_d[k], "D")) for k in order],
    }).to_csv(OUT / "eyewear_events.csv", index=False)
    by_day = np.lexsort((orders_c, orders_d))
    pd.DataFrame({
        "order_id": [f"EY{700001 + i}" for i in range(len(by_day))],
        "customer_id": [f"E{50000 + orders_c[k]}" for k in by_day],
        "order_date": [str(START + np.timedelta64(orders_d[k], "D")) for k in by_day],
        "revenue": [round(max(orders_a[k], 39.0), 2) for k in by_day],
    }).to_csv(OUT / "eyewear_orders.csv", index=False)
    survey(rng, EYEWEAR_MOODS, 1100).to_csv(OUT / "eyewear_survey.csv", index=False)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(SEED)
    skincare(rng)
    smartphone(rng)
    petfood(np.random.default_rng(SEED + 1))
    bank(np.random.default_rng(SEED + 2))
    eyewear(np.random.default_rng(SEED + 3))
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parent)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
