"""Whatever is saved after `copis watch` starts is built (issue 18): the
journey is saved again the moment the first build's report appears, and
the report must show that save — 20 runs out of 20, each under a time
limit. A real `copis watch` process and real files."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import has_dot

pytestmark = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")

JOURNEY = 'journey a "A" {{\n  stage s "S" {{ touchpoint t "{label}" {{ channel web }} }}\n}}\n'


def one_run(folder: Path, run: int) -> None:
    journey = folder / "a.copis"
    journey.write_text(JOURNEY.format(label="First"), encoding="utf-8")
    out = folder.parent / f"out{run}"
    report = out / "a" / "index.html"
    proc = subprocess.Popen([sys.executable, "-m", "copisdsl", "watch", str(folder), "-o", str(out), "--no-color"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    try:
        deadline = time.monotonic() + 60
        while not report.exists():
            assert time.monotonic() < deadline and proc.poll() is None, "no first build within 60 s"
            time.sleep(0.001)
        journey.write_text(JOURNEY.format(label=f"Saved {run}"), encoding="utf-8")
        deadline = time.monotonic() + 10
        while f"Saved {run}" not in report.read_text(encoding="utf-8", errors="replace"):
            if time.monotonic() > deadline:
                pytest.fail(f"run {run}: the save made as the first report appeared was not built within 10 s")
            time.sleep(0.02)
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err


def test_a_save_as_the_first_build_appears_is_built_20_of_20(tmp_path):
    folder = tmp_path / "journeys"
    folder.mkdir()
    for run in range(20):
        one_run(folder, run)
