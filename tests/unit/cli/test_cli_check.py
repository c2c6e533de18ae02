"""`copis check`: output formats, exit codes, folders, odd files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from copisdsl.cli import main

CLEAN = 'journey j "J" {\n  customer "Anyone"\n  service "Shop"\n  stage s "S" {\n    touchpoint t "T" {\n      objective "Sell"\n      process "Pay"\n      information "Price"\n    }\n  }\n}\n'
WARN = 'journey j "J" {\n  stage s "S" {}\n}\n'
ERROR = ('journey j "J" {\n  stage s "S" { touchpoint checkout "C" { customer "A"; objective "B"; process "C"; '
         'information "D"; service "E" } }\n  flow checkout -> chekout\n}\n')


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def files(tmp_path):
    (tmp_path / "clean.copis").write_text(CLEAN)
    (tmp_path / "warn.copis").write_text(WARN)
    (tmp_path / "err.copis").write_text(ERROR)
    return tmp_path


def test_exit_codes(files):
    assert run("check", str(files / "clean.copis")).exit_code == 0
    assert run("check", str(files / "warn.copis")).exit_code == 0
    assert run("check", "--strict", str(files / "warn.copis")).exit_code == 1
    assert run("check", str(files / "err.copis")).exit_code == 1
    assert run("check", str(files / "nope.copis")).exit_code == 2
    assert run("check", "--format", "yaml", str(files / "clean.copis")).exit_code == 2
    assert run("check").exit_code == 2


def test_folder_is_searched_recursively_and_summarised(files):
    sub = files / "more" / "deeper"
    sub.mkdir(parents=True)
    (sub / "x.copis").write_text(CLEAN)
    (files / ".hidden").mkdir()
    (files / ".hidden" / "skip.copis").write_text(ERROR)
    result = run("check", str(files))
    assert result.output.strip().splitlines()[-1] == "4 files, 1 error, 1 warning"
    assert "skip.copis" not in result.output


def test_empty_folder_is_no_error_but_a_note(tmp_path):
    result = run("check", str(tmp_path))
    assert result.exit_code == 0
    assert f"note: no .copis files in {tmp_path}" in result.stderr
    assert result.stdout == "0 files, 0 errors, 0 warnings\n"


def test_text_output_is_compiler_style(files):
    out = run("check", "--no-color", str(files / "err.copis")).output
    path = (files / "err.copis").as_posix()
    assert f"{path}:3:20: E201 error: unknown flow endpoint 'chekout'\n" \
           " 3 |   flow checkout -> chekout\n" \
           "   |                    ^^^^^^^\n" \
           "hint: did you mean 'checkout'?\n" in out


def test_json_output_has_exactly_the_reference_shape(files):
    result = run("check", "--format", "json", str(files / "err.copis"), str(files / "clean.copis"))
    doc = json.loads(result.output)
    assert list(doc) == ["files", "diagnostics", "summary"]
    assert doc["files"] == 2
    assert doc["summary"] == {"errors": 1, "warnings": 0}
    (d,) = doc["diagnostics"]
    assert d == {"code": "E201", "severity": "error", "message": "unknown flow endpoint 'chekout'",
                 "file": (files / "err.copis").as_posix(), "line": 3, "column": 20, "end_line": 3,
                 "end_column": 27, "hint": "did you mean 'checkout'?"}


def test_json_null_hint_and_warning(files):
    doc = json.loads(run("check", "--format", "json", str(files / "warn.copis")).output)
    assert doc["diagnostics"][0]["severity"] == "warning"
    assert doc["summary"] == {"errors": 0, "warnings": 1}


def test_github_annotations(files):
    out = run("check", "--format", "github", str(files / "err.copis")).output
    path = (files / "err.copis").as_posix()
    assert f"::error file={path},line=3,col=20,endLine=3,endColumn=27,title=E201::E201 unknown flow " \
           "endpoint 'chekout' (hint%3A did you mean 'checkout'?)" not in out  # ':' is escaped only in properties
    assert f"::error file={path},line=3,col=20,endLine=3,endColumn=27,title=E201::E201 unknown flow " \
           "endpoint 'chekout' (hint: did you mean 'checkout'?)" in out


def test_github_standard_output_is_annotations_only(files):
    result = CliRunner().invoke(main, ["check", "--format", "github", str(files / "err.copis")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::") for line in lines)
    assert "1 file, 1 error" in result.stderr


def test_github_escapes_newlines_and_percent():
    from copisdsl.diagnostics import format_github, warning
    from copisdsl.source import Span

    line = format_github(warning("W300", "a%b\nc", Span("a,b:c.copis", 1, 1, 1, 2)))
    assert line == "::warning file=a%2Cb%3Ac.copis,line=1,col=1,endLine=1,endColumn=2,title=W300::W300 a%25b%0Ac"


def test_non_utf8_file_is_a_diagnostic_not_a_traceback(tmp_path):
    f = tmp_path / "latin.copis"
    f.write_bytes(b'journey j "Caf\xe9" {\n}\n')
    result = run("check", "--format", "json", str(f))
    assert result.exit_code == 1
    d = json.loads(result.output)["diagnostics"][0]
    assert (d["code"], d["line"], d["column"]) == ("E100", 1, 15)
    assert "UTF-8" in d["message"]


def test_bom_and_crlf_are_fine(tmp_path):
    f = tmp_path / "bom.copis"
    f.write_bytes(b"\xef\xbb\xbf" + CLEAN.replace("\n", "\r\n").encode())
    result = run("check", str(f))
    assert result.exit_code == 0, result.output


def test_module_entry_point_and_version_are_fast_paths():
    code = ("import sys, runpy; sys.argv=['copis','--version'];\n"
            "try:\n  runpy.run_module('copisdsl', run_name='__main__')\nexcept SystemExit: pass\n"
            "heavy = [m for m in ('pandas', 'scipy', 'jinja2', 'graphviz', 'lark') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "copis, version" in out
    assert "HEAVY []" in out


def test_check_without_data_does_not_import_pandas(tmp_path):
    f = tmp_path / "a.copis"
    f.write_text(CLEAN)
    code = (f"import sys\nfrom click.testing import CliRunner\nfrom copisdsl.cli import main\n"
            f"r = CliRunner().invoke(main, ['check', {str(f)!r}])\n"
            "print('EXIT', r.exit_code, [m for m in ('pandas', 'scipy', 'jinja2', 'graphviz') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "EXIT 0 []" in out


def test_a_file_without_syntax_errors_is_checked_without_lark(tmp_path):
    """The fast loop's table is cached on disk: Lark is imported to build
    it once, then only to describe a syntax error."""
    f = tmp_path / "a.copis"
    f.write_text(CLEAN)
    bad = tmp_path / "bad.copis"
    bad.write_text(CLEAN.replace("{", "{{", 1))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = ("import sys\nfrom click.testing import CliRunner\nfrom copisdsl.cli import main\n"
            "r = CliRunner().invoke(main, ['check', sys.argv[1]])\n"
            "print('EXIT', r.exit_code, 'lark' in sys.modules)")

    def check(path):
        return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                              check=True, env=env).stdout.strip()

    assert check(f) == "EXIT 0 True"  # no cache yet: built with Lark, and written
    assert sorted(p.suffixes[-2] for p in (tmp_path / "cache" / "copisdsl" / "grammar").iterdir()) == [
        ".lark", ".table"]
    assert check(f) == "EXIT 0 False"
    assert check(bad) == "EXIT 1 True"


def test_a_damaged_table_cache_is_made_again(tmp_path):
    f = tmp_path / "a.copis"
    f.write_text(CLEAN)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "copisdsl", "check", str(f)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    (table,) = (tmp_path / "cache" / "copisdsl" / "grammar").glob("*.table.cache")
    for damage in (b"", b"garbage", table.read_bytes()[:100]):
        table.write_bytes(damage)
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        assert (result.returncode, result.stderr) == (0, ""), damage
        assert table.read_bytes() not in (b"", b"garbage") and len(table.read_bytes()) > 100


def test_files_that_cannot_be_read_fail_the_check(tmp_path):
    # A link to nothing, a folder named like a journey and a device are
    # reported, never skipped (a CI check must not pass by not looking).
    good = tmp_path / "ok.copis"
    good.write_text('journey j "J" {}\n', encoding="utf-8")
    (tmp_path / "broken.copis").symlink_to(tmp_path / "nowhere.copis")
    (tmp_path / "folder.copis").mkdir()
    (tmp_path / "device.copis").symlink_to("/dev/full")
    r = run("check", "--format", "json", str(tmp_path))
    assert r.exit_code == 1, r.output
    out = json.loads(r.output)
    unreadable = {d["file"].rsplit("/", 1)[-1]: d["message"] for d in out["diagnostics"] if d["code"] == "E400"}
    assert set(unreadable) == {"broken.copis", "device.copis"}
    assert unreadable["device.copis"].endswith("not a regular file")
    assert out["files"] == 3  # the folder named folder.copis is searched, not read


def test_unreadable_and_special_data_files_are_e400(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    (tmp_path / "j.copis").write_text('journey j "J" {\n  data d "pipe.csv"\n  kpi n = count(d.x)\n}\n',
                                      encoding="utf-8")
    r = run("check", "--format", "json", str(tmp_path / "j.copis"))
    codes = [(d["code"], d["line"], d["message"]) for d in json.loads(r.output)["diagnostics"]]
    assert codes == [("E400", 2, "data path 'pipe.csv' is not a regular file")]


def test_after_a_misplaced_statement_no_data_is_read(tmp_path):
    """A statement where it may not stand is a syntax error (E100), and after
    one only syntax errors are reported: no E400 for a data file, no checks."""
    f = tmp_path / "a.copis"
    f.write_text('journey j "J" {\n  data gone "missing.csv"\n  stage s "S" {\n    channel web\n  }\n}\n',
                 encoding="utf-8")
    result = run("check", "--format", "json", str(f))
    codes = [d["code"] for d in json.loads(result.output)["diagnostics"]]
    assert (result.exit_code, codes) == (1, ["E100"])
