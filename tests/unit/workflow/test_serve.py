"""The preview server over real HTTP: files with the client script added at
serve time, the event stream read by a real client, path traversal, host
names, prompt shutdown. The build status is published by hand here, so no
build runs."""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
from pathlib import Path

import pytest

from copisdsl.diagnostics import error
from copisdsl.workflow.preview.server import FileCache, PreviewServer, inject
from copisdsl.source import Span
from copisdsl.workflow.watch import JourneyStatus, LiveState

REPORT = b'<!DOCTYPE html>\n<html><head><title>A</title></head><body><main>Hello</main></body></html>\n'


class EventStream:
    """A text/event-stream client: a thread parses events into a queue."""

    def __init__(self, port: int, path: str = "/_copis/events") -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        self.events: queue.Queue = queue.Queue()
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                line = line.decode("utf-8").rstrip("\r\n")
                if not line:
                    if "data" in fields:
                        self.events.put(fields)
                    fields = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    fields[name] = fields[name] + "\n" + value if name == "data" and name in fields else value
        except OSError:
            pass
        finally:
            self.ended.set()

    def next(self, timeout: float = 5.0) -> dict:
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no event within {timeout} s")
        assert event["event"] == "state"
        data = json.loads(event["data"])
        assert int(event["id"]) == data["version"]
        return data

    def close(self) -> None:
        self.conn.close()


def status(revision: int = 1, ok: bool = True, message: str = "unknown touchpoint 'x'") -> JourneyStatus:
    diags = () if ok else (error("E201", message, Span("journeys/a.copis", 7, 14, 7, 15), "did you mean 't1'?"),)
    return JourneyStatus("journeys/a.copis", "a", "a/index.html", ok, revision, diags)


@pytest.fixture
def served(tmp_path: Path):
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_bytes(REPORT)
    (out / "a" / "journey.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    state = LiveState()
    state.publish([status()])
    server = PreviewServer(out, state)
    server.start()
    yield server, state, out
    server.close()


def get(server: PreviewServer, path: str, host: str | None = None, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Host": host} if host else {}
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_inject_places_the_tag_in_the_head():
    assert inject(REPORT, b"<s>") == REPORT.replace(b"</head>", b"<s></head>")
    assert inject(b"<BODY>x</BODY>", b"<s>") == b"<BODY>x<s></BODY>"
    assert inject(b"plain", b"<s>") == b"plain<s>"


def test_the_file_cache_serves_a_rebuilt_file_new(tmp_path):
    cache = FileCache()
    page = tmp_path / "index.html"
    page.write_bytes(b"<p>first</p>")
    assert cache.read(page) == b"<p>first</p>"
    assert cache.read(page) is cache.read(page)  # kept, not read again
    fresh = tmp_path / "new.html"
    fresh.write_bytes(b"<p>again</p>")  # same size; a build renames a new file over the old
    fresh.replace(page)
    assert cache.read(page) == b"<p>again</p>"
    page.unlink()
    with pytest.raises(OSError):
        cache.read(page)


def test_the_file_cache_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(FileCache, "MAX_BYTES", 25)
    monkeypatch.setattr(FileCache, "MAX_FILE", 12)
    cache = FileCache()
    for name in "abc":
        (tmp_path / name).write_bytes(name.encode() * 10)
        cache.read(tmp_path / name)
    (tmp_path / "big").write_bytes(b"x" * 13)
    assert cache.read(tmp_path / "big") == b"x" * 13
    assert sorted(p.name for p in cache._files) == ["b", "c"]  # the oldest went; the large one not kept


def test_report_is_served_with_the_client_script_and_left_alone_on_disk(served):
    server, _state, out = served
    response, body = get(server, "/a/index.html")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.getheader("Cache-Control") == "no-store"
    assert int(response.getheader("Content-Length")) == len(body)
    tag = (f'<script src="/_copis/client.js" data-page="a/index.html" data-revision="1" '
           f'data-session="{server.session}" defer></script>').encode()
    assert body == REPORT.replace(b"</head>", tag + b"</head>")
    assert (out / "a" / "index.html").read_bytes() == REPORT

    response, body = get(server, "/a/journey.svg")
    assert response.getheader("Content-Type") == "image/svg+xml" and b"_copis" not in body

    response, body = get(server, "/_copis/client.js")
    assert response.status == 200 and b"EventSource" in body

    response, body = get(server, "/a/index.html", method="HEAD")
    assert response.status == 200 and body == b"" and int(response.getheader("Content-Length")) > len(REPORT)


def test_root_and_folders(served, tmp_path):
    server, state, out = served
    response, _ = get(server, "/")
    assert response.status == 302 and response.getheader("Location") == "/a/index.html"
    response, _ = get(server, "/a")
    assert response.status == 302 and response.getheader("Location") == "/a/"
    response, body = get(server, "/a/")
    assert response.status == 200 and b"Hello" in body and b'data-page="a/index.html"' in body

    (out / "index.html").write_bytes(b"<html><head></head><body>All journeys</body></html>")
    state.publish([status()], index="index.html", index_revision=4)
    response, body = get(server, "/")
    assert response.status == 200 and b"All journeys" in body and b'data-revision="4"' in body

    empty = LiveState()
    with PreviewServer(tmp_path / "nothing", empty) as waiting:
        response, body = get(waiting, "/")
        assert response.status == 200 and b"No report has been built yet" in body
        assert b"data-placeholder" in body


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/a/../../secret.txt", "/a/%2E%2E/%2e%2e/secret.txt",
    "//secret.txt/../../secret.txt", "/..%2fsecret.txt", "/..%5csecret.txt", "/a%00/index.html",
    "/%2fetc/passwd", "/etc/passwd",
])
def test_nothing_outside_the_output_folder_is_served(served, path):
    server, _state, _out = served
    response, body = get(server, path)
    assert response.status == 404
    assert b"top secret" not in body and b"root:" not in body


