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
"""

from __future__ import annotations

import html
import http.server
import ipaddress
import json
import mimetypes
import secrets
import socket
import threading
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from copisdsl.workflow.watch import LiveState, Snapshot

CLIENT_JS = Path(__file__).resolve().with_name("client.js")
KEEPALIVE = 15.0  # seconds between comments on an idle event stream, to notice closed tabs
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


def inject(page: bytes, tag: bytes) -> bytes:
    """``page`` with ``tag`` added before ``</head>`` (else ``</body>``,
    else at the end)."""
    lower = page.lower()
    for marker in (b"</head>", b"</body>"):
        at = lower.find(marker)
        if at >= 0:
            return page[:at] + tag + page[at:]
    return page + tag


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

    def __init__(self, address, preview: PreviewServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.preview = preview
        super().__init__(address, _Handler)


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
        self._streams: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
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

    def _track(self, sock: socket.socket, add: bool) -> None:
        with self._lock:
            (self._streams.add if add else self._streams.discard)(sock)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "copis-preview"

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
            data = target.read_bytes()
        except OSError:
            self._missing(raw, head)
            return
        ctype = _TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix.lower() == ".html":
            data = inject(data, preview.client_tag(preview.state.current, "/".join(parts)))
        self._send(200, data, ctype, head)

    def _root(self, head: bool, preview: PreviewServer) -> None:
        snapshot = preview.state.current
        index = preview.root / "index.html"
        if index.is_file():
            data = inject(index.read_bytes(), preview.client_tag(snapshot, "index.html"))
            self._send(200, data, _TYPES[".html"], head)
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

    def _send(self, status: int, body: bytes, ctype: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    # ------------------------------------------------------------ events

    def _events(self) -> None:
        preview = self.server.preview
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        preview._track(self.connection, True)
        try:
            self.wfile.write(b"retry: 1000\n\n")
            last = None
            while not preview.closing.is_set():
                snapshot = preview.state.current if last is None else preview.state.wait(last, KEEPALIVE)
                if preview.closing.is_set():
                    break
                if snapshot.version != last:
                    data = dict(snapshot.to_json(), session=preview.session)
                    line = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                    self.wfile.write(f"id: {snapshot.version}\nevent: state\ndata: {line}\n\n".encode("utf-8"))
                    last = snapshot.version
                else:
                    self.wfile.write(b": keep-alive\n\n")
        except OSError:
            pass  # the page went away
        finally:
            preview._track(self.connection, False)


def _placeholder(title: str, text: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{html.escape(title)}</title>\n</head>\n<body style="font-family: system-ui, sans-serif; '
            f'margin: 3rem">\n<h1>{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>\n</body>\n</html>\n'
            ).encode("utf-8")
