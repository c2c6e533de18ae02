"""The preview server under load (issue 18): a real backlog, a bounded
number of connections (idle ones make room, busy ones get a 503 at once),
event streams (open tabs) counted apart under a cap of their own,
1,100 idle connections under the usual limit of 1,024 open files, clients
that vanish mid-answer. Every wait has a time limit; nothing here asserts
a timing (benchmarks/serve_load.py measures latency)."""

from __future__ import annotations

import http.client
import json
import os
import re
import resource
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import has_dot
from copisdsl.workflow.preview import server as preview_server
from copisdsl.workflow.preview.server import PreviewServer
from copisdsl.workflow.watch import LiveState

PAGE = b"<!DOCTYPE html>\n<html><head><title>A</title></head><body>" + b"x" * 2_000_000 + b"</body></html>\n"


@pytest.fixture
def served(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_bytes(PAGE)
    (out / "small.html").write_bytes(b"<html><head></head><body>hi</body></html>")
    server = PreviewServer(out, LiveState())
    server.start()
    yield server
    server.close()


def get(port: int, path: str = "/small.html", timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def idle(port: int, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        socks.append(sock)
    return socks


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a crashed client or a closed tab does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def wait_until(condition, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not met within {timeout} s")
        time.sleep(0.05)


def test_the_backlog_is_real(served):
    backlog = preview_server.BACKLOG
    assert backlog >= 128 and served._httpd.request_queue_size == backlog


def test_idle_connections_make_room(served, monkeypatch):
    monkeypatch.setattr(preview_server, "MAX_CONNECTIONS", 20)
    socks = idle(served.port, 60)
    try:
        for _ in range(5):
            assert get(served.port) == (200, b"<html><head>" + served.client_tag(served.state.current, "small.html")
                                        + b"</head><body>hi</body></html>")
        wait_until(lambda: served.connections <= 20, what="at most 20 connections")
    finally:
        for sock in socks:
            sock.close()


def open_stream(port: int) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """An event stream, as a preview tab keeps open; its first line read
    (the server counts the stream before it writes that)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/_copis/events")
    response = conn.getresponse()  # kept: it owns the socket of a stream
    if response.status == 200:
        assert response.readline() == b"retry: 1000\n"
    return conn, response


def test_when_every_connection_is_busy_the_next_gets_503_at_once(served, monkeypatch):
    monkeypatch.setattr(preview_server, "MAX_CONNECTIONS", 4)
    gate = threading.Event()
    real = preview_server._Handler._static

    def held(handler, path, head, preview):  # a page being answered, until the gate opens
        gate.wait(10)
        real(handler, path, head, preview)

    monkeypatch.setattr(preview_server._Handler, "_static", held)
    socks = idle(served.port, 4)
    try:
        for sock in socks:
            sock.sendall(b"GET /small.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        wait_until(lambda: served.connections == 4 and all(served._connections.values()), what="four busy requests")
        status, _ = get(served.port)
        assert status == 503
    finally:
        gate.set()
        for sock in socks:
            sock.close()
    wait_until(lambda: get(served.port)[0] == 200, what="served again")


def test_open_event_streams_do_not_make_pages_wait(served):
    # Each open preview tab keeps its event stream for as long as it is open:
    # as many tabs as MAX_CONNECTIONS must leave pages served, not 503.
    streams = [open_stream(served.port) for _ in range(preview_server.MAX_CONNECTIONS)]
    try:
        assert [response.status for _, response in streams] == [200] * preview_server.MAX_CONNECTIONS
        for _ in range(3):
            assert get(served.port)[0] == 200
        assert get(served.port, "/_copis/state")[0] == 200
    finally:
        for conn, response in streams:
            response.close()
            conn.close()


def test_event_streams_have_a_cap_of_their_own(served, monkeypatch):
    monkeypatch.setattr(preview_server, "MAX_STREAMS", 3)
    streams = [open_stream(served.port) for _ in range(3)]
    try:
        assert [response.status for _, response in streams] == [200, 200, 200]
        conn, response = open_stream(served.port)
        assert response.status == 503 and response.getheader("Retry-After") == "1"
        response.close()
        conn.close()
        assert get(served.port)[0] == 200  # pages are served all the same
        first, answer = streams.pop(0)
        answer.close()
        first.close()  # a tab closed: its stream is let go within a second, and a new one fits
        wait_until(lambda: served.streams == 2, what="the closed stream let go")
        streams.append(open_stream(served.port))
        assert streams[-1][1].status == 200
    finally:
        for conn, response in streams:
            response.close()
            conn.close()


def test_clients_that_vanish_print_nothing(served, capfd):
    for i in range(100):
        sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
        if i % 3 == 0:
            sock.sendall(b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # a 2 MB answer, never read
        elif i % 3 == 1:
            sock.sendall(b"GET /index.ht")  # half a request line
        reset(sock)
    assert get(served.port)[0] == 200
    wait_until(lambda: served.connections == 0, what="every connection closed")
    out, err = capfd.readouterr()
    assert "Traceback" not in err and "Error" not in err, err[-3000:]


# ---------------------------------------------------------------- a real `copis watch --serve`

JOURNEY = 'journey a "A" {{\n  stage s "S" {{ touchpoint t "{label}" {{ channel web }} }}\n}}\n'


def _low_file_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")
def test_eleven_hundred_idle_connections_under_a_limit_of_1024_files(tmp_path):
    folder = tmp_path / "journeys"
    folder.mkdir()
    (folder / "a.copis").write_text(JOURNEY.format(label="Hello"), encoding="utf-8")
    log = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "copisdsl", "watch", str(folder), "-o", str(tmp_path / "out"),
                             "--serve", "--no-color"], stdout=subprocess.PIPE, stderr=log,
                            preexec_fn=_low_file_limit, env={**os.environ, "NO_COLOR": "1"})
    socks: list[socket.socket] = []
    try:
        port = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            line = proc.stdout.readline().decode()
            found = re.search(r"preview: http://127\.0\.0\.1:(\d+)/", line)
            port = int(found.group(1)) if found else None
            assert line or proc.poll() is None, "copis watch ended"
        assert port is not None, "no preview URL within 60 s"
        wait_until(lambda: get(port, "/_copis/state")[0] == 200, 60, "the first build")
        wait_until(lambda: json.loads(get(port, "/_copis/state")[1])["journeys"][0]["revision"] >= 1, 60,
                   "the first build")
        socks = idle(port, 1100)
        status, body = get(port, "/a/index.html")
        assert status == 200 and b"Hello" in body
        before = json.loads(get(port, "/_copis/state")[1])["journeys"][0]["revision"]
        (folder / "a.copis").write_text(JOURNEY.format(label="Rebuilt"), encoding="utf-8")
        wait_until(lambda: b"Rebuilt" in get(port, "/a/index.html")[1], 60, "the rebuild after a save")
        # The build writes the page, then publishes its state: the new
        # revision follows the page by a moment.
        wait_until(lambda: json.loads(get(port, "/_copis/state")[1])["journeys"][0]["revision"] > before, 10,
                   "the rebuild's new revision")
        cpu = _cpu_seconds(proc.pid)
        time.sleep(2)
        assert _cpu_seconds(proc.pid) - cpu < 1.0  # the accept loop does not spin
    finally:
        for sock in socks:
            sock.close()
        proc.kill()
        proc.wait(timeout=30)
        log.close()
    err = (tmp_path / "stderr.txt").read_text(errors="replace")
    assert "Traceback" not in err, err[-3000:]


@pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")
def test_two_hundred_requests_at_concurrency_50_have_no_error(tmp_path):
    """The load of `make bench` (benchmarks/serve_load.py), shorter; errors only, no timing."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    from generate import journey
    from serve_load import load, serve

    folder = tmp_path / "journeys"
    folder.mkdir()
    (folder / "a.copis").write_text(journey(50), encoding="utf-8")
    with (tmp_path / "stderr.txt").open("wb") as log:
        proc, port = serve(folder, tmp_path / "out", log)
        try:
            result = load(port, 200, 50)
        finally:
            proc.kill()
            proc.wait(timeout=30)
    assert result.errors == [] and len(result.latencies) == 200
    assert "Traceback" not in (tmp_path / "stderr.txt").read_text(errors="replace")
