"""`copis render FILE --view V -o OUT`: formats from the extension or
--format, standard output, usage errors, and Graphviz missing (for `render`
and `build`), each in a fresh process."""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import has_dot
from copisdsl.render import VIEWS
from copisdsl.render.views import view_dot
from render_support import FIXTURES, copis, load

needs_dot = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")
CASE = FIXTURES / "branches.copis"
MAGIC = {"svg": b"<?xml", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


@needs_dot
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_render_format_from_the_extension(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"picture.{fmt.upper() if fmt == 'png' else fmt}"  # the case does not matter
    done = copis("render", str(CASE), "--view", "journey", "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""
    assert out.read_bytes().startswith(MAGIC[fmt])
    assert b"W300 warning" in done.stderr  # diagnostics go to stderr


@needs_dot
@pytest.mark.parametrize("view", VIEWS)
def test_render_each_view_to_svg(tmp_path: Path, view: str) -> None:
    out = tmp_path / f"{view}.svg"
    done = copis("render", str(CASE), "--view", view, "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    root = ET.fromstring(out.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find(".//{http://www.w3.org/2000/svg}g").get("id") == view  # the view's graph id
    assert b"<!--" not in out.read_bytes()


def test_render_dot_needs_no_graphviz(tmp_path: Path) -> None:
    model, figures = load(CASE)
    no_graphviz = {**os.environ, "PATH": str(tmp_path)}
    for view in VIEWS:
        out = tmp_path / f"{view}.dot"
        done = copis("render", str(CASE), "--view", view, "-o", str(out), env=no_graphviz)
        assert done.returncode == 0, done.stderr.decode()
        assert out.read_text(encoding="utf-8") == view_dot(model, figures, view)
    done = copis("render", str(CASE), "--view", "copis", "--format", "dot", env=no_graphviz)
    assert done.returncode == 0
    assert done.stdout.decode("utf-8") == view_dot(model, figures, "copis")


@needs_dot
def test_render_to_standard_output(tmp_path: Path) -> None:
    done = copis("render", str(CASE), "--view", "mindmap", "-o", "-")
    assert done.returncode == 0
    assert done.stdout.startswith(MAGIC["svg"])  # SVG when nothing says otherwise
    ET.fromstring(done.stdout)
    assert done.stdout == copis("render", str(CASE), "--view", "mindmap").stdout  # -o - is the default
    done = copis("render", str(CASE), "-o", "-", "--format", "png")
    assert done.returncode == 0 and done.stdout.startswith(MAGIC["png"])


@needs_dot
def test_format_option_when_the_extension_does_not_say(tmp_path: Path) -> None:
    out = tmp_path / "picture"
    done = copis("render", str(CASE), "-o", str(out), "--format", "pdf")
    assert done.returncode == 0
    assert out.read_bytes().startswith(MAGIC["pdf"])
    done = copis("render", str(CASE), "-o", str(tmp_path / "graph.gv"), "--format", "dot")
    assert done.returncode == 0
    assert (tmp_path / "graph.gv").read_text(encoding="utf-8").startswith('digraph "branches"')


@pytest.mark.parametrize("args, message", [
    (["-o", "picture.jpg"], "cannot tell the format from 'picture.jpg'; use an extension (.svg, .png, .pdf, .dot)"
                            " or --format"),
    (["-o", "picture"], "cannot tell the format from 'picture'"),
    (["-o", "x.svg", "--format", "gif"], "Invalid value for '--format': 'gif' is not one of"),
    (["--view", "flow"], "Invalid value for '--view': 'flow' is not one of 'journey', 'copis', 'mindmap'"),
])
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    done = copis("render", str(CASE), *args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_journey_with_errors_is_not_drawn(tmp_path: Path) -> None:
    bad = tmp_path / "bad.copis"
    bad.write_text('journey j "J" {\n  stage s "S" {\n    touchpoint a "A" {}\n  }\n  flow a -> b\n}\n')
    done = copis("render", str(bad), "-o", str(tmp_path / "out.svg"))
    assert done.returncode == 1
    assert f"{bad.as_posix()}:5:13: E201 error: unknown flow endpoint 'b'" in done.stderr.decode()
    assert done.stdout == b""
    assert not (tmp_path / "out.svg").exists()


@needs_dot
def test_an_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken.svg").mkdir()
    done = copis("render", str(CASE), "-o", str(tmp_path / "taken.svg"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr.decode()
    assert "taken.svg" in done.stderr.decode()


def _no_graphviz_env(tmp_path: Path) -> dict[str, str]:
    """A PATH with the Python that runs copis and nothing else."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    return {**os.environ, "PATH": str(bin_dir), "NO_COLOR": "1"}


@pytest.mark.parametrize("view", VIEWS)
def test_render_without_graphviz(tmp_path: Path, view: str) -> None:
    done = copis("render", str(CASE), "--view", view, "-o", str(tmp_path / "x.svg"), env=_no_graphviz_env(tmp_path))
    assert done.returncode == 1
    errors = [line for line in done.stderr.decode().splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "Graphviz is not installed" in errors[0] and "apt-get install graphviz" in errors[0]
    assert "Traceback" not in done.stderr.decode()
    assert not (tmp_path / "x.svg").exists()


def test_build_without_graphviz(tmp_path: Path) -> None:
    done = copis("build", str(CASE), str(FIXTURES / "hostile.copis"), "-o", str(tmp_path / "out"),
                 env=_no_graphviz_env(tmp_path))
    err = done.stderr.decode()
    assert done.returncode == 1
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [errors[0]] and "apt-get install graphviz" in errors[0]  # said once, not per journey
    assert "2 of 2 journeys not built" in err
    assert "report:" not in done.stdout.decode()
    assert not (tmp_path / "out" / "branches").exists()


@needs_dot
def test_a_pdf_carries_no_time_of_its_own(tmp_path: Path) -> None:
    """cairo stamps a PDF with the time it was drawn (it reads no
    SOURCE_DATE_EPOCH): the stamp is replaced by a fixed one of the same
    length, so the same journey gives the same bytes at any time and the
    file's cross-reference offsets still hold."""
    out = tmp_path / "x.pdf"
    done = copis("render", str(CASE), "-o", str(out))
    assert done.returncode == 0, done.stderr
    pdf = out.read_bytes()
    assert b"/CreationDate (D:19700101000000Z)" in pdf
    offset = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
    assert pdf[offset:offset + 4] == b"xref"  # the table is where the file says it is
