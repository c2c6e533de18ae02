"""`copis watch` as a user runs it: a real process, its output lines, the
preview URL it prints, Ctrl-C; and its usage errors."""

from __future__ import annotations

import http.client
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import has_dot
from copisdsl.cli import main

needs_dot = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")

JOURNEY = """journey a "A" {{
  stage s "Stage" {{
    touchpoint t1 "{label}" {{ channel web }}
  }}
}}
"""


class Running:
    """``copis watch`` in a subprocess, its standard output read line by line."""

    def __init__(self, *args: str, cwd: Path, sigint_ignored: bool = False) -> None:
        # sigint_ignored: started as a shell without job control starts a
        # background command, with SIGINT ignored (Ctrl-C must still stop it).
        preexec = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None
        self.proc = subprocess.Popen([sys.executable, "-m", "copisdsl", "watch", *args, "--no-color"], cwd=cwd,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=preexec)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 20.0) -> re.Match:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        self.proc.kill()
        pytest.fail(f"no line matching {pattern!r}; got:\n" + "\n".join(seen) + "\n" + self.proc.stderr.read())

    def interrupt(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail("copis watch did not stop on Ctrl-C")
        return self.proc.returncode, self.proc.stderr.read()


@needs_dot
@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["foreground", "sigint-ignored"])
def test_watch_rebuilds_serves_and_stops_cleanly(tmp_path, sigint_ignored):
    src = tmp_path / "journeys"
    src.mkdir()
    source = src / "a.copis"
    source.write_text(JOURNEY.format(label="Hello"), encoding="utf-8")
    run = Running("journeys", "-o", "build", "--serve", cwd=tmp_path, sigint_ignored=sigint_ignored)
    try:
        run.wait_for(r"^\d\d:\d\d:\d\d journeys/a\.copis built in \d+\.\d\d s: 0 errors, 1 warning$")
        run.wait_for(r"^watching journeys; writing to build; Ctrl-C to stop$")
        url = run.wait_for(r"^preview: (http://127\.0\.0\.1:\d+/)$").group(1)
        port = urllib.parse.urlsplit(url).port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/a/index.html")
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200 and b"Hello" in body and b'<script src="/_copis/client.js"' in body
        conn.close()

        source.write_text(JOURNEY.format(label="Bonjour"), encoding="utf-8")
        run.wait_for(r"journeys/a\.copis rebuilt in \d+\.\d\d s: 0 errors, 1 warning$")
        assert "Bonjour" in (tmp_path / "build" / "a" / "index.html").read_text(encoding="utf-8")

        source.write_text(JOURNEY.format(label="Broken").replace("channel web", "channel"), encoding="utf-8")
        run.wait_for(r"^journeys/a\.copis:3:38: E100 error: ")  # printed as `copis check` prints it
        run.wait_for(r"journeys/a\.copis failed in \d+\.\d\d s: 1 error, 0 warnings \(last good report kept\)$")
    finally:
        code, stderr = run.interrupt()
    assert code == 0
    assert "Traceback" not in stderr
    run.wait_for(r"^stopped$")


def test_the_output_folder_may_not_hold_the_journeys(tmp_path):
    (tmp_path / "a.copis").write_text(JOURNEY.format(label="x"), encoding="utf-8")
    result = CliRunner().invoke(main, ["watch", str(tmp_path), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "contains" in result.output and "build into a folder of its own" in result.output


def test_a_taken_port_is_a_clear_error(tmp_path):
    (tmp_path / "a.copis").write_text(JOURNEY.format(label="x"), encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["watch", str(tmp_path / "a.copis"), "-o", str(tmp_path / "out"),
                                           "--serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"error: cannot serve on 127.0.0.1:{port}: " in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_path_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["watch", str(tmp_path / "nope"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_watch_is_in_the_help():
    result = CliRunner().invoke(main, ["watch", "--help"])
    assert result.exit_code == 0
    for option in ("--serve", "--host", "--port", "--open", "-o, --output"):
        assert option in result.output


def test_open_implies_serve_and_opens_the_preview(tmp_path, monkeypatch):
    import webbrowser

    (tmp_path / "a.copis").write_text(JOURNEY.format(label="x"), encoding="utf-8")
    opened = []

    def fake_open(url):
        opened.append(url)
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C right away

    monkeypatch.setattr(webbrowser, "open", fake_open)
    result = CliRunner().invoke(main, ["watch", str(tmp_path / "a.copis"), "-o", str(tmp_path / "out"), "--open"])
    assert result.exit_code == 0, result.output
    [url] = opened
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
    assert f"preview: {url}" in result.output and result.output.endswith("stopped\n")
