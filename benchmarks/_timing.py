"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

BIN = Path(__file__).resolve().parent.parent / ".venv" / "bin"


def copis() -> str:
    """The `copis` of the project's venv, else the one on PATH."""
    exe = BIN / "copis"
    return str(exe) if exe.exists() else "copis"


def best_of(command: list[str], runs: int = 3) -> float:
    """The fastest wall time of ``runs`` cold runs of a command, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def line(label: str, seconds: float, goal: float | None = None) -> str:
    verdict = "" if goal is None else ("  ok" if seconds <= goal else f"  over the {goal:g} s goal")
    return f"{label:<44} {seconds:8.3f} s{verdict}"


def own_peak_bytes() -> int:
    """This process's peak resident memory since it started its program
    (VmHWM, which exec resets; ``ru_maxrss`` also counts the pages the
    parent held when it forked, a benchmark's whole generated log)."""
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM")).split()[1]) * 1024


# The child reports its own peak (``own_peak_bytes``, from this file). copis
# ends with os._exit (no interpreter teardown): the peak is written there.
_PEAK = ("import atexit, os, runpy, sys\n"
         "sys.path.insert(0, sys.argv.pop(1))\n"
         "from _timing import own_peak_bytes\n"
         "out = sys.argv.pop(1)\n"
         "def peak():\n"
         "    with open(out, 'w') as f:\n"
         "        f.write(str(own_peak_bytes()))\n"
         "real_exit = os._exit\n"
         "os._exit = lambda code: (peak(), real_exit(code))\n"
         "atexit.register(peak)\n"
         "sys.argv[0] = 'copis'\n"
         "runpy.run_module('copisdsl', run_name='__main__', alter_sys=True)\n")


def copis_peak(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak resident memory (MB) and exit code of one
    ``copis ARGS`` in a fresh process of this interpreter."""
    import os
    import sys
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _PEAK, str(Path(__file__).parent), peak.name, *args],
                              env=env or os.environ.copy(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        seconds = time.perf_counter() - start
        found = peak.read().strip()
    return seconds, (int(found) / 1024**2 if found else float("nan")), done.returncode
