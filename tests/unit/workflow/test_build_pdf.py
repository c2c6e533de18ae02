"""`copis build --pdf`: the report printed by headless Chromium, read back
with poppler's pdfinfo, pdftotext and pdftoppm."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import has_chromium, has_dot
from copisdsl.workflow.pdf import fixed_dates
from render_support import EXAMPLES, copis, load

POPPLER = all(shutil.which(p) for p in ("pdfinfo", "pdftotext", "pdftoppm"))
needs_all = pytest.mark.skipif(not (has_dot() and has_chromium() and POPPLER),
                               reason="needs Graphviz, Chromium and poppler-utils (make chromium)")


def _pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def _text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    done = copis("build", str(EXAMPLES / "bank_account.copis"), "-o", str(out), "--pdf")
    assert done.returncode == 0, done.stderr.decode()
    return out / "bank"


@needs_all
def test_the_first_page_is_the_whole_map_on_one_landscape_page(printed: Path) -> None:
    pdf = printed / "report.pdf"
    pages = _pages(pdf)
    width, height = pages[0]
    assert width > height and (round(width), round(height)) == (1191, 842)  # A3 landscape
    assert len(pages) >= 3 and all(w < h for w, h in pages[1:])  # the rest on portrait pages
    model, _ = load(EXAMPLES / "bank_account.copis")
    first = " ".join(_text(pdf, 1).split())
    words = {word for tp in model.touchpoints.values() for word in tp.title.split()}
    assert len(model.touchpoints) == 30
    assert sorted(w for w in words if w not in first) == []
    assert all(stage.title in first for stage in model.stages)
    # the map is drawn (not only its text): pdftoppm renders a landscape page
    # whose ink spreads over most of its width
    image = subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "20", "-gray", str(pdf)],
                           capture_output=True, check=True).stdout
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", image)
    columns, rows = int(header.group(1)), int(header.group(2))
    pixels = image[header.end():]
    assert columns > rows
    inked = {i % columns for i, value in enumerate(pixels) if value < 200}
    assert max(inked) - min(inked) > columns * 0.6


@needs_all
def test_printing_again_gives_the_same_bytes(printed: Path, tmp_path: Path) -> None:
    done = copis("build", str(EXAMPLES / "bank_account.copis"), "-o", str(printed.parent), "--pdf")
    assert done.returncode == 0 and b"(unchanged)" in done.stdout, done.stdout


def test_the_dates_chromium_writes_are_fixed() -> None:
    pdf = b"<< /CreationDate (D:20261202081355+00'00') /ModDate (D:20261202081356+00'00') >>"
    fixed = fixed_dates(pdf)
    assert fixed == b"<< /CreationDate (D:20000101000000+00'00') /ModDate (D:20000101000000+00'00') >>"
    assert len(fixed) == len(pdf)


@pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")
def test_without_chromium_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("dot", "neato", "twopi"):
        (bin_dir / program).symlink_to(shutil.which(program))
    env = {**os.environ, "PATH": str(bin_dir), "NO_COLOR": "1"}
    done = copis("build", str(EXAMPLES / "coffee_subscription.copis"), "-o", str(tmp_path / "out"), "--pdf", env=env)
    err = done.stderr.decode()
    assert done.returncode == 1
    assert "Traceback" not in err
    assert "error: Chromium is not installed (no 'chromium' on PATH)" in err and "apt-get install chromium" in err
    assert not (tmp_path / "out" / "coffee" / "report.pdf").exists()
