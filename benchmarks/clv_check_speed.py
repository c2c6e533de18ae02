"""`copis check` of a journey with a BG/NBD CLV over a Parquet transaction
log, cold (an empty figures cache) and warm (the figures cached), with the
peak memory of each run; beside it, when `lifetimes` is importable, its
``summary_data_from_transaction_data`` and ``BetaGeoFitter.fit`` of the same
log, timed in the same run (a yardstick only, never a dependency).

The issue's goals are for 2,000,000 orders and 200,000 customers: at most
4 s cold, 0.5 s warm, 1 GB of memory, and 5x faster than lifetimes. Run
``python benchmarks/clv_check_speed.py [ORDERS [CUSTOMERS]]`` for another
size (a shared machine: 200000 20000).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

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
    print(f"{label:<44} {seconds:8.2f} s{extra}", flush=True)


def main() -> int:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    customers = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    log = make_log(n_rows=orders, n_customers=customers)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        log.to_parquet(folder / "orders.parquet", index=False)
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
            from lifetimes import BetaGeoFitter
            from lifetimes.utils import summary_data_from_transaction_data
        except ImportError:
            print("# lifetimes not installed: no comparison (make bench installs it into the venv)")
            return 0
        start = time.perf_counter()
        summary = summary_data_from_transaction_data(log, "customer", "date", monetary_value_col="amount",
                                                     freq="D")
        BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
        theirs = time.perf_counter() - start
        _line("lifetimes summary + BetaGeoFitter.fit", theirs,
              f"   (lifetimes takes {theirs / results['cold']:.2f}x the time of copis check cold; goal: 5x or more)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
