"""`copis fmt`: black-style safety over every journey we have, and the
command line (check, diff, stdin, syntax errors, writes); the golden
layouts are tests/golden/fmt/test_fmt_golden.py's."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, ROOT
from copisdsl.cli import main
from copisdsl.workflow.fmt import UnsafeFormatError, format_source
from copisdsl.syntax.scanning import scan_comments
from copisdsl.syntax.parser import parse

GOLDEN = ROOT / "tests" / "golden"
ALL_JOURNEYS = sorted(EXAMPLES.glob("*.copis")) + sorted(GOLDEN.glob("**/*.copis"))
@pytest.mark.parametrize("path", ALL_JOURNEYS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_safe_and_stable_on_every_journey(path):
    text = path.read_text(encoding="utf-8")
    doc, _ = parse(text, path.name)
    out, diagnostics = format_source(text, path.name, safe=False)
    if doc is None:
        assert out is None and any(d.code == "E100" for d in diagnostics)
        return
    again, _ = parse(out, path.name)
    assert again == doc
    assert sorted(c.text for c in scan_comments(out)) == sorted(c.text for c in scan_comments(text))
    assert format_source(out, path.name, safe=False)[0] == out


def test_there_are_journeys_to_check():
    assert len(ALL_JOURNEYS) >= 10 and any(p.parent.name == "fmt" for p in ALL_JOURNEYS)


def test_comments_stay_on_their_lines():
    text = ('journey j {  # open\n'
            '  # leading\n'
            '  tags "a",  # first\n'
            '    "b"\n'
            '  owner "x"   # trailing\n'
            '}\n')
    out, _ = format_source(text)
    assert out == ('journey j {  # open\n'
                   '  # leading\n'
                   '  tags "a",  # first\n'
                   '       "b"\n'
                   '  owner "x"  # trailing\n'
                   '}\n')


def test_blank_lines_collapse_and_top_level_blocks_are_separated():
    text = 'journey j {\n\n\n  owner "a"\n\n\n\n  stage a {\n    touchpoint t {}\n  }\n  stage b {\n    touchpoint u {}\n  }\n\n}\n'
    out, _ = format_source(text)
    assert out == ('journey j {\n  owner "a"\n\n  stage a {\n    touchpoint t {}\n  }\n\n'
                   '  stage b {\n    touchpoint u {}\n  }\n}\n')


def test_long_values_wrap_after_commas_aligned():
    values = ", ".join(f'"step number {i}"' for i in range(12))
    out, _ = format_source(f'journey j {{\n  process {values}\n}}\n')
    lines = out.splitlines()[1:-1]
    assert len(lines) > 1 and all(len(line) <= 100 for line in lines)
    assert all(line.endswith(",") for line in lines[:-1])
    assert all(line.startswith(" " * 10 + '"') for line in lines[1:])


def test_syntax_error_gives_diagnostics_and_no_text():
    out, diagnostics = format_source('journey j {\n  owner x\n}\n', "bad.copis")
    assert out is None
    assert [d.code for d in diagnostics] == ["E100"]


def test_unsafe_result_is_refused(monkeypatch):
    from copisdsl.workflow.fmt import layout

    monkeypatch.setattr(layout, "quote", lambda text: '"changed"')
    with pytest.raises(UnsafeFormatError, match="different journey"):
        format_source('journey j "Title" {}\n')


# ------------------------------------------------------------------ command


def _run(*args, input=None):
    return CliRunner().invoke(main, ["fmt", *args], input=input)


UGLY = 'journey j "J" { owner "x"; stage s { touchpoint t {} } }\n'
PRETTY = 'journey j "J" {\n  owner "x"\n  stage s {\n    touchpoint t {}\n  }\n}\n'


def test_cli_rewrites_files_in_place_and_keeps_permissions(tmp_path):
    f = tmp_path / "a.copis"
    f.write_text(UGLY)
    os.chmod(f, 0o640)
    (tmp_path / "b.copis").write_text(PRETTY)
    result = _run(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f.read_text() == PRETTY
    assert os.stat(f).st_mode & 0o777 == 0o640
    assert f"reformatted {f.as_posix()}" in result.stderr
    assert "1 file reformatted, 1 file left unchanged." in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.copis", "b.copis"]  # no temporary files left


def test_cli_check_reports_and_writes_nothing(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.copis").write_text(UGLY)
    (tmp_path / "c.copis").write_text(PRETTY)
    result = _run("--check", str(tmp_path))
    assert result.exit_code == 1
    assert "2 files would be reformatted, 1 file would be left unchanged." in result.stderr
    assert (tmp_path / "a.copis").read_text() == UGLY
    assert _run("--check", str(tmp_path / "c.copis")).exit_code == 0


def test_cli_diff_prints_unified_diff(tmp_path):
    f = tmp_path / "a.copis"
    f.write_text(UGLY)
    result = _run("--diff", str(f))
    assert result.exit_code == 0
    assert f"--- {f.as_posix()} (original)\n+++ {f.as_posix()} (formatted)\n" in result.stdout
    assert "-" + UGLY in result.stdout and "+  owner \"x\"\n" in result.stdout
    assert f.read_text() == UGLY


def test_cli_stdin_to_stdout():
    result = _run("-", input=UGLY)
    assert result.exit_code == 0
    assert result.stdout == PRETTY
    assert _run("--check", "-", input=UGLY).exit_code == 1
    assert _run("--check", "-", input=PRETTY).exit_code == 0


def test_cli_syntax_error_leaves_file_untouched(tmp_path):
    f = tmp_path / "bad.copis"
    f.write_text('journey j {\n  owner x\n}\n')
    result = _run(str(f))
    assert result.exit_code == 1
    assert f"{f.as_posix()}:2:9: E100 error: unexpected 'x'; expected a string" in result.stderr
    assert "1 file could not be formatted." in result.stderr
    assert f.read_text() == 'journey j {\n  owner x\n}\n'
    assert "Traceback" not in result.output


def test_cli_stdin_syntax_error_names_stdin_filename():
    result = _run("--stdin-filename", "j.copis", "-", input='journey j {\n  owner x\n}\n')
    assert result.exit_code == 1
    assert "j.copis:2:9: E100" in result.stderr
    assert result.stdout == ""


def test_cli_keeps_crlf_line_endings(tmp_path):
    f = tmp_path / "a.copis"
    f.write_bytes(UGLY.replace("\n", "\r\n").encode())
    assert _run(str(f)).exit_code == 0
    assert f.read_bytes() == PRETTY.replace("\n", "\r\n").encode()


def test_cli_keeps_a_byte_order_mark(tmp_path):
    f = tmp_path / "a.copis"
    f.write_bytes(b"\xef\xbb\xbf" + UGLY.encode())
    assert _run(str(f)).exit_code == 0
    assert f.read_bytes() == b"\xef\xbb\xbf" + PRETTY.encode()
    assert _run("--check", str(f)).exit_code == 0


def test_cli_not_utf8_is_a_diagnostic(tmp_path):
    f = tmp_path / "a.copis"
    f.write_bytes(b'journey j "\xff" {}\n')
    result = _run(str(f))
    assert result.exit_code == 1
    assert "E100 error: the file is not valid UTF-8" in result.stderr


def test_cli_unsafe_format_leaves_file_and_says_internal_error(tmp_path, monkeypatch):
    from copisdsl.workflow.fmt import layout

    monkeypatch.setattr(layout, "quote", lambda text: '"changed"')
    f = tmp_path / "a.copis"
    f.write_text(UGLY)
    result = _run(str(f))
    assert result.exit_code == 1
    assert "INTERNAL ERROR, the file was left unchanged" in result.stderr
    assert f.read_text() == UGLY


def test_cli_dash_with_other_paths_is_a_usage_error(tmp_path):
    f = tmp_path / "a.copis"
    f.write_text(PRETTY)
    assert _run("-", str(f)).exit_code == 2


def _applies(tmp_path, path, patch_text: str, expected: str) -> None:
    import shutil
    import subprocess

    if shutil.which("patch"):
        (tmp_path / "fix.patch").write_text(patch_text, encoding="utf-8")
        subprocess.run(["patch", "-s", str(path), str(tmp_path / "fix.patch")], check=True)
        assert path.read_text(encoding="utf-8") == expected


def test_diff_of_a_file_without_a_final_newline_is_a_valid_patch(tmp_path):
    path = tmp_path / "j.copis"
    path.write_text(PRETTY.rstrip("\n"), encoding="utf-8")
    result = _run("--diff", str(path))
    assert result.exit_code == 0
    assert "-}\n\\ No newline at end of file\n+}\n" in result.stdout
    _applies(tmp_path, path, result.stdout, PRETTY)


def test_diff_counts_lines_as_patch_does(tmp_path):
    """A form feed or U+2028 in a comment ends no line (str.splitlines would
    cut there, and patch rejected the hunk)."""
    ugly = "# a \u2028 b \f c\n" + UGLY.rstrip("\n")
    path = tmp_path / "j.copis"
    path.write_text(ugly, encoding="utf-8")
    result = _run("--diff", str(path))
    assert result.exit_code == 0
    assert "\\ No newline at end of file\n" in result.stdout
    formatted = _run(str(path))
    assert formatted.exit_code == 0
    pretty = path.read_text(encoding="utf-8")
    path.write_text(ugly, encoding="utf-8")
    _applies(tmp_path, path, result.stdout, pretty)


def test_stdin_keeps_a_byte_order_mark():
    result = CliRunner().invoke(main, ["fmt", "-"], input=("\ufeff" + UGLY).encode("utf-8"))
    assert result.exit_code == 0
    assert result.stdout_bytes == ("\ufeff" + PRETTY).encode("utf-8")


SUPPRESSED_ON_ONE_LINE = ('journey j "J" {\n  customer "c"; objective "o"; process "p"; information "i"; service "s"\n'
                          '  stage s "S" { touchpoint t "T" { moment_of_truth } }  # copis: ignore[W303]\n}\n')


def test_a_layout_that_would_unsuppress_a_diagnostic_is_refused():
    """Reference §15: ``ignore[...]`` holds for diagnostics that start on its
    line. Split, the line's moment of truth (W303) would leave it: the
    check would report W303 and a W309 it did not."""
    from copisdsl.workflow.fmt import SuppressionMovedError

    with pytest.raises(SuppressionMovedError, match=r"suppression on line 3 \(ignore\[W303\]\)"):
        format_source(SUPPRESSED_ON_ONE_LINE, "j.copis")
    # on a line of its own, the statement keeps its comment: formatted, still suppressed
    own_line = SUPPRESSED_ON_ONE_LINE.replace("{ moment_of_truth } }  # copis: ignore[W303]",
                                              "{\n    moment_of_truth  # copis: ignore[W303]\n  } }")
    out, _ = format_source(own_line, "j.copis")
    assert "      moment_of_truth  # copis: ignore[W303]\n" in out
    # a one-line block that stays on one line keeps its comment's statements
    out, _ = format_source('journey j "J" {\n  stage s "S" { }  # copis: ignore[W305]\n}\n', "j.copis")
    assert '  stage s "S" {}  # copis: ignore[W305]\n' in out


def test_a_data_warning_suppression_is_kept_on_its_line_too():
    """W403 is known only once the data is read (the check of a text alone
    never sees it): the layout is judged by the statements beside the
    comment, so a split that would report the W403 is refused as well."""
    from copisdsl.workflow.fmt import SuppressionMovedError

    text = ('journey j "J" {\n  data o "o.csv"\n'
            '  stage s "S" { touchpoint t "T" { kpi k = sum(o.amount where amount > 100) } }  # copis: ignore[W403]\n}\n')
    with pytest.raises(SuppressionMovedError, match=r"line 3 \(ignore\[W403\]\)"):
        format_source(text, "j.copis")


def test_cli_leaves_a_file_whose_suppression_would_move_and_says_why(tmp_path):
    path = tmp_path / "j.copis"
    path.write_text(SUPPRESSED_ON_ONE_LINE, encoding="utf-8")
    for args in ([str(path)], ["--check", str(path)]):
        result = CliRunner().invoke(main, ["fmt", *args])
        assert result.exit_code == 1 and "INTERNAL ERROR" not in result.output
        assert "not formatted, the file was left unchanged: the canonical layout would move" in result.output
    assert path.read_text(encoding="utf-8") == SUPPRESSED_ON_ONE_LINE
    checked = CliRunner().invoke(main, ["check", "--strict", str(path)])
    assert checked.exit_code == 0, checked.output
