"""A minimal driver for Debian's headless Chromium, for the browser tests
and the watch benchmark: the DevTools protocol over ``--remote-debugging-pipe``
(JSON messages separated by NUL bytes on file descriptors 3 and 4), so no
websocket library and no browser download are needed.

    with Chromium() as browser:
        page = browser.new_page("http://127.0.0.1:8000/")
        page.wait_for("document.readyState === 'complete'")
        page.evaluate("document.title")
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any


class BrowserError(RuntimeError):
    pass


class Chromium:
    """A headless Chromium process in its own process group and profile
    folder; ``close`` (or leaving the ``with`` block) always kills the
    group and removes the folder."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or shutil.which("chromium")
        if self.binary is None:
            raise BrowserError("chromium is not installed")
        self.profile = tempfile.mkdtemp(prefix="copis-chromium-")
        self._next_id = 0
        self._lock = threading.Lock()
        self._pending: dict[int, queue.Queue] = {}
        self.events: list[dict] = []
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Above 9, so that moving them onto 3 and 4 in the child cannot clobber one another.
        for fd in (to_child_r, from_child_w):
            high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            if fd == to_child_r:
                to_child_r = high
            else:
                from_child_w = high
        args = [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                f"--user-data-dir={self.profile}", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--window-size=1000,700", "about:blank"]
        # The protocol expects its pipes on descriptors 3 and 4 of the browser;
        # a tiny Python trampoline puts them there (sh cannot name fds above 9).
        trampoline = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
                      "os.execv(sys.argv[3], sys.argv[3:])")
        self.proc = subprocess.Popen([sys.executable, "-c", trampoline, str(to_child_r), str(from_child_w), *args],
                                     pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # ------------------------------------------------------------ protocol

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buffer += chunk
            while b"\0" in buffer:
                raw, _, buffer = buffer.partition(b"\0")
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        waiter = self._pending.pop(message["id"], None)
                    if waiter is not None:
                        waiter.put(message)
                else:
                    self.events.append(message)
        with self._lock:
            for waiter in self._pending.values():
                waiter.put({"error": {"message": "the browser closed"}})
            self._pending.clear()

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> queue.Queue:
        """Send a command; the returned queue gets its reply."""
        waiter: queue.Queue = queue.Queue(maxsize=1)
        with self._lock:
            self._next_id += 1
            message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
            if session is not None:
                message["sessionId"] = session
            self._pending[self._next_id] = waiter
        os.write(self._to_child, json.dumps(message).encode("utf-8") + b"\0")
        return waiter

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 15.0) -> dict:
        """Send a command and wait for its result."""
        waiter = self.send(method, params, session)
        try:
            reply = waiter.get(timeout=timeout)
        except queue.Empty:
            raise BrowserError(f"{method}: no reply within {timeout} s") from None
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    # ------------------------------------------------------------ pages

    def new_page(self, url: str) -> Page:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self.call("Runtime.enable", session=session)
        self.call("Page.enable", session=session)
        self.call("Page.navigate", {"url": url}, session=session)
        return page

    def exceptions(self, page: Page | None = None) -> list[str]:
        """Uncaught JavaScript exceptions so far (of one page, or all)."""
        found = []
        for event in list(self.events):
            if event.get("method") == "Runtime.exceptionThrown" and (
                    page is None or event.get("sessionId") == page.session):
                details = event["params"]["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details.get("text", "?"))
        return found

    # ------------------------------------------------------------ lifetime

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:  # politely first, so that the browser reaps its own helpers
                    self.send("Browser.close")
                    self.proc.wait(timeout=3)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # whatever is left of its process group
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait(timeout=10)
        finally:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Page:
    """One tab, attached with its own protocol session."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def evaluate(self, expression: str, await_promise: bool = False, timeout: float = 15.0) -> Any:
        """The value of a JavaScript expression (JSON-compatible values)."""
        result = self.browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                         "awaitPromise": await_promise},
                                   session=self.session, timeout=timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description") or details.get("text"))
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0, interval: float = 0.02) -> Any:
        """Poll until ``expression`` is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except BrowserError:
                value = None  # e.g. while the page navigates
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout} s waiting for {expression}")
            time.sleep(interval)
