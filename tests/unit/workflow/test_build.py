"""`copis build` and ``build_paths``: byte-identical builds, no rewrites of
unchanged output, journeys with errors skipped but reported, the index of
several journeys, --keep-dot."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import has_dot
from copisdsl.workflow.build import build_paths
from copisdsl.render import VIEWS
from copisdsl.render.views import view_dot
from render_support import EXAMPLE_CASES, FIXTURE_CASES, FIXTURES, ROOT, copis, load, tree

pytestmark = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")

BAD = """journey broken "Broken <journey>" {
  stage s "S" {
    touchpoint checkout "Checkout" { channel web }
  }
  flow checkout -> chekout
}
"""


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> tuple[Path, Path, object]:
    """Every fixture and example built by two separate processes (with
    different hash seeds), into two folders."""
    base = tmp_path_factory.mktemp("twice")
    procs = [subprocess.Popen([sys.executable, "-m", "copisdsl", "build", "tests/golden/render", "examples",
                               "-o", str(base / name)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"})
             for seed, name in (("1", "a"), ("2", "b"))]  # side by side: the machine has two cores
    runs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        runs.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return base / "a", base / "b", runs


def test_two_builds_are_byte_identical(twice) -> None:
    a, b, runs = twice
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr.decode()
    first, second = tree(a), tree(b)
    models = [load(case)[0] for case in FIXTURE_CASES + EXAMPLE_CASES]
    expected = {"index.html"} | {f"{m.id}/{name}" for m in models
                                 for name in ("index.html", "journey.svg", "copis.svg", "mindmap.svg", "map.svg")}
    # the blueprint only for journeys that use its lanes
    expected |= {f"{m.id}/blueprint.svg" for m in models if m.uses_blueprint}
    assert {"cafe/blueprint.svg", "hostile/blueprint.svg"} <= expected and "branches/blueprint.svg" not in expected
    assert set(first) == expected
    assert first == second
    assert not any(b"Traceback" in r.stderr for r in runs)


def test_output_names_no_build_folder_and_no_time(twice) -> None:
    a, _, _ = twice
    for name, data in tree(a).items():
        assert str(a).encode() not in data, name
        assert b"<!--" not in data or name.endswith(".html"), name  # Graphviz's comments are removed


def test_build_prints_where_the_reports_are(twice) -> None:
    a, _, runs = twice
    out = runs[0].stdout.decode()
    for case in FIXTURE_CASES + EXAMPLE_CASES:
        model, _ = load(case)
        assert f"report: {(a / model.id / 'index.html').as_posix()}\n" in out
    assert f"index: {(a / 'index.html').as_posix()}\n" in out


def test_rebuilding_unchanged_input_rewrites_nothing(twice) -> None:
    a, _, _ = twice
    before = {p: p.stat().st_mtime_ns for p in a.rglob("*")}
    done = copis("build", "tests/golden/render", "examples", "-o", str(a))
    assert done.returncode == 0, done.stderr.decode()
    lines = [line for line in done.stdout.decode().splitlines() if line.startswith("report: ")]
    assert len(lines) == len(FIXTURE_CASES + EXAMPLE_CASES)
    assert all(line.endswith(" (unchanged)") for line in lines), lines
    assert {p: p.stat().st_mtime_ns for p in a.rglob("*")} == before


def test_build_paths_reports_what_it_wrote(tmp_path) -> None:
    case = FIXTURES / "branches.copis"
    [first] = build_paths([case], tmp_path)
    assert first.ok and first.error is None
    assert first.journey_id == "branches"
    folder = tmp_path / "branches"
    assert sorted(first.written) == sorted(first.outputs) == sorted(folder / name for name in (
        "index.html", "journey.svg", "copis.svg", "mindmap.svg", "map.svg"))
    assert first.report == folder / "index.html"
    assert first.inputs == [case.resolve()]
    assert (first.stages, first.touchpoints) == (5, 7)
    (folder / "copis.svg").write_text("edited by hand")
    [second] = build_paths([case], tmp_path)
    assert second.written == [folder / "copis.svg"]
    [third] = build_paths([case], tmp_path)
    assert third.written == [] and third.ok
    assert not (tmp_path / "index.html").exists()  # one journey: no index
    assert not list(tmp_path.rglob("*.tmp"))  # atomic writes leave no temporary file


def test_build_paths_lists_data_files_as_inputs(tmp_path) -> None:
    [build] = build_paths([FIXTURES / "portfolio.copis"], tmp_path)
    assert build.ok
    assert sorted(p.name for p in build.inputs) == ["orders.csv", "portfolio.copis", "survey.csv"]


def _check_output(folder: Path, name: str) -> str:
    """What `copis check` prints for a file, without its summary line."""
    done = copis("check", name, cwd=folder)
    assert done.returncode == 1
    return done.stdout.decode().rsplit("\n", 2)[0]


def test_a_journey_with_errors_is_reported_and_skipped(tmp_path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "branches.copis", src / "a_good.copis")
    (src / "b_bad.copis").write_text(BAD, encoding="utf-8")
    done = copis("build", ".", "-o", "../out", cwd=src)
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 1
    assert "Traceback" not in err
    assert _check_output(src, "b_bad.copis") in out  # the diagnostics, as check prints them
    assert "b_bad.copis:5:20: E201 error: unknown flow endpoint 'chekout'" in out
    assert "report: ../out/branches/index.html\n" in out
    assert "1 of 2 journeys not built" in err
    built = tree(tmp_path / "out")
    assert "branches/index.html" in built
    assert not (tmp_path / "out" / "broken").exists()
    assert "index.html" in built  # several journeys: the index lists the broken one too


def test_a_file_name_that_is_not_utf8_is_shown_with_a_replacement(tmp_path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "branches.copis", src / "a_good.copis")
    with open(os.path.join(os.fsencode(src), b"odd\xff.copis"), "w", encoding="utf-8") as handle:
        handle.write(BAD.replace("journey broken", "journey odd"))
    done = copis("build", ".", "-o", "../out", cwd=src)
    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert "odd\ufffd.copis:5:20: E201" in done.stdout.decode("utf-8")
    assert "odd\ufffd.copis" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    for command in (["check"], ["render", "-o", "../x.svg"], ["export"]):  # every command shows it so
        done = copis(command[0], os.fsdecode(b"odd\xff.copis"), *command[1:], cwd=src)
        shown = (done.stdout + done.stderr).decode("utf-8")
        assert done.returncode == 1 and "odd\ufffd.copis:5:20: E201" in shown, command


def test_build_exit_codes(tmp_path) -> None:
    (tmp_path / "bad.copis").write_text(BAD, encoding="utf-8")
    assert copis("build", str(tmp_path / "bad.copis"), "-o", str(tmp_path / "out")).returncode == 1
    assert not (tmp_path / "out" / "broken").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    done = copis("build", str(empty), "-o", str(tmp_path / "out"))
    assert done.returncode == 0 and "note: no .copis files" in done.stderr.decode()  # nothing to build is no problem
    done = copis("build", str(FIXTURES / "branches.copis"), "-o", str(tmp_path / "strict"), "--strict")
    assert done.returncode == 1  # branches has warnings
    assert (tmp_path / "strict" / "branches" / "index.html").exists()


class _Rows(HTMLParser):
    """The text of every cell of every table row, and the links."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a":
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_index_lists_every_journey(tmp_path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(FIXTURES / "branches.copis", src / "a_good.copis")
    (src / "b_bad.copis").write_text(BAD, encoding="utf-8")
    shutil.copy(ROOT / "examples" / "onboarding_sipoc.copis", src / "c_sipoc.copis")
    builds = build_paths([src], tmp_path / "out")
    assert [b.ok for b in builds] == [True, False, True]
    parser = _Rows()
    parser.feed((tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
    header, *rows = parser.rows
    assert header == ["Journey", "Stages", "Touchpoints", "Problems"]
    assert len(rows) == 3
    good, bad, sipoc = rows
    assert good[0].startswith("Subscription box: discovery to renewal")
    assert good[1:3] == ["5", "7"]
    assert "W305 stage 'later' has no touchpoints" in good[3]
    assert bad[0].startswith("Broken <journey> not built")
    assert bad[1:3] == ["1", "1"]
    assert "E201 unknown flow endpoint 'chekout'" in bad[3]
    assert sipoc[0].startswith("B2B onboarding as a reverse SIPOC")
    assert sipoc[1:] == ["3", "4", "none"]
    assert parser.links == ["branches/index.html", "onboarding/index.html"]


def test_keep_dot_writes_each_views_source(tmp_path) -> None:
    case = FIXTURES / "branches.copis"
    model, figures = load(case)
    done = copis("build", str(case), "-o", str(tmp_path), "--keep-dot")
    assert done.returncode == 0, done.stderr.decode()
    for view in VIEWS:
        if view == "blueprint":  # branches uses no blueprint lanes
            assert not (tmp_path / "branches" / f"{view}.dot").exists()
            continue
        written = (tmp_path / "branches" / f"{view}.dot").read_text(encoding="utf-8")
        assert written == view_dot(model, figures, view)
    done = copis("build", str(case), "-o", str(tmp_path))
    assert done.returncode == 0
    assert sorted(tree(tmp_path / "branches")) == ["copis.svg", "index.html", "journey.svg", "map.svg", "mindmap.svg"]
    assert "(unchanged)" not in done.stdout.decode()  # removing the .dot files changed the folder
    done = copis("build", str(case), "-o", str(tmp_path))
    assert "(unchanged)" in done.stdout.decode()


def test_an_output_that_cannot_be_written_is_a_clear_error(tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "branches").write_text("a file where the journey's folder goes")
    (out / "index.html").mkdir()  # and a folder where the index goes
    done = copis("build", str(FIXTURES / "branches.copis"), str(FIXTURES / "hostile.copis"), "-o", str(out))
    err = done.stderr.decode()
    assert done.returncode == 1
    assert "Traceback" not in err
    assert f"error: cannot write {(out / 'branches').as_posix()}" in err
    assert f"error: cannot write {(out / 'index.html').as_posix()}: it is a folder, not a regular file" in err
    assert "1 of 2 journeys not built" in err
    assert f"report: {(out / 'hostile' / 'index.html').as_posix()}" in done.stdout.decode()
    assert "index:" not in done.stdout.decode()
    assert (out / "branches").read_text() == "a file where the journey's folder goes"
    assert not list(out.rglob("*.tmp"))


def test_template_cache_is_optional(tmp_path) -> None:
    """Compiled templates are cached under $XDG_CACHE_HOME; when that cannot
    be written the build goes on without it, and a cached build gives the
    same bytes."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    cache = tmp_path / "cache"
    outputs = {}
    for name, home in (("blocked", blocked), ("cold", cache), ("warm", cache)):
        env = {**os.environ, "XDG_CACHE_HOME": str(home), "NO_COLOR": "1"}
        done = copis("build", str(FIXTURES / "branches.copis"), "-o", str(tmp_path / name), env=env)
        assert done.returncode == 0, done.stderr.decode()
        outputs[name] = tree(tmp_path / name)
    assert outputs["blocked"] == outputs["cold"] == outputs["warm"]
    assert list((cache / "copisdsl" / "jinja").glob("*.jinja"))


def test_build_paths_says_when_the_index_could_not_be_written(tmp_path) -> None:
    out = tmp_path / "out"
    (out / "index.html").mkdir(parents=True)
    builds = build_paths([FIXTURES / "branches.copis", FIXTURES / "hostile.copis"], out)
    problem = f"cannot write {(out / 'index.html').as_posix()}: it is a folder, not a regular file; copis writes no other kind"
    assert [b.index_error for b in builds] == [problem, problem]
    assert all(b.report is not None and b.report.exists() for b in builds)  # the journeys were built
    (out / "index.html").rmdir()
    assert [b.index_error for b in build_paths([FIXTURES / "branches.copis", FIXTURES / "hostile.copis"], out)] \
        == [None, None]


def test_blueprint_svg_follows_the_lanes(tmp_path) -> None:
    """A journey that stops using blueprint lanes loses its blueprint.svg
    (it would show a service that no longer is), and the report its section."""
    source = tmp_path / "cafe.copis"
    text = (FIXTURES / "cafe_blueprint.copis").read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert copis("build", str(source), "-o", str(out)).returncode == 0
    report = (out / "cafe" / "index.html").read_text(encoding="utf-8")
    assert (out / "cafe" / "blueprint.svg").exists()
    assert report.index('<section id="map"') < report.index('<section id="blueprint"') < \
        report.index('<section id="journey"')
    plain = "\n".join(line for line in text.splitlines()
                      if line.split()[:1] not in (["evidence"], ["frontstage"], ["backstage"], ["support"]))
    plain = plain.replace('; evidence "Order number screen"', "").replace('; frontstage "Name called out"', "")
    source.write_text(plain, encoding="utf-8")
    done = copis("build", str(source), "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    assert not (out / "cafe" / "blueprint.svg").exists()
    assert sorted(tree(out / "cafe")) == ["copis.svg", "index.html", "journey.svg", "map.svg", "mindmap.svg"]
    report = (out / "cafe" / "index.html").read_text(encoding="utf-8")
    assert '<section id="map"' in report and 'id="blueprint"' not in report
