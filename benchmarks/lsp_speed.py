"""`copis lsp` in a 200-touchpoint journey, over stdio as an editor talks
to it: diagnostics published after a change (beyond the 0.15 s debounce),
completion and hover round trips, and the server's memory with 20 such
files open. Yardstick, measured in the same run: `copis check` of the same
text in process (parse, resolve, checks), which the diagnostics include."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _timing import line  # noqa: E402
from generate import journey  # noqa: E402

from lsprotocol import types as t  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from copisdsl.api import check  # noqa: E402
from copisdsl.workflow.lsp.server import DEBOUNCE  # noqa: E402

TOUCHPOINTS = 200
RUNS = 7
FILES = 20
GOALS = {"diagnostics": 0.150, "request": 0.050, "memory_mb": 150}


def rss_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return float("nan")


async def run(folder: Path) -> None:
    text = journey(TOUCHPOINTS)
    paths = []
    for i in range(FILES):
        path = folder / f"j{i}.copis"
        path.write_text(text)
        paths.append(path)
    uri = paths[0].as_uri()

    client = LanguageClient("copis-bench", "1")
    arrived: dict[tuple[str, int | None], float] = {}
    waiters: dict[tuple[str, int | None], asyncio.Future] = {}

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: t.PublishDiagnosticsParams) -> None:
        key = (params.uri, params.version)
        arrived.setdefault(key, time.perf_counter())
        future = waiters.pop(key, None)
        if future is not None and not future.done():
            future.set_result(None)

    async def published(key) -> float:
        if key not in arrived:
            waiters[key] = asyncio.get_running_loop().create_future()
            await asyncio.wait_for(waiters[key], 30)
        return arrived[key]

    await client.start_io(sys.executable, "-m", "copisdsl", "lsp")
    await client.initialize_async(t.InitializeParams(capabilities=t.ClientCapabilities()))
    client.initialized(t.InitializedParams())
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "copis", 1, text)))
    await published((uri, 1))

    latencies = []
    lines = text.split("\n")
    target = next(i for i, row in enumerate(lines) if row.strip().startswith('touchpoint t100 '))
    for version in range(2, 2 + RUNS):
        edited = text.replace("Touchpoint 101 with", f"Touchpoint 101 v{version} with")
        start = time.perf_counter()
        client.text_document_did_change(t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [t.TextDocumentContentChangeWholeDocument(text=edited)]))
        latencies.append(await published((uri, version)) - start - DEBOUNCE)

    flow_line = next(i for i, row in enumerate(lines) if row.startswith("  flow t10 "))
    completion, hover = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        items = await client.text_document_completion_async(t.CompletionParams(
            t.TextDocumentIdentifier(uri), t.Position(flow_line, len("  flow "))))
        completion.append(time.perf_counter() - start)
        assert len(items.items) == TOUCHPOINTS + 5, len(items.items)
        start = time.perf_counter()
        shown = await client.text_document_hover_async(t.HoverParams(
            t.TextDocumentIdentifier(uri), t.Position(target, len("    touchpoint t1"))))
        hover.append(time.perf_counter() - start)
        assert shown is not None and "t100" in shown.contents.value

    for version, path in enumerate(paths[1:], start=1):
        client.text_document_did_open(t.DidOpenTextDocumentParams(
            t.TextDocumentItem(path.as_uri(), "copis", version, text)))
    for version, path in enumerate(paths[1:], start=1):
        await published((path.as_uri(), version))
    memory = rss_mb(client._server.pid)

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    start = time.perf_counter()
    for _ in range(RUNS):
        check(text, "bench.copis")
    yardstick = (time.perf_counter() - start) / RUNS

    print(line(f"yardstick: check in process, {TOUCHPOINTS} touchpoints", yardstick))
    print(line("diagnostics after the debounce (median)", statistics.median(latencies), GOALS["diagnostics"]))
    print(line("completion round trip (median)", statistics.median(completion), GOALS["request"]))
    print(line("hover round trip (median)", statistics.median(hover), GOALS["request"]))
    verdict = "  ok" if memory <= GOALS["memory_mb"] else f"  over the {GOALS['memory_mb']} MB goal"
    print(f"{f'server memory, {FILES} files open (RSS)':<44} {memory:8.1f} MB{verdict}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(Path(tmp)))


if __name__ == "__main__":
    main()
