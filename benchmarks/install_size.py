"""The light install (the wheel without extras: what a check-only
pre-commit hook installs) against the full one (``copisdsl[data]``), both
measured in this run: the time pip takes into a fresh virtual environment
(packages from the configured index, pip's cache as it is) and the size of
what it installs. The issue's goal: at most 60 s and 80 MB for the light one."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS, GOAL_MB = 60, 80


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def install(wheel: Path, extra: str, work: Path) -> tuple[float, float]:
    """(seconds, MB of site-packages beyond a bare venv's) of ``pip install wheel[extra]``."""
    venv = work / (extra or "light")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (site,) = venv.glob("lib/python*/site-packages")
    bare = size_mb(site)
    target = f"{wheel}[{extra}]" if extra else str(wheel)
    start = time.perf_counter()
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", target], check=True)
    seconds = time.perf_counter() - start
    return seconds, size_mb(site) - bare


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(work)], cwd=ROOT,
                       check=True, capture_output=True)
        (wheel,) = work.glob("copisdsl-*.whl")
        light = install(wheel, "", work)
        full = install(wheel, "data", work)
    verdict = "ok" if light[0] <= GOAL_SECONDS and light[1] <= GOAL_MB else "over the goal"
    print(f"{'light install (pip install copisdsl)':<44} {light[0]:8.1f} s {light[1]:8.1f} MB  {verdict} "
          f"(goal {GOAL_SECONDS} s, {GOAL_MB} MB)")
    print(f"{'yardstick: full install (copisdsl[data])':<44} {full[0]:8.1f} s {full[1]:8.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
