"""What is printed never acts on the terminal, and no string reorders what
a report shows (issue 18): control characters in file names, messages and
hints are shown escaped in every format; bidirectional controls are W310
and become visible marks in HTML and SVG."""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path

import pytest

from copisdsl.diagnostics import format_github, format_text, warning
from copisdsl.source import Span, bidi_marked, printable

from conftest import run_copis

JOURNEY = 'journey j "J" {\n  stage s "S" { touchpoint t "T" {} }\n}\n'
EVIL = "e\x1b[31mvil\nforged.copis:9:9: E999 error: forged\r\x07.copis"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


run = partial(run_copis, text=False)


def _raw_controls(data: bytes) -> set[int]:
    return {b for b in data if b < 0x20 and b not in (0x0a,)} | ({0x1b} if b"\x1b" in data else set())


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_an_escape_sequence_file_name_is_shown_escaped(tmp_path, fmt):
    (tmp_path / EVIL).write_text(JOURNEY, encoding="utf-8")
    done = run("check", "--format", fmt, ".", cwd=tmp_path)
    out = done.stdout + done.stderr
    assert not _raw_controls(out), out
    assert b"\\x1b[31m" in out and b"\\x0a" in out
    assert not any(line.startswith(b"forged.copis") for line in out.splitlines())  # no forged line


def test_json_keeps_json_escaping(tmp_path):
    (tmp_path / EVIL).write_text(JOURNEY, encoding="utf-8")
    done = run("check", "--format", "json", ".", cwd=tmp_path)
    assert not _raw_controls(done.stdout)
    files = {d["file"] for d in json.loads(done.stdout)["diagnostics"]}
    assert any("e\\x1b[31mvil\\x0a" in name for name in files)  # shown as in the text format


def test_fmt_and_build_messages_escape_file_names(tmp_path):
    (tmp_path / EVIL).write_text('journey j "J" {\nstage s "S" {  }\n}\n', encoding="utf-8")
    done = run("fmt", ".", cwd=tmp_path)
    assert b"reformatted e\\x1b[31mvil\\x0a" in done.stderr and not _raw_controls(done.stderr)


def test_a_message_with_a_newline_keeps_one_head_line():
    diag = warning("W300", "line one\nforged.copis:1:1: E100 error: x", Span("a\x1bb.copis", 1, 1, 1, 2),
                   "hint\nsecond \x9b line")
    text = format_text(diag, {}, color=False)
    assert text.splitlines() == ["a\\x1bb.copis:1:1: W300 warning: line one\\x0aforged.copis:1:1: E100 error: x",
                                 "hint: hint\\x0asecond \\x9b line"]
    github = format_github(diag)
    assert "\n" not in github and "\x1b" not in github and "\x9b" not in github
    assert github.endswith("::W300 line one%0Aforged.copis:1:1: E100 error: x (hint: hint%0Asecond \\x9b line)")


def test_a_utf16_csv_is_one_e400_without_nul_bytes(tmp_path):
    (tmp_path / "orders.csv").write_bytes("amount\n5\n".encode("utf-16"))
    (tmp_path / "j.copis").write_text('journey j "J" {\n  data orders "orders.csv"\n'
                                      '  kpi total = sum(orders.amount)\n'
                                      '  stage s "S" { touchpoint t "T" {} }\n}\n', encoding="utf-8")
    done = run("check", "j.copis", cwd=tmp_path)
    assert b"\x00" not in done.stdout and b"E400" in done.stdout and b"UTF-16" in done.stdout


def test_printable_and_bidi_marked():
    assert printable("a\tb\x7f\u202e") == "a\\x09b\\x7f\\u202e"
    assert printable("plain \u00e9") == "plain \u00e9"
    assert bidi_marked("x\u202ey") == "x[U+202E]y"


def test_bidi_controls_are_w310_and_neutralised_in_every_output(tmp_path):
    if not any(Path(p, "dot").exists() for p in os.environ.get("PATH", "").split(os.pathsep)):
        pytest.skip("needs Graphviz")
    (tmp_path / "j.copis").write_text(
        f'journey j "J {BIDI}" {{\n  owner "o{BIDI}"\n  stage s "S{BIDI}" {{\n'
        f'    touchpoint t "T{BIDI}" {{ emotion 3; customer "c{BIDI}" }}\n  }}\n}}\n', encoding="utf-8")
    done = run("build", "j.copis", "-o", "out", cwd=tmp_path)
    assert done.stdout.count(b"W310") == 5, done.stdout  # title, owner, stage, touchpoint, customer
    assert not any(ch.encode() in done.stdout for ch in BIDI)
    files = sorted((tmp_path / "out" / "j").iterdir())
    assert [f.name for f in files] == ["copis.svg", "index.html", "journey.svg", "map.svg", "mindmap.svg"]
    for f in files:
        body = f.read_text(encoding="utf-8")
        assert not any(ch in body for ch in BIDI), f.name
        assert "[U+202E]" in body, f.name
    dot = run("render", "j.copis", "--format", "dot", cwd=tmp_path)
    assert not any(ch.encode() in dot.stdout for ch in BIDI) and b"[U+202E]" in dot.stdout