def test_symlinks_out_of_the_folder_are_not_followed(served, tmp_path):
    server, _state, out = served
    (out / "link.txt").symlink_to(tmp_path / "secret.txt")
    response, body = get(server, "/link.txt")
    assert response.status == 404 and b"top secret" not in body


def test_not_found_page_escapes_the_path(served):
    server, _state, _out = served
    response, body = get(server, '/x"><script>alert(1)</script>.html')
    assert response.status == 404
    assert b"<script>alert" not in body
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert b'data-page="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;.html"' in body


def test_other_host_names_are_refused_on_loopback(served):
    server, _state, _out = served
    assert get(server, "/a/index.html", host="evil.example")[0].status == 403
    assert get(server, "/_copis/state", host=f"attacker.test:{server.port}")[0].status == 403
    assert get(server, "/a/index.html", host=f"localhost:{server.port}")[0].status == 200
    assert get(server, "/a/index.html", host=f"127.0.0.1:{server.port}")[0].status == 200


def test_state_as_json(served):
    server, state, _out = served
    state.publish([status(revision=2, ok=False)])
    response, body = get(server, "/_copis/state")
    data = json.loads(body)
    assert response.getheader("Content-Type") == "application/json"
    assert data["version"] == 2 and data["session"] == server.session
    [journey] = data["journeys"]
    assert journey["ok"] is False and journey["errors"] == 1
    assert journey["diagnostics"][0] == {
        "code": "E201", "severity": "error", "message": "unknown touchpoint 'x'", "file": "journeys/a.copis",
        "line": 7, "column": 14, "end_line": 7, "end_column": 15, "hint": "did you mean 't1'?"}


def test_event_stream_pushes_every_new_state(served):
    server, state, _out = served
    stream = EventStream(server.port)
    try:
        assert stream.response.status == 200
        assert stream.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        first = stream.next()
        assert first["version"] == 1 and first["journeys"][0]["ok"] and first["session"] == server.session

        state.publish([status(revision=1, ok=False, message='bad "<b>" & more\nline')])
        second = stream.next()
        assert second["version"] == 2
        assert second["journeys"][0]["diagnostics"][0]["message"] == 'bad "<b>" & more\nline'

        state.publish([status(revision=2)])
        assert stream.next()["journeys"][0] == {
            "source": "journeys/a.copis", "id": "a", "url": "a/index.html", "ok": True, "revision": 2,
            "errors": 0, "warnings": 0, "diagnostics": [], "error": None}
    finally:
        stream.close()


def test_a_new_client_gets_the_latest_state_errors_included(served):
    server, state, _out = served
    state.publish([status(ok=False)])
    state.publish([status(ok=False, message="still broken")])
    stream = EventStream(server.port)
    try:
        data = stream.next()
        assert data["version"] == 3
        assert data["journeys"][0]["diagnostics"][0]["message"] == "still broken"
        assert stream.events.empty()
    finally:
        stream.close()


def test_several_clients_each_get_each_state(served):
    server, state, _out = served
    streams = [EventStream(server.port) for _ in range(3)]
    try:
        assert [s.next()["version"] for s in streams] == [1, 1, 1]
        state.publish([status(revision=5)])
        assert [s.next()["journeys"][0]["revision"] for s in streams] == [5, 5, 5]
    finally:
        for s in streams:
            s.close()


def test_close_ends_open_event_streams_promptly(tmp_path):
    state = LiveState()
    server = PreviewServer(tmp_path, state)
    server.start()
    streams = [EventStream(server.port) for _ in range(2)]
    for s in streams:
        s.next()
    start = time.monotonic()
    server.close()
    assert time.monotonic() - start < 3  # not the 15 s keep-alive, nor forever
    for s in streams:
        assert s.ended.wait(3), "the event stream was left open"
    with pytest.raises(OSError):
        get(server, "/")


def test_a_taken_port_is_an_os_error(served):
    server, state, _out = served
    with pytest.raises(OSError):
        PreviewServer(served[2], state, port=server.port)
