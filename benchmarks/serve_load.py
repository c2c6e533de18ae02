"""The preview server under load (issue 18): 2,000 requests at concurrency
50 against `copis watch --serve` on 127.0.0.1, serving a built 50-touchpoint
journey (its report, its picture and the build status, in turn). Each of
the 50 clients keeps one connection alive, as a browser does. Prints the
errors (goal: 0) and the latency percentiles (goal: 99th under 100 ms).

``load`` is also what tests/unit/workflow/test_serve_load.py runs, shorter."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PATHS = ("/big/index.html", "/big/journey.svg", "/_copis/state")  # the generated journey is `big`


@dataclass
class Load:
    """What ``load`` measured: one latency (seconds) per answered request."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


async def _client(port: int, paths: list[str], out: Load, timeout: float) -> None:
    reader = writer = None
    try:
        for path in paths:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
            start = time.perf_counter()
            try:
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
                status = int(head.split(b" ", 2)[1])
                length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
                await asyncio.wait_for(reader.readexactly(length), timeout)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, AttributeError) as exc:
                out.errors.append(f"{path}: {type(exc).__name__} {exc}")
                writer.close()
                writer = None
                continue
            out.latencies.append(time.perf_counter() - start)
            if status != 200:
                out.errors.append(f"{path}: HTTP {status}")
            if re.search(rb"(?im)^connection:\s*close", head):
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


def load(port: int, requests: int = 2000, concurrency: int = 50, paths=PATHS, timeout: float = 10.0) -> Load:
    """``requests`` GETs of ``paths`` in turn, from ``concurrency`` clients at once."""
    out = Load()
    each = [[paths[(c + i * concurrency) % len(paths)] for i in range(requests // concurrency + (c < requests % concurrency))]
            for c in range(concurrency)]

    async def run() -> None:
        await asyncio.gather(*(_client(port, mine, out, timeout) for mine in each))

    asyncio.run(run())
    return out


def serve(folder: Path, out: Path, log) -> tuple[subprocess.Popen, int]:
    """`copis watch FOLDER -o OUT --serve` in its own process, and its port once the first build is done."""
    proc = subprocess.Popen([sys.executable, "-m", "copisdsl", "watch", str(folder), "-o", str(out), "--serve",
                             "--no-color"], stdout=subprocess.PIPE, stderr=log, env={**os.environ, "NO_COLOR": "1"})
    deadline = time.monotonic() + 120
    port = None
    while port is None and time.monotonic() < deadline:
        line = proc.stdout.readline().decode()
        if not line and proc.poll() is not None:
            raise RuntimeError("copis watch ended")
        found = re.search(r"preview: http://127\.0\.0\.1:(\d+)/", line)
        port = int(found.group(1)) if found else None
    while time.monotonic() < deadline and not (out / "big" / "index.html").exists():
        time.sleep(0.05)
    if port is None or not (out / "big" / "index.html").exists():
        proc.kill()
        raise RuntimeError("no preview server and first build within 120 s")
    return proc, port


def main() -> int:
    from generate import journey

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "journeys"
        folder.mkdir()
        (folder / "a.copis").write_text(journey(50), encoding="utf-8")
        with open(Path(tmp) / "stderr.txt", "wb") as log:
            proc, port = serve(folder, Path(tmp) / "out", log)
            try:
                load(port, 200)  # warm-up
                start = time.perf_counter()
                result = load(port)
                wall = time.perf_counter() - start
            finally:
                proc.kill()
                proc.wait()
    p50, p99 = result.percentile(50) * 1000, result.percentile(99) * 1000
    print(f"{'preview server: 2,000 requests at concurrency 50':<52} {wall:7.2f} s")
    print(f"{'  errors':<52} {len(result.errors):7d}{'  ok' if not result.errors else '  goal: 0'}")
    print(f"{'  latency, median':<52} {p50:7.1f} ms")
    print(f"{'  latency, 99th percentile':<52} {p99:7.1f} ms{'  ok' if p99 < 100 else '  over the 100 ms goal'}")
    print(f"{'  latency, max':<52} {max(result.latencies) * 1000:7.1f} ms")
    for error in result.errors[:5]:
        print(f"  {error}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
