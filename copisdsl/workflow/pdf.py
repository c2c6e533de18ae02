"""Printing a built report to PDF with headless Chromium (``copis build --pdf``).

Chromium is a system program, like Graphviz: when it is missing the build
says so in one line, naming the install command. The report's print
stylesheet does the layout (the first picture on one landscape A3 page, the
rest on A4); Chromium only prints. Its PDF carries the time it was made,
which is replaced by a fixed one so that the same report gives the same bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

PROGRAMS = ("chromium", "chromium-browser", "google-chrome")
MISSING = ("Chromium is not installed (no 'chromium' on PATH), which --pdf prints with: "
           "apt-get install chromium (macOS: brew install --cask chromium)")
TIMEOUT = 120  # seconds
_DATE = re.compile(rb"\(D:\d{14}([^)]*)\)")


class PdfError(Exception):
    """Chromium is missing or failed; the message is one line."""


def find_chromium() -> str | None:
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(report: Path) -> bytes:
    """The PDF of the HTML file ``report`` as Chromium prints it."""
    program = find_chromium()
    if program is None:
        raise PdfError(MISSING)
    with tempfile.TemporaryDirectory(prefix="copis-pdf-") as work:
        target = Path(work) / "report.pdf"
        command = [program, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-extensions", "--no-pdf-header-footer", f"--user-data-dir={Path(work) / 'profile'}",
                   f"--print-to-pdf={target}", Path(report).resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False,
                                  env={**os.environ, "LC_ALL": "C.UTF-8", "TZ": "UTC"})
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium took longer than {TIMEOUT} s to print {report.name} and was stopped") from None
        except OSError as exc:
            raise PdfError(f"Chromium could not be started: {exc.strerror}") from None
        if not target.exists() or target.stat().st_size == 0:
            lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
            detail = f": {lines[-1]}" if lines else ""
            raise PdfError(f"Chromium did not print {report.name} (exit code {done.returncode}){detail}")
        return fixed_dates(target.read_bytes())


def fixed_dates(pdf: bytes) -> bytes:
    """The PDF with its creation and modification dates set to one fixed
    date of the same length (so the cross-reference offsets stay right)."""
    return _DATE.sub(lambda m: b"(D:20000101000000" + m.group(1) + b")", pdf)
