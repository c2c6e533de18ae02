"""The preview server: the built reports over HTTP, kept current in the
browser.

    /                   OUT/index.html, else the first journey's report
    /<path>             a file of OUT; HTML pages get the client script
    /_copis/events      server-sent events: the build status (a ``Snapshot``)
                        on connect, then every new one
    /_copis/state       the build status as JSON
    /_copis/client.js   the script added to pages

The script is added while serving, so the files on disk stay exactly what
``copis build`` writes. It swaps in the new page when its journey is
rebuilt and shows the diagnostics over the last good page while the file
does not compile. Only files inside OUT are served; bound to a loopback
address, the server also refuses requests for other host names (DNS
rebinding).

Load: the listen backlog is ``BACKLOG``; at most ``MAX_CONNECTIONS`` are
served at once (a thread each). A new connection beyond that closes the one
idle the longest (waiting for its next request), or, when every one is busy
answering a request, is answered 503 at once; a connection silent for
``IDLE_TIMEOUT`` is closed. An event stream is open as long as its tab is:
once a request becomes one it no longer counts among those connections
(open tabs would otherwise make every page a 503) but against a cap of its
own, ``MAX_STREAMS``; a stream beyond it is answered 503.
Out of file descriptors, the accept loop pauses instead of spinning. A
client that goes away mid-answer is no error: nothing is printed.
"""

from __future__ import annotations

import errno
import html
import http.server
import ipaddress
import json
import mimetypes
import os
import re
import secrets
import select
import socket
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from copisdsl.workflow.watch import LiveState, Snapshot

CLIENT_JS = Path(__file__).resolve().with_name("client.js")
KEEPALIVE = 15.0  # seconds between comments on an idle event stream, to notice closed tabs
BACKLOG = 1024  # connections the kernel queues before they are accepted (it may cap this lower)
MAX_CONNECTIONS = 256  # requests served at once (event streams apart)
MAX_STREAMS = 512  # event streams open at once; with MAX_CONNECTIONS far below the usual 1,024 open files
IDLE_TIMEOUT = 30.0  # seconds a connection may stay silent (before or within a request)
_OUT_OF_FILES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
         b"Connection: close\r\n\r\n")
EVENTS, STATE, CLIENT = "/_copis/events", "/_copis/state", "/_copis/client.js"

