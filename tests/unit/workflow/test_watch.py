"""copisdsl.workflow.watch without file events: the debouncer on a fake clock, the
session's choice of what to rebuild, and the watcher's loop fed by hand."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest

from conftest import has_dot
from copisdsl.workflow.watch import Debouncer, LiveState, Session, Watcher, is_editor_noise

needs_dot = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")

JOURNEY = """journey {id} "{title}" {{
  stage s "Stage" {{
    touchpoint t1 "{label}" {{ channel web }}
    touchpoint t2 "World" {{ channel web }}
  }}
  flow t1 -> t2
}}
"""

DATA_JOURNEY = """journey d "With data" {
  data visits "data/visits.csv"
  stage s "S" {
    touchpoint t1 "Visit" {
      channel web
      kpi total_visits = sum(visits.count)
    }
  }
}
"""


def journey(id_: str = "a", label: str = "Hello", title: str = "A") -> str:
    return JOURNEY.format(id=id_, label=label, title=title)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "journeys"
    src.mkdir()
    (src / "a.copis").write_text(journey(), encoding="utf-8")
    return src


# ------------------------------------------------------------------ noise


@pytest.mark.parametrize("name", [".a.copis.swp", ".a.copis.swx", "a.copis~", "4913", ".#a.copis", "#a.copis#",
                                  ".a.copis.3f2a.tmp", "a.copis.bak", "a.copis.orig", ".~lock.data.csv#"])
def test_editor_files_are_noise(name):
    assert is_editor_noise(Path("/x") / name)


@pytest.mark.parametrize("name", ["a.copis", "orders.csv", "data.v2.parquet", "#notes.copis"])
def test_real_files_are_not_noise(name):
    assert not is_editor_noise(name)


# ------------------------------------------------------------------ debounce


def test_debouncer_merges_a_burst_and_waits_for_quiet():
    d = Debouncer(delay=0.1, max_wait=1.0)
    assert d.due_in(0.0) is None and d.take(0.0) == []
    d.add(Path("a"), 0.00)
    d.add(Path("b"), 0.05)
    d.add(Path("a"), 0.09)
    assert d.take(0.15) == []                      # 0.06 s after the last event
    assert d.due_in(0.15) == pytest.approx(0.04)
    assert d.take(0.19) == [Path("a"), Path("b")]  # once, in the order first seen
    assert d.take(0.5) == [] and d.due_in(0.5) is None


def test_debouncer_does_not_wait_forever_on_a_stream_of_events():
    d = Debouncer(delay=0.125, max_wait=0.25)
    due = []
    for k in range(16):  # an event every 1/16 s, never 1/8 s of quiet
        now = k / 16
        d.add(Path("log.csv"), now)
        if d.take(now):
            due.append(k)
    assert due == [4, 9, 14]  # every max_wait after the first event of a batch


# ------------------------------------------------------------------ session


@needs_dot
def test_session_builds_and_publishes(folder, tmp_path):
    state = LiveState()
    session = Session([folder], tmp_path / "out", state=state)
    first = session.build_all()
    report = tmp_path / "out" / "a" / "index.html"
    assert first.ok and [b.source.name for b in first.builds] == ["a.copis"]
    assert report.is_file() and "Hello" in report.read_text(encoding="utf-8")
    snap = state.current
    assert snap.version == 1
    [status] = snap.journeys
    assert (status.source, status.journey_id, status.url, status.ok, status.revision) == (
        folder.joinpath("a.copis").as_posix(), "a", "a/index.html", True, 1)
    assert status.to_json()["warnings"] == 2 and status.to_json()["errors"] == 0


@needs_dot
def test_edit_break_and_fix(folder, tmp_path):
    state = LiveState()
    session = Session([folder], tmp_path / "out", state=state)
    session.build_all()
    source, report = folder / "a.copis", tmp_path / "out" / "a" / "index.html"

    source.write_text(journey(label="Bonjour"), encoding="utf-8")
    result = session.rebuild([source])
    assert result.ok and result.changed == [source.resolve()]
    good = report.read_bytes()
    assert b"Bonjour" in good and state.current.journeys[0].revision == 2

    source.write_text(journey(label="Broken").replace("flow t1 -> t2", "flow t1 -> nowhere"), encoding="utf-8")
    result = session.rebuild([source])
    assert not result.ok and result.counts[0] == 1
    assert report.read_bytes() == good  # the last good report stays
    status = state.current.journeys[0]
    assert not status.ok and status.url == "a/index.html" and status.revision == 2
    [diag] = [d for d in status.diagnostics if d.is_error]
    assert (diag.code, diag.span.line) == ("E201", 6) and "nowhere" in diag.message

    source.write_text(journey(label="Fixed"), encoding="utf-8")
    result = session.rebuild([source])
    assert result.ok and b"Fixed" in report.read_bytes()
    assert state.current.journeys[0].ok and state.current.journeys[0].revision == 3


@needs_dot
def test_only_the_journeys_a_file_affects_are_rebuilt(folder, tmp_path):
    (folder / "data").mkdir()
    visits = folder / "data" / "visits.csv"
    visits.write_text("day,count\n1,10\n2,32\n", encoding="utf-8")
    (folder / "d.copis").write_text(DATA_JOURNEY, encoding="utf-8")
    session = Session([folder], tmp_path / "out")
    session.build_all()
    report = tmp_path / "out" / "d" / "index.html"
    assert ">42<" in report.read_text(encoding="utf-8")

    visits.write_text("day,count\n1,10\n2,90\n", encoding="utf-8")
    result = session.rebuild([visits])
    assert [b.journey_id for b in result.builds] == ["d"]
    assert ">100<" in report.read_text(encoding="utf-8")

    visits.unlink()  # a data file that goes missing is an error, and is still watched
    result = session.rebuild([visits])
    assert [d.code for d in result.builds[0].diagnostics if d.is_error] == ["E400"]
    assert session.relevant(visits)
    visits.write_text("day,count\n1,1\n", encoding="utf-8")
    assert session.rebuild([visits]).ok

    assert session.rebuild([folder / "unrelated.csv"]) is None


@needs_dot
def test_relevant_paths(folder, tmp_path):
    out = folder / "build"  # an output folder inside the watched one
    session = Session([folder], out)
    session.build_all()
    assert session.relevant(folder / "a.copis")
    assert session.relevant(folder / "sub" / "new.copis")
    assert not session.relevant(out / "a" / "index.html")
    assert not session.relevant(out / "stray.copis")
    assert not session.relevant(folder / ".a.copis.swp")
    assert not session.relevant(folder / ".#new.copis")
    assert not session.relevant(folder / "a.copis~")
    assert not session.relevant(folder / ".hidden" / "b.copis")
    assert not session.relevant(folder / "notes.txt")
    assert not session.relevant(tmp_path / "elsewhere.copis")
    dirs = session.watch_dirs()
    assert dirs == {folder.resolve(): True}


@needs_dot
def test_new_and_deleted_journeys_and_the_index(folder, tmp_path):
    state = LiveState()
    out = tmp_path / "out"
    session = Session([folder], out, state=state)
    session.build_all()
    assert not (out / "index.html").exists()  # one journey: no list

    new = folder / "sub" / "b.copis"
    new.parent.mkdir()
    new.write_text(journey("b", "Second", "Bee"), encoding="utf-8")
    result = session.rebuild([new])
    assert [b.journey_id for b in result.builds] == ["b"]  # a.copis is not rebuilt
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Bee" in index and "a/index.html" in index
    assert [j.journey_id for j in state.current.journeys] == ["a", "b"]
    assert state.current.index == "index.html"
    index_revision = state.current.index_revision
    assert index_revision > max(j.revision for j in state.current.journeys)  # one counter for all pages

    new.unlink()
    result = session.rebuild([new])
    assert result.removed == [new.as_posix()] and result.builds == []
    assert [j.journey_id for j in state.current.journeys] == ["a"]
    assert "Bee" not in (out / "index.html").read_text(encoding="utf-8")
    assert state.current.index_revision > index_revision


@needs_dot
def test_two_files_claiming_one_id_are_caught_when_only_one_changes(folder, tmp_path):
    other = folder / "b.copis"
    other.write_text(journey("b", "Other"), encoding="utf-8")
    session = Session([folder], tmp_path / "out")
    assert session.build_all().ok
    other.write_text(journey("a", "Other"), encoding="utf-8")
    result = session.rebuild([other])
    assert [b.source.name for b in result.builds] == ["a.copis", "b.copis"]  # built together
    report = (tmp_path / "out" / "a" / "index.html").read_text(encoding="utf-8")
    assert "Hello" in report and "Other" not in report  # the first file keeps its folder
    by_name = {b.source.name: b for b in session.builds}
    assert by_name["a.copis"].ok
    assert [d.code for d in by_name["b.copis"].diagnostics if d.is_error] == ["E200"]
    other.write_text(journey("b", "Other again"), encoding="utf-8")
    session.rebuild([other])
    assert all(b.ok for b in session.builds)


def test_a_folder_without_journeys_waits_for_one(tmp_path):
    session = Session([tmp_path], tmp_path / "out")
    result = session.build_all()
    assert result.builds == [] and result.ok
    assert session.state.current.journeys == ()


# ------------------------------------------------------------------ watcher loop


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@needs_dot
def test_watcher_debounces_fed_events(folder, tmp_path):
    clock, events, seen = FakeClock(), queue.Queue(), []
    session = Session([folder], tmp_path / "out")
    session.build_all()
    watcher = Watcher(session, debounce=0.1, clock=clock, events=events, on_rebuild=seen.append)
    source = folder / "a.copis"
    source.write_text(journey(label="Again"), encoding="utf-8")
    for name in (".a.copis.swp", "4913", "a.copis", "a.copis~", "a.copis"):
        watcher.feed(folder / name)
    watcher.feed(tmp_path / "out" / "a" / "index.html")
    assert watcher.step(timeout=0) is None and seen == []  # not quiet for 0.1 s yet
    clock.now = 0.05
    watcher.feed(source)
    assert watcher.step(timeout=0) is None
    clock.now = 0.2
    result = watcher.step(timeout=0)
    assert result is not None and seen == [result]
    assert result.changed == [source.resolve()]
    assert b"Again" in (tmp_path / "out" / "a" / "index.html").read_bytes()
    clock.now = 1.0
    watcher.feed(tmp_path / "out" / "a" / "journey.svg")
    assert watcher.step(timeout=0) is None and len(seen) == 1
