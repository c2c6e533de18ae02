"""`copis check` of a journey with a BG/NBD CLV over a Parquet transaction
log, cold (an empty figures cache) and warm (the figures cached), with the
peak memory of each run; beside it, when `lifetimes` is importable, two
yardsticks timed in the same run (lifetimes stays a yardstick, never a
dependency):

- the same work as the check: read the Parquet file, the per-customer
  summary, the BG/NBD and Gamma-Gamma fits and a 36-month CLV of every
  customer (``customer_lifetime_value``), its modules imported first,
  against the whole `copis check` cold (start, imports, reading, figures);
- ``summary_data_from_transaction_data`` and ``BetaGeoFitter.fit``, the
  issue's yardstick, against the same two steps of ours (the summary the
  engine computes from the file, and ``fit_bgnbd``).

Each is timed in a fresh interpreter of its own, after its imports, with
its first uses inside the time, as a user's first call pays them (pandas'
first ``read_parquet`` imports pyarrow's Parquet module, DuckDB's first
scan starts its threads; for lifetimes about 1 % of its time): timed in
this process after lifetimes' whole run, ours was 0.15-0.2 s slower (the
heap that run left behind), and in fresh processes started while this
one still held that heap, now and then too.

The issue's goals are for 2,000,000 orders and 200,000 customers: at most
4 s cold, 0.5 s warm, 1 GB of memory, and 5x faster than lifetimes (both
comparisons are printed with their ratio). Run
``python benchmarks/clv_check_speed.py [ORDERS [CUSTOMERS]]`` for another
size (a shared machine: 200000 20000).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # copisdsl itself, for the in-process comparison

from _timing import copis_peak  # noqa: E402
from clv_speed import make_log  # noqa: E402

GOALS = {"cold": 4.0, "warm": 0.5}
MEMORY_GOAL_MB = 1024
JOURNEY = """journey bench "CLV benchmark" {
  data orders "orders.parquet" {
    kind transactions
    customer customer
  }
  clv { model bgnbd }
  segment vip "VIP" when clv >= 100
  segment rest "Rest"
  kpi value = clv(orders)
}
"""


def _line(label: str, seconds: float, extra: str = "") -> None:
    print(f"{label:<52} {seconds:8.2f} s{extra}", flush=True)


def _verdict(ratio: float) -> str:
    return "  ok" if ratio >= 5 else "  (goal: 5x or more)"


def lifetimes_whole(parquet: Path) -> float:
    """Seconds lifetimes takes for what `copis check` computes: the file
    read, the summary, both fits and every customer's CLV over 36 months
    (lifetimes' discount rate is monthly: our 10 % a year, as a month's)."""
    import warnings

    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pd.read_parquet(parquet)
        rows = summary_data_from_transaction_data(log, "customer", "date", monetary_value_col="amount", freq="D")
        bg = BetaGeoFitter().fit(rows["frequency"], rows["recency"], rows["T"])
        repeat = rows[(rows["frequency"] > 0) & (rows["monetary_value"] > 0)]
        gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
        gg.customer_lifetime_value(bg, rows["frequency"], rows["recency"], rows["T"], rows["monetary_value"],
                                   time=36, freq="D", discount_rate=1.10 ** (1 / 12) - 1)
    return time.perf_counter() - start


def lifetimes_summary_fit(parquet: Path) -> float:
    """Seconds of lifetimes' summary and BG/NBD fit from the file (read by
    pandas: ours is read by the engine as it summarises), its modules
    imported beforehand."""
    import pandas as pd
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import summary_data_from_transaction_data

    start = time.perf_counter()
    log = pd.read_parquet(parquet)
    rows = summary_data_from_transaction_data(log, "customer", "date", monetary_value_col="amount", freq="D")
    BetaGeoFitter().fit(rows["frequency"], rows["recency"], rows["T"])
    return time.perf_counter() - start


def ours_summary_fit(folder: Path) -> float:
    """Seconds of our per-customer summary of the journey's file (as the
    check reads it) and the BG/NBD fit, our modules imported beforehand
    (as lifetimes' are)."""
    import duckdb  # noqa: F401
    import sqlglot  # noqa: F401

    from copisdsl import api
    from copisdsl.data.clv import fit_bgnbd
    from copisdsl.data.engines import connect, duck, queries, summary, table  # noqa: F401
    from copisdsl.data.sources import TableSource

    result = api.check_file(folder / "bench.copis", data=False)
    start = time.perf_counter()
    source = TableSource(result.model, folder, folder)
    rfm = source.transactions_of("orders").rfm("day")
    fit_bgnbd(rfm.frequency, rfm.recency, rfm.T)
    seconds = time.perf_counter() - start
    source.close()
    return seconds


#: the in-process yardsticks, each run by ``fresh`` in an interpreter of its own
TIMED = {"ours": ours_summary_fit,
         "lifetimes": lambda folder: lifetimes_summary_fit(folder / "orders.parquet"),
         "lifetimes whole": lambda folder: lifetimes_whole(folder / "orders.parquet")}


def fresh(name: str, folder: Path, env: dict[str, str], runs: int = 2) -> float:
    """The fastest of ``runs`` timings of ``TIMED[name]``, each in a fresh
    interpreter; a failed run stops the benchmark with the child's error."""
    best = float("inf")
    for _ in range(runs):
        done = subprocess.run([sys.executable, __file__, "--time", name, str(folder)], capture_output=True,
                              text=True, env=env, check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"timing {name!r} failed (exit {done.returncode})")
        best = min(best, float(done.stdout.split()[-1]))
    return best


def main() -> int:
    if sys.argv[1:2] == ["--time"]:  # one timing for `fresh`
        print(TIMED[sys.argv[2]](Path(sys.argv[3])))
        return 0
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    customers = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    log = make_log(n_rows=orders, n_customers=customers)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        log.to_parquet(folder / "orders.parquet", index=False)
        del log  # the yardsticks read the file, as the check does; the timed processes start beside less
        (folder / "bench.copis").write_text(JOURNEY, encoding="utf-8")
        env = {**os.environ, "XDG_CACHE_HOME": str(folder / "cache"), "COPIS_NO_FIGURES_CACHE": "0",
               "PYTHONPATH": str(HERE.parent)}
        print(f"# {orders:,} orders, {customers:,} customers, Parquet; machine load: "
              f"{os.getloadavg()[0]:.1f} (timings are under that load)", flush=True)
        # The grammar's cache is made once by any check; "cold" is the figures' cache only.
        (folder / "plain.copis").write_text('journey plain "Plain" {}\n', encoding="utf-8")
        copis_peak(["check", str(folder / "plain.copis")], env)
        results = {}
        for kind in ("cold", "warm"):
            seconds, mb, code = copis_peak(["check", str(folder / "bench.copis")], env)
            results[kind] = seconds
            goal = GOALS[kind] if orders >= 2_000_000 else None
            verdict = "" if goal is None else ("  ok" if seconds <= goal else f"  over the {goal:g} s goal")
            _line(f"copis check, figures cache {kind}", seconds,
                  f"  peak {mb:,.0f} MB{'' if mb <= MEMORY_GOAL_MB else ' (over 1 GB)'}{verdict}"
                  + (f"  exit {code}" if code else ""))
        try:
            import lifetimes  # noqa: F401
        except ImportError:
            print("# lifetimes not installed: no comparison (make bench installs it into the venv)")
            return 0
        theirs = fresh("lifetimes whole", folder, env, runs=1)
        _line("lifetimes, the same work (read, fits, 36-month CLV)", theirs,
              f"   {theirs / results['cold']:.1f}x the time of copis check cold{_verdict(theirs / results['cold'])}")
        ours, theirs = fresh("ours", folder, env), fresh("lifetimes", folder, env)
        _line("copis summary of the file + fit_bgnbd, fresh process", ours)
        _line("lifetimes read + summary + BetaGeoFitter.fit", theirs,
              f"   {theirs / ours:.1f}x the time of ours{_verdict(theirs / ours)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
