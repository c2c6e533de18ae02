"""`copis lsp` as a command: pygls stays off every other command's start-up
path, the server does not import pandas for a journey without data, and a
missing pygls is a clear message (exit 2), not a traceback."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from copisdsl.cli import main


def test_other_commands_do_not_import_pygls(tmp_path):
    journey = tmp_path / "j.copis"
    journey.write_text('journey j "J" {\n}\n')
    code = ("import sys\nfrom click.testing import CliRunner\nfrom copisdsl.cli import main\n"
            f"r = CliRunner().invoke(main, ['check', {str(journey)!r}])\n"
            "assert r.exit_code == 0, r.output\n"
            "assert not any(m.split('.')[0] in ('pygls', 'lsprotocol') for m in sys.modules), 'pygls loaded'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_server_checks_without_pandas():
    code = ("import sys\nfrom copisdsl.workflow.lsp.documents import snapshot, compute_data\n"
            "s = snapshot('file:///tmp/x.copis', 1, 'journey j \"J\" {\\n  kpi a = 1\\n}\\n')\n"
            "assert s.model is not None and compute_data(s) is None\n"
            "assert 'pandas' not in sys.modules, 'pandas loaded'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_help_names_the_extra():
    result = CliRunner().invoke(main, ["lsp", "--help"])
    assert result.exit_code == 0
    assert "pip install 'copisdsl[lsp]'" in result.output


def test_missing_pygls_is_a_usage_error():
    code = ("import sys\nsys.modules['pygls'] = None\n"  # an import of pygls now raises ImportError
            "from copisdsl.cli import main\nmain(['lsp'])\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr == "copis lsp needs pygls (pygls is not installed): pip install 'copisdsl[lsp]'\n"
