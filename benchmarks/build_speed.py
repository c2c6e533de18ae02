"""`copis build` and `copis render --view` on generated journeys of 30, 50,
200 and 1,000 touchpoints (five stages; a short loop back every 25 touchpoints
and a re-purchase loop from the end of every stage to the first
touchpoint), against Graphviz alone.

For every size it prints, each a fresh process and the best of a few runs:

- `copis build` (three SVGs and the report, cold process) and how its CPU
  time splits between our own work (parse, check, DOT, templates, writing:
  the Python process) and Graphviz (its child processes);
- for each view, `copis render --view V -o x.svg`; the Graphviz runs that
  command makes, on the DOT it gives them (the journey takes two: `dot
  -Tjson0` places the cards, `neato -n2` draws them with the loops routed);
  our share of the wall time, (render - Graphviz) / render;
- for comparison, plain `dot -Tsvg` (`twopi` for the mind map) on what
  `copis render --format dot` writes: for the journey that is the naive
  one-pass layout, loops included (Graphviz 2.43 crashes on it at 1,000
  touchpoints).

The machine this runs on may be shared: compare figures of one run, and
repeat a run before believing a change of less than 20 %.

Goals on the 2-core reference machine: 30 and 50 touchpoints build in under
0.5 s, 200 in under 1.5 s, 1,000 in under 4 s; our own work under 25 % for 200 touchpoints and up.
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
sys.path.insert(0, str(HERE.parent))

from _timing import copis, line  # noqa: E402
from generate import journey  # noqa: E402

SIZES = (30, 50, 200, 1_000)
# 30 and 200: the journey-map issue's goals for every view and the report (no PDF)
BUILD_GOALS = {30: 0.5, 50: 0.5, 200: 1.5, 1_000: 4.0}
SHARE_GOAL = 0.25
ENGINES = {"journey": "dot", "copis": "dot", "mindmap": "dot"}
PLAIN_TIMEOUT = 60.0
# Runs copis in this process, then reports its own CPU time and its
# children's (Graphviz) on stderr's last line.
RUSAGE = ("import atexit, resource, sys\n"
          "def _report():\n"
          "    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
          "    sys.stderr.write(f'\\nRUSAGE {me.ru_utime + me.ru_stime} {kids.ru_utime + kids.ru_stime}\\n')\n"
          "atexit.register(_report)\n"
          "from copisdsl.cli import main\n"
          "sys.argv[0] = 'copis'\n"
          "main()\n")


def bench_journey(size: int) -> str:
    """A generated journey with loops back to an earlier touchpoint: a short
    one every 25 touchpoints, and from the end of every stage back to the
    very first touchpoint (a re-purchase)."""
    text = journey(size).rstrip()
    assert text.endswith("}")
    loops = "".join(f'  flow t{i} -> t{i - 10} "again"\n' for i in range(24, size, 25))
    per_stage = size // 5
    loops += "".join(f'  flow t{i} -> t0 "re-purchase"\n' for i in range(per_stage - 1, size, per_stage))
    return text[:-1] + loops + "}\n"


class Failed(float):
    """A run that failed: how long it took, and how it ended."""

    how: str


def failed(seconds: float, how: str) -> Failed:
    value = Failed(seconds)
    value.how = how
    return value


def wall(command: list[str], runs: int, *, timeout: float | None = None) -> float:
    """Best wall time of ``runs`` runs, or a ``Failed`` one."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        try:
            done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return failed(time.perf_counter() - start, "stopped")
        if done.returncode != 0:
            how = f"crashed (signal {-done.returncode})" if done.returncode < 0 else f"exit {done.returncode}"
            return failed(time.perf_counter() - start, how)
        best = min(best, time.perf_counter() - start)
    return best


def cpu_split(args: list[str]) -> tuple[float, float]:
    """(our CPU seconds, Graphviz CPU seconds) of one `copis` run."""
    done = subprocess.run([sys.executable, "-c", RUSAGE, *args], capture_output=True, text=True, check=False)
    last = done.stderr.strip().splitlines()[-1].split()
    assert last[0] == "RUSAGE", done.stderr
    return float(last[1]), float(last[2])


def pipeline_graphviz(path: Path, view: str, work: Path, runs: int) -> float:
    """Wall time of the Graphviz runs `copis render --view` makes, on the
    DOT it gives them."""
    from copisdsl.api import check_file
    from copisdsl.data import enrich
    from copisdsl.render import journey as journey_view
    from copisdsl.render.graphviz_run import run
    from copisdsl.render.layout import read_sizes
    from copisdsl.render.views import view_dot

    result = check_file(path, data=False)
    figures, _ = enrich(result.model, path.parent)
    if view != "journey":
        source = work / f"{view}.dot"
        source.write_text(view_dot(result.model, figures, view), encoding="utf-8")
        return wall([ENGINES[view], "-Tsvg", str(source)], runs)
    first = work / "journey.pass1.dot"
    first.write_text(journey_view.cards_dot(result.model, figures), encoding="utf-8")
    sizes = read_sizes(run(first.read_text(encoding="utf-8"), "dot", "json0"))
    second = work / "journey.pass2.dot"
    second.write_text(journey_view.positioned_dot(result.model, figures, sizes), encoding="utf-8")
    return wall(["dot", "-Tjson0", str(first)], runs) + wall(["neato", "-n2", "-Tsvg", str(second)], runs)


def seconds(value: float) -> str:
    if isinstance(value, Failed):
        return f"{value.how} after {value:.1f} s"
    return f"{value:.3f} s"


def main() -> int:
    exe = copis()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        warm = work / "warm.copis"
        warm.write_text(bench_journey(5), encoding="utf-8")
        subprocess.run([exe, "build", str(warm), "-o", str(work / "warm")], capture_output=True, check=False)
        for size in SIZES:
            path = work / f"j{size}.copis"
            path.write_text(bench_journey(size), encoding="utf-8")
            runs = 7 if size < 1_000 else 3
            print(f"# {size:,} touchpoints", flush=True)
            out = work / f"out{size}"
            build = wall([exe, "build", str(path), "-o", str(out)], runs)
            print(line(f"copis build, {size:,} touchpoints", build, BUILD_GOALS.get(size)), flush=True)
            own, graphviz = cpu_split(["build", str(path), "-o", str(work / f"cpu{size}")])
            share = own / (own + graphviz)
            verdict = "" if size < 200 else ("  ok" if share <= SHARE_GOAL else f"  over the {SHARE_GOAL:.0%} goal")
            print(f"  CPU: ours {own:.2f} s, Graphviz {graphviz:.2f} s: our share {share:.0%}{verdict}")
            for view in ENGINES:
                render = wall([exe, "render", str(path), "--view", view, "-o", str(work / f"{view}.svg")], runs)
                inside = pipeline_graphviz(path, view, work, runs)
                dot_file = work / f"{view}.plain.dot"
                subprocess.run([exe, "render", str(path), "--view", view, "-o", str(dot_file)],
                               capture_output=True, check=True)
                plain = wall([ENGINES[view], "-Tsvg", str(dot_file)], 1 if size == 1_000 else runs,
                             timeout=PLAIN_TIMEOUT)
                share = (render - inside) / render
                verdict = "" if size < 200 else ("  ok" if share <= SHARE_GOAL else f"  over the {SHARE_GOAL:.0%} goal")
                print(f"  render --view {view:<8} {seconds(render):>9}; its Graphviz {seconds(inside)}, "
                      f"our share {share:.0%}{verdict}; plain {ENGINES[view]} -Tsvg {seconds(plain)}", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C.UTF-8")
    sys.exit(main())