_TYPES = {".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".dot": "text/plain; charset=utf-8"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.x, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_HEAD_END, _BODY_END = re.compile(rb"</head>", re.I), re.compile(rb"</body>", re.I)


def inject(page: bytes, tag: bytes) -> bytes:
    """``page`` with ``tag`` added before ``</head>`` (else ``</body>``,
    else at the end)."""
    return b"".join(injected(page, tag))


def injected(page: bytes, tag: bytes) -> tuple:
    """``inject`` as the pieces to send one after the other: views of
    ``page`` around ``tag``, so that a large report is not copied per request."""
    for marker in (_HEAD_END, _BODY_END):
        found = marker.search(page)  # no lowered copy of a large page per request
        if found is not None:
            view = memoryview(page)
            return view[:found.start()], tag, view[found.start():]
    return page, tag


def page_revision(snapshot: Snapshot, page: str) -> int:
    """The revision of the journey (or the index) that ``page`` shows; -1 for
    a page the build does not know."""
    for journey in snapshot.journeys:
        if journey.url == page:
            return journey.revision
    if snapshot.index is not None and snapshot.index == page:
        return snapshot.index_revision
    return -1


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = BACKLOG

    def __init__(self, address, preview: PreviewServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.preview = preview
        super().__init__(address, _Handler)

    def get_request(self):
        try:
            return super().get_request()
        except OSError as exc:
            if exc.errno in _OUT_OF_FILES:
                # The connection stays queued and the socket readable: pause
                # rather than try again at once (100 % CPU, nothing served).
                self.preview.closing.wait(0.05)
            raise

    def process_request(self, request, client_address) -> None:
        if not self.preview._admit(request):
            try:
                request.setblocking(False)
                request.send(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        self.preview._forget(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return  # a client that went away or stalled: its business
        # A fault of ours: one line, as the terminal shows everything else.
        print(f"copis preview: {type(error).__name__}: {error}", file=sys.stderr)


class FileCache:
    """The built files last served, kept while the file is the same (its
    inode, size, modification and change times: a build replaces a file by
    renaming a new one over it), so that a page and its pictures are not
    read from disk, and copied into fresh memory, per request. Holds at most
    ``MAX_BYTES`` in all and no file larger than ``MAX_FILE``."""

    MAX_BYTES, MAX_FILE = 64 * 1024 * 1024, 8 * 1024 * 1024

    def __init__(self) -> None:
        self._files: dict[Path, tuple[tuple, bytes]] = {}
        self._lock = threading.Lock()

    def read(self, path: Path) -> bytes:
        """The bytes of ``path`` (``OSError`` as ``Path.read_bytes``)."""
        with open(path, "rb") as handle:
            found = os.fstat(handle.fileno())
            key = (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
            with self._lock:
                kept = self._files.get(path)
            if kept is not None and kept[0] == key:
                return kept[1]
            data = handle.read()
        if len(data) <= self.MAX_FILE:
            with self._lock:
                self._files.pop(path, None)
                self._files[path] = (key, data)
                while sum(len(d) for _, d in self._files.values()) > self.MAX_BYTES:
                    del self._files[next(iter(self._files))]  # the least recently stored
        return data


class PreviewServer:
    """Serves ``out`` and pushes ``state`` to open pages. Binding happens in
    the constructor (``OSError`` when the port is taken); ``start`` serves
    in a background thread; ``close`` ends every connection, event streams
    included, and returns promptly."""

    def __init__(self, out: str | Path, state: LiveState, host: str = "127.0.0.1", port: int = 0) -> None:
        self.out = Path(out)
        self.root = self.out.resolve()
        self.state = state
        self.host = host
        self.loopback = is_loopback(host)
        self.session = secrets.token_hex(4)  # lets a page tell a restarted server from the one it knew
        self.closing = threading.Event()
        self._streams: set[socket.socket] = set()  # the event streams, apart from the connections
        # Open connections, the longest idle first: socket -> busy (a request is being answered).
        self._connections: dict[socket.socket, bool] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.files = FileCache()
        self._httpd = _HTTPServer((host, port), self)
        self.port = self._httpd.server_address[1]

    @property
    def url(self) -> str:
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        """Serve in a background (daemon) thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="copis-preview", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving: end the event streams, then the server."""
        self.closing.set()
        self.state.wake()
        with self._lock:
            streams = list(self._streams)
        for sock in streams:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def client_tag(self, snapshot: Snapshot, page: str, placeholder: bool = False) -> bytes:
        """The ``<script>`` added to a page: where it is and which revision
        of its journey it shows."""
        extra = ' data-placeholder=""' if placeholder else ""
        return (f'<script src="{CLIENT}" data-page="{html.escape(page)}" '
                f'data-revision="{page_revision(snapshot, page)}" data-session="{self.session}"{extra} '
                f'defer></script>').encode("utf-8")

    def _stream(self, sock: socket.socket) -> bool:
        """Count a connection whose request is an event stream among the
        streams, no longer among the connections (False at ``MAX_STREAMS``:
        it stays a connection, and is answered 503)."""
        with self._lock:
            if len(self._streams) >= MAX_STREAMS:
                return False
            self._connections.pop(sock, None)
            self._streams.add(sock)
            return True

    def _end_stream(self, sock: socket.socket) -> None:
        with self._lock:
            self._streams.discard(sock)

    def _admit(self, sock: socket.socket) -> bool:
        """Count a new connection in; at ``MAX_CONNECTIONS``, close the one
        idle the longest to make room (False when every one is busy)."""
        with self._lock:
            idle = None
            if len(self._connections) >= MAX_CONNECTIONS:
                idle = next((s for s, busy in self._connections.items() if not busy), None)
                if idle is None:
                    return False
                del self._connections[idle]
            self._connections[sock] = False
        if idle is not None:
            try:
                idle.shutdown(socket.SHUT_RDWR)  # its thread reads the end and finishes
            except OSError:
                pass
        return True

    def _busy(self, sock: socket.socket, busy: bool) -> None:
        with self._lock:
            if sock in self._connections:
                del self._connections[sock]  # to the end: idle the shortest
                self._connections[sock] = busy

    def _forget(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.pop(sock, None)

    @property
    def connections(self) -> int:
        """How many connections are open (served or idle), event streams apart."""
        with self._lock:
            return len(self._connections)

    @property
    def streams(self) -> int:
        """How many event streams are open."""
        with self._lock:
            return len(self._streams)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "copis-preview"
    timeout = IDLE_TIMEOUT
    protocol_version = "HTTP/1.1"  # keep-alive: a page's pictures come over one connection

    def handle_one_request(self) -> None:
        self.server.preview._busy(self.connection, False)  # waiting for a request: may be closed for room
        super().handle_one_request()

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if ok:
            self.server.preview._busy(self.connection, True)
        return ok

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass  # the terminal shows rebuilds, not requests

    def do_HEAD(self) -> None:
        self._route(head=True)

    def do_GET(self) -> None:
        self._route(head=False)

    # ------------------------------------------------------------ routing

    def _route(self, head: bool) -> None:
        preview = self.server.preview
        if not self._host_allowed():
            self._send(403, b"Forbidden: unknown host name\n", "text/plain; charset=utf-8", head)
            return
        path = urllib.parse.urlsplit(self.path).path
        if path == EVENTS and not head:
            self._events()
        elif path == STATE:
            body = json.dumps(self._state_json(), ensure_ascii=False, sort_keys=True).encode("utf-8")
            self._send(200, body, "application/json", head)
        elif path == CLIENT:
            self._send(200, CLIENT_JS.read_bytes(), _TYPES[".js"], head)
        else:
            self._static(path, head, preview)

    def _host_allowed(self) -> bool:
        preview = self.server.preview
        if not preview.loopback:
            return True
        name = urllib.parse.urlsplit("//" + self.headers.get("Host", "")).hostname or ""
        return is_loopback(name) or name == preview.host.lower()

    def _state_json(self) -> dict:
        preview = self.server.preview
        return dict(preview.state.current.to_json(), session=preview.session)

    # ------------------------------------------------------------ files

    def _static(self, path: str, head: bool, preview: PreviewServer) -> None:
        raw = urllib.parse.unquote(path, errors="replace")
        parts = [p for p in raw.split("/") if p not in ("", ".")]
        if "\x00" in raw or "\\" in raw or ".." in parts:
            self._missing(raw, head)
            return
        target = preview.root.joinpath(*parts)
        try:
            target = target.resolve()
        except (OSError, RuntimeError):
            self._missing(raw, head)
            return
        if not target.is_relative_to(preview.root):
            self._missing(raw, head)
            return
        if not parts:
            self._root(head, preview)
            return
        if target.is_dir():
            if not path.endswith("/"):
                self._redirect(path + "/")
                return
            target = target / "index.html"
            parts = parts + ["index.html"]
        try:
            data = preview.files.read(target)
        except OSError:
            self._missing(raw, head)
            return
        ctype = _TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix.lower() == ".html":
            data = injected(data, preview.client_tag(preview.state.current, "/".join(parts)))
        self._send(200, data, ctype, head)

    def _root(self, head: bool, preview: PreviewServer) -> None:
        snapshot = preview.state.current
        try:
            page = preview.files.read(preview.root / "index.html")
        except OSError:  # none built (yet): a journey's page, else a placeholder
            page = None
        if page is not None:
            self._send(200, injected(page, preview.client_tag(snapshot, "index.html")), _TYPES[".html"], head)
            return
        for journey in snapshot.journeys:
            if journey.url is not None:
                self._redirect("/" + urllib.parse.quote(journey.url))
                return
        body = _placeholder("copis watch", "No report has been built yet. This page updates when one is.")
        self._send(200, inject(body, preview.client_tag(snapshot, "", placeholder=True)), _TYPES[".html"], head)

    def _missing(self, raw: str, head: bool) -> None:
        preview = self.server.preview
        page = "/".join(p for p in raw.split("/") if p)
        body = _placeholder("Not found", f"{raw} is not in the build (yet). This page updates when it is.")
        tag = preview.client_tag(preview.state.current, page, placeholder=True)
        self._send(404, inject(body, tag), _TYPES[".html"], head)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send(self, status: int, body: bytes | tuple, ctype: str, head: bool) -> None:
        """Answer with ``body``, bytes or pieces to send in turn (``injected``)."""
        parts = (body,) if isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(sum(len(p) for p in parts)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            for part in parts:
                self.wfile.write(part)

    # ------------------------------------------------------------ events

    def _events(self) -> None:
        preview = self.server.preview
        self.close_connection = True
        if not preview._stream(self.connection):
            self.wfile.write(_BUSY)  # the answer to a connection refused for room, as the accept loop's
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            last = None
            quiet_since = time.monotonic()
            while not preview.closing.is_set():
                # In short waits, to notice a closed tab within a second
                # (its connection is then free for another).
                snapshot = preview.state.current if last is None else preview.state.wait(last, 1.0)
                if preview.closing.is_set() or _gone(self.connection):
                    break
                if snapshot.version != last:
                    data = dict(snapshot.to_json(), session=preview.session)
                    line = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                    self.wfile.write(f"id: {snapshot.version}\nevent: state\ndata: {line}\n\n".encode("utf-8"))
                    last = snapshot.version
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since >= KEEPALIVE:
                    self.wfile.write(b": keep-alive\n\n")
                    quiet_since = time.monotonic()
        except OSError:
            pass  # the page went away
        finally:
            preview._end_stream(self.connection)


def _gone(sock: socket.socket) -> bool:
    """Whether the client of an event stream closed its end (it sends
    nothing on it, so anything readable is the end)."""
    try:
        poller = select.poll()  # not select(): it cannot take descriptors above 1,023
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0)) and sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def _placeholder(title: str, text: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{html.escape(title)}</title>\n</head>\n<body style="font-family: system-ui, sans-serif; '
            f'margin: 3rem">\n<h1>{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>\n</body>\n</html>\n'
            ).encode("utf-8")
