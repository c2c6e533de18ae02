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
