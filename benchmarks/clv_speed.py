"""Speed benchmark of the CLV mathematics (``copisdsl.data.clv``).

Run with ``python benchmarks/clv_speed.py``.  Generates a synthetic
transaction log of 1,000,000 order rows for 100,000 customers (fixed seed)
and prints one line per timing (best of three runs for our functions).  When the optional ``lifetimes`` package is
importable, its ``summary_data_from_transaction_data`` and
``BetaGeoFitter.fit`` are timed on the same data and the ratios printed.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import time

import numpy as np
import pandas as pd

N_ROWS = 1_000_000
N_CUSTOMERS = 100_000
SEED = 20240611
START = np.datetime64("2022-01-01T00:00:00", "ns")
WINDOW_DAYS = 730


def _load_clv():
    """Import ``copisdsl.data.clv``; fall back to loading the file directly so the
    benchmark does not depend on the rest of the package importing cleanly."""
    root = pathlib.Path(__file__).resolve().parents[1]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        from copisdsl.data import clv  # noqa: PLC0415
        return clv
    except Exception:  # noqa: BLE001 - any failure of the package import
        spec = importlib.util.spec_from_file_location("copisdsl_clv", root / "copisdsl" / "clv.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module


def make_log(seed: int = SEED, n_rows: int = N_ROWS, n_customers: int = N_CUSTOMERS) -> pd.DataFrame:
    """A synthetic log drawn from the BG/NBD process (so the model fits are
    meaningful): 100k customers with first days spread over a two-year
    window, purchase days from a Poisson process with gamma-distributed rates
    and beta-geometric drop-out, padded to exactly 1M rows with extra orders
    on existing purchase days (or thinned at random), gamma-distributed
    amounts around a per-customer mean, customer ids as strings (the sizes
    are ``n_rows`` and ``n_customers``)."""
    N_ROWS, N_CUSTOMERS = n_rows, n_customers  # noqa: N806 - the module's defaults, overridden
    rng = np.random.default_rng(seed)
    r, alpha, a, b = 0.7, 12.0, 1.3, 20.0  # per day
    first_day = rng.integers(0, WINDOW_DAYS, N_CUSTOMERS)
    T = (WINDOW_DAYS - 1 - first_day).astype(float)
    lam = rng.gamma(r, 1.0 / alpha, N_CUSTOMERS)
    drop = rng.beta(a, b, N_CUSTOMERS)
    n_events = rng.poisson(lam * T)
    x = np.minimum(n_events, rng.geometric(drop))
    # the first x of n_events sorted uniform times on (0, T]
    owner = np.repeat(np.arange(N_CUSTOMERS), n_events)
    times = rng.uniform(0.0, 1.0, owner.size) * T[owner]
    order = np.lexsort((times, owner))
    owner, times = owner[order], times[order]
    rank = np.arange(owner.size) - np.repeat(np.cumsum(n_events) - n_events, n_events)
    keep = rank < x[owner]
    cust = np.concatenate([np.arange(N_CUSTOMERS), owner[keep]])
    day = np.concatenate([first_day, first_day[owner[keep]] + np.ceil(times[keep]).astype(np.int64)])
    if cust.size > N_ROWS:  # thin repeat rows at random
        drop_rows = N_CUSTOMERS + rng.choice(cust.size - N_CUSTOMERS, cust.size - N_ROWS, replace=False)
        mask = np.ones(cust.size, dtype=bool)
        mask[drop_rows] = False
        cust, day = cust[mask], day[mask]
    elif cust.size < N_ROWS:  # extra orders on existing purchase days
        dup = rng.integers(0, cust.size, N_ROWS - cust.size)
        cust, day = np.concatenate([cust, cust[dup]]), np.concatenate([day, day[dup]])
    seconds = rng.integers(8 * 3600, 22 * 3600, N_ROWS)
    date = START + (day * 86_400 + seconds).astype("timedelta64[s]")
    mean_spend = rng.gamma(4.0, 10.0, N_CUSTOMERS)
    amount = np.round(rng.gamma(5.0, 1.0, N_ROWS) * mean_spend[cust] / 5.0, 2)
    perm = rng.permutation(N_ROWS)
    ids = np.char.add("C", np.char.zfill(cust.astype(str), 6))
    return pd.DataFrame({
        "customer": pd.Series(ids[perm], dtype="str"),
        "date": pd.Series(date[perm]),
        "amount": amount[perm],
    })


def _timed(fn, repeat: int = 1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def _line(name: str, seconds: float, extra: str = "") -> None:
    print(f"{name:<22} {seconds:6.2f} s{extra}")


def main() -> None:
    clv = _load_clv()
    t0 = time.perf_counter()
    log = make_log()
    print(f"# synthetic log: {len(log):,} rows, {log['customer'].nunique():,} customers "
          f"(generated in {time.perf_counter() - t0:.1f} s)")

    rfm, t_rfm = _timed(lambda: clv.rfm_summary(log["customer"], log["date"], log["amount"]), repeat=3)
    _line("rfm_summary", t_rfm)
    _, t_hist = _timed(lambda: clv.historic_clv(rfm, margin=0.3, discount=0.1, horizon_years=3), repeat=3)
    _line("historic_clv", t_hist)
    bg, t_bg = _timed(lambda: clv.fit_bgnbd(rfm.frequency, rfm.recency, rfm.T), repeat=3)
    _line("fit_bgnbd", t_bg)
    gg, t_gg = _timed(lambda: clv.fit_gamma_gamma(rfm.frequency, rfm.monetary_value), repeat=3)
    _line("fit_gamma_gamma", t_gg)
    _, t_clv = _timed(lambda: clv.bgnbd_clv(rfm, bg, gg, margin=0.3, discount=0.1, horizon_months=12), repeat=3)
    _line("bgnbd_clv (12 months)", t_clv)
    print(f"# BG/NBD r={bg.r:.4g} alpha={bg.alpha:.4g} a={bg.a:.4g} b={bg.b:.4g} LL={bg.log_likelihood:.6g}")
    print(f"# Gamma-Gamma p={gg.p:.4g} q={gg.q:.4g} v={gg.v:.4g} LL={gg.log_likelihood:.6g}")

    try:
        from lifetimes import BetaGeoFitter  # noqa: PLC0415
        from lifetimes.utils import summary_data_from_transaction_data  # noqa: PLC0415
    except Exception:  # noqa: BLE001 - optional comparison only
        print("# lifetimes not importable: comparison skipped")
        return
    summary, t_lt = _timed(lambda: summary_data_from_transaction_data(
        log, "customer", "date", monetary_value_col="amount", freq="D"))
    _line("lifetimes summary", t_lt, f"   (x{t_lt / t_rfm:.1f} vs rfm_summary)")
    fitter = BetaGeoFitter()
    _, t_ltfit = _timed(lambda: fitter.fit(summary["frequency"], summary["recency"], summary["T"]))
    _line("lifetimes BG/NBD fit", t_ltfit, f"   (x{t_ltfit / t_bg:.1f} vs fit_bgnbd)")


if __name__ == "__main__":
    main()
