"""A real editor as the client: Debian's Neovim, headless, attaches
`copis lsp` to an example and reports the diagnostics it received and a
completion list (tests/unit/nvim/init.lua)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from copisdsl.api import check_file
from lsp_support import EXAMPLES

NVIM = shutil.which("nvim")
INIT = Path(__file__).resolve().parents[1] / "nvim" / "init.lua"

pytestmark = pytest.mark.skipif(NVIM is None, reason="Neovim is not installed (make neovim installs Debian's)")


def test_neovim_receives_diagnostics_and_completion(tmp_path):
    shutil.copytree(EXAMPLES / "data", tmp_path / "data")
    text = (EXAMPLES / "skincare_clv.copis").read_text()
    broken = text.replace("flow checkout -> restock_mail", "flow chekout -> restock_mail")
    assert broken != text
    journey = tmp_path / "skincare_clv.copis"
    journey.write_text(broken)
    lines = broken.split("\n")
    flow_line = next(i for i, line in enumerate(lines) if line.strip().startswith("flow restock_mail"))
    out = tmp_path / "out.json"
    env = dict(os.environ, COPIS_OUT=str(out), COPIS_FILE=str(journey), COPIS_PYTHON=sys.executable,
               COPIS_LINE=str(flow_line), COPIS_CHAR=str(len("  flow ")), HOME=str(tmp_path),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_DATA_HOME=str(tmp_path / "share"))
    subprocess.run([NVIM, "--headless", "--clean", "-u", str(INIT)], env=env, timeout=90, check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)
    got = json.loads(out.read_text())
    assert "error" not in got, got

    expected = check_file(journey).diagnostics
    assert [(d.code, d.span.line - 1, d.span.column - 1) for d in expected] == [("E201", 57, 7)]
    assert [(d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"])
            for d in got["diagnostics"]] == [("E201", 57, 7)]
    assert got["diagnostics"][0]["message"] == expected[0].message + "\nhint: " + expected[0].hint
    assert "did you mean 'checkout'?" in got["diagnostics"][0]["message"]
    assert [(d["lnum"], d["col"], d["code"]) for d in got["shown"]] == [(57, 7, "E201")]

    assert got["completion"] == ["purchase", "checkout", "post_purchase", "restock_mail"]  # stages and touchpoints
