"""A lone CR ends a line (issue 18): a file saved with classic Mac line
ends is read line by line, end to end — diagnostics and their snippets,
the formatter (which keeps CR), the build and editor positions. Each
command runs in its own process under a time limit."""

from __future__ import annotations

from functools import partial

from copisdsl.api import check, decode_source
from copisdsl.source import line_ending, lines_with_ends, source_lines
from copisdsl.workflow.lsp.positions import Lines

from conftest import run_copis

LINES = ["# a journey saved with CR line ends", 'journey j "J" {', '  stage s "S" {',
         '    touchpoint t "T" { channel web }', "  }", "  flow t -> nowhere", "}"]
CR = "\r".join(LINES) + "\r"


run = partial(run_copis, text=False, timeout=120)


def test_check_counts_cr_lines(tmp_path):
    (tmp_path / "j.copis").write_bytes(CR.encode())
    done = run("check", "j.copis", cwd=tmp_path)
    out = done.stdout.decode()
    assert done.returncode == 1 and "Traceback" not in done.stderr.decode()
    assert "j.copis:6:13: E201 error: unknown flow endpoint 'nowhere'" in out, out
    assert " 6 |   flow t -> nowhere\n   |             ^^^^^^^\n" in out, out
    assert "j.copis:4:5: W300 warning" in out and "\r" not in out


def test_fmt_keeps_cr_and_build_reads_it(tmp_path):
    messy = "\r".join(['journey j "J" {', 'stage s "S" {', 'touchpoint t "T" {', "channel web", "}", "}", "}"]) + "\r"
    path = tmp_path / "j.copis"
    path.write_bytes(messy.encode())
    done = run("fmt", "j.copis", cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    formatted = path.read_bytes()
    assert b"\n" not in formatted and formatted.count(b"\r") >= 7
    lf = tmp_path / "lf.copis"
    lf.write_bytes(messy.replace("\r", "\n").encode())
    assert run("fmt", "lf.copis", cwd=tmp_path).returncode == 0
    assert formatted == lf.read_bytes().replace(b"\n", b"\r")  # the same layout, CR kept
    assert run("fmt", "--check", "j.copis", cwd=tmp_path).returncode == 0  # formatted stays formatted
    built = run("build", "j.copis", "-o", "out", cwd=tmp_path)
    assert built.returncode == 0, built.stderr.decode()
    assert '"T"' not in (html := next((tmp_path / "out").rglob("index.html")).read_text(encoding="utf-8"))
    assert ">T<" in html


def test_an_undecodable_byte_is_placed_by_cr_lines():
    text, [diag] = decode_source(b'journey j "J" {\r  owner "\xff"\r}\r', "j.copis")
    assert (diag.code, diag.span.line, diag.span.column) == ("E100", 2, 10)


def test_spans_and_editor_positions_count_cr():
    result = check(CR, "j.copis")
    [unknown] = [d for d in result.diagnostics if d.code == "E201"]
    assert (unknown.span.line, unknown.span.column) == (6, 13)
    lines = Lines(CR)
    assert lines.span_range(unknown.span) == ((5, 12), (5, 19))
    assert lines.from_lsp(5, 12) == (6, 13)
    assert CR[lines.offset(6, 13):].startswith("nowhere")
    assert lines.end() == (7, 0)


def test_what_ends_a_line():
    assert source_lines("a\rb\r\nc\nd") == ["a", "b", "c", "d"]
    assert lines_with_ends("a\rb\r\nc\nd") == ["a\r", "b\r\n", "c\n", "d"]
    assert [line_ending(t) for t in ("a\rb\n", "a\r\nb", "a\nb\r", "a")] == ["\r", "\r\n", "\n", "\n"]
    assert source_lines("a\x0cb\u2028c") == ["a\x0cb\u2028c"]  # only line ends end lines
