"""Running Graphviz (``dot``, ``twopi``, ``neato``) as a subprocess.

Graphviz is a system program, not a Python package; when it is missing
every picture fails with one clear line naming the install command, while
DOT output keeps working.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

MISSING = ("Graphviz is not installed (no '{engine}' on PATH): apt-get install graphviz "
           "(macOS: brew install graphviz; Windows: winget install graphviz)")
TIMEOUT = 300  # seconds; far beyond any journey we can lay out
#: the time cairo stamps a PDF with (it does not read SOURCE_DATE_EPOCH), and
#: the fixed one of the same length put in its place: the same input, the same bytes
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}Z\)")
_FIXED_DATE = b"D:19700101000000Z"


class GraphvizError(Exception):
    """Graphviz is missing, failed or crashed; the message is one line."""


def available(engine: str = "dot") -> bool:
    return shutil.which(engine) is not None


def run(source: str, engine: str, fmt: str, *args: str) -> bytes:
    """``engine -T<fmt>`` on ``source``; the output bytes."""
    program = shutil.which(engine)
    if program is None:
        raise GraphvizError(MISSING.format(engine=engine))
    try:
        done = subprocess.run([program, f"-T{fmt}", *args], input=source.encode("utf-8"),
                              capture_output=True, timeout=TIMEOUT, check=False,
                              env={**os.environ, "LC_ALL": "C.UTF-8"})
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz ({engine}) took longer than {TIMEOUT} s and was stopped") from None
    except OSError as exc:
        raise GraphvizError(f"Graphviz ({engine}) could not be started: {exc.strerror}") from None
    if done.returncode != 0 or not done.stdout:
        raise GraphvizError(_failure(engine, done))
    if fmt == "pdf":  # same length, so the file's byte offsets stay right
        return _PDF_DATE.sub(lambda m: b"/" + m.group(1) + b" (" + _FIXED_DATE + b")", done.stdout)
    return done.stdout


def _failure(engine: str, done: subprocess.CompletedProcess) -> str:
    if done.returncode < 0:
        return f"Graphviz ({engine}) crashed (signal {-done.returncode})"
    lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines()
             if line.strip() and not line.lstrip().startswith("Warning")]
    detail = f": {lines[0]}" if lines else ""
    return f"Graphviz ({engine}) failed with exit code {done.returncode}{detail}"
