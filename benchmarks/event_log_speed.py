"""Speed and memory of an event log's figures (reference §12.2).

Run with ``python benchmarks/event_log_speed.py [events] [customers]``
(default 10,000,000 events, 1,000,000 customers). Writes a synthetic log
(fixed seed) as Parquet into ``.bench/event_log/`` (cached between runs),
a journey of 8 touchpoints and 9 flow edges that links it, and prints:

- the figures (reach of every touchpoint, every flow edge's customers,
  conversion and median days) computed by ``copisdsl.data.enrich`` in a
  fresh process, its wall time and peak memory (the process's maximum
  resident set);
- the yardstick, measured in the same run: DuckDB's own
  ``SELECT touchpoint, COUNT(DISTINCT customer_id) ... GROUP BY`` of the
  same file, the reach alone.

Goals (issue 15) at 10,000,000 events: at most 10 s, at most 2 GB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import line, own_peak_bytes  # noqa: E402

SEED = 15
FOLDER = ROOT / ".bench" / "event_log"
GOAL_SECONDS, GOAL_BYTES = 10.0, 2 * 1024**3
TOUCHPOINTS = ["ad", "search", "product", "cart", "pay", "delivery", "review", "support"]

JOURNEY = """journey bench "Event log benchmark" {
  data visits "%(file)s" { kind events }
  stage discover "Discover" {
    touchpoint ad "Ad" {}
    touchpoint search "Search" {}
  }
  stage buy "Buy" {
    touchpoint product "Product" {}
    touchpoint cart "Cart" {}
    touchpoint pay "Pay" {}
  }
  stage after "After" {
    touchpoint delivery "Delivery" {}
    touchpoint review "Review" {}
    touchpoint support "Support" {}
  }
  flow ad -> search -> discover
  flow discover -> buy
  flow product -> cart -> pay -> after
  flow review -> support -> ad
}
"""


def make_log(path: Path, events: int, customers: int) -> None:
    """``events`` rows for ``customers`` customers (each has at least one),
    touchpoints drawn with a funnel's weights, timestamps over a year,
    written in time order, some with equal times."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED)
    owner = np.concatenate([np.arange(customers), rng.integers(0, customers, events - customers)])
    weights = np.array([30, 20, 18, 12, 8, 6, 4, 2], dtype=float)
    touchpoint = rng.choice(len(TOUCHPOINTS), events, p=weights / weights.sum())
    seconds = rng.integers(0, 365 * 86400 // 600, events) * 600  # ten-minute steps: equal times happen
    order = np.argsort(seconds, kind="stable")
    start = np.datetime64("2024-01-01T00:00:00", "s")
    # Arrow builds the text columns: no Python string per row
    customer = pc.binary_join_element_wise("c", pa.array(owner[order]).cast(pa.string()), "")
    table = pa.table({
        "customer_id": customer,
        "touchpoint": pa.DictionaryArray.from_arrays(pa.array(touchpoint[order].astype(np.int32)),
                                                     pa.array(TOUCHPOINTS)).cast(pa.string()),
        "date": pa.array(start + seconds[order].astype("timedelta64[s]")),
    })
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=1_000_000)


def child(journey: Path) -> None:
    """Compute the figures in this process; print them, the time and peak memory as JSON."""
    from copisdsl.api import check_file
    from copisdsl.data import enrich

    start = time.perf_counter()
    result = check_file(journey, journey.name, data=False)
    figures, diags = enrich(result.model, journey.parent)
    seconds = time.perf_counter() - start
    peak = own_peak_bytes()
    print(json.dumps({
        "seconds": seconds, "peak": peak, "errors": [d.message for d in diags if d.severity.value == "error"],
        "reach": {k: r.customers for k, r in (figures.reach or {}).items()},
        "flows": [[f.source, f.target, v.customers, v.conversion, v.median_days]
                  for f, v in zip(result.model.flows, figures.flow_volumes or [])],
    }))


def yardstick(path: Path) -> tuple[float, dict]:
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    rows = con.execute("SELECT touchpoint, COUNT(DISTINCT customer_id) FROM read_parquet(?) GROUP BY touchpoint",
                       [str(path)]).fetchall()
    return time.perf_counter() - start, dict(rows)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]))
        return
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    customers = int(sys.argv[2]) if len(sys.argv) > 2 else max(1, events // 10)
    data = FOLDER / f"events_{events}_{customers}.parquet"
    if not data.exists():
        start = time.perf_counter()
        make_log(data, events, customers)
        print(line(f"generate {events:,} events (cached)", time.perf_counter() - start))
    journey = FOLDER / f"bench_{events}.copis"
    journey.write_text(JOURNEY % {"file": data.name}, encoding="utf-8")
    # The figures are computed, never read back from the figures cache a
    # previous run left (clv_check_speed.py measures the cache).
    out = subprocess.run([sys.executable, __file__, "--child", str(journey)], capture_output=True, text=True,
                         env={**os.environ, "COPIS_NO_FIGURES_CACHE": "1"}, check=False)
    if out.returncode:
        sys.exit(out.stderr)
    got = json.loads(out.stdout)
    if got["errors"]:
        sys.exit(f"the journey has errors: {got['errors']}")
    took, reach = yardstick(data)
    assert reach == got["reach"], (reach, got["reach"])  # the same reach, two ways
    print(f"event log: {events:,} events, {customers:,} customers ({data.stat().st_size / 1e6:.0f} MB Parquet)")
    print(line("figures (copisdsl.data.enrich, fresh process)", got["seconds"], GOAL_SECONDS if events >= 10_000_000
               else None))
    print(line("yardstick: DuckDB GROUP BY reach alone", took))
    peak = got["peak"]
    verdict = "" if events < 10_000_000 else ("  ok" if peak <= GOAL_BYTES else "  over the 2 GB goal")
    print(f"{'peak memory of the figures process':<44} {peak / 1024**2:8.0f} MB{verdict}")
    for tp, n in got["reach"].items():
        print(f"  reach {tp:<10} {n:>10,}")
    for a, b, n, conversion, days in got["flows"]:
        print(f"  flow {a:>8} -> {b:<8} {n:>10,} customers  conversion {conversion:.3f}  median {days:.2f} d")


if __name__ == "__main__":
    main()
