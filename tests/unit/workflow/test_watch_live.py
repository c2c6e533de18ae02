"""copisdsl.workflow.watch with a real watchdog observer on a temporary folder:
saves (plain and atomic), errors and recovery, data files, editor noise,
bursts, new files. Waits poll with timeouts; nothing sleeps for long."""

from __future__ import annotations

import os
import queue
import threading
import time
from pathlib import Path

import pytest

from conftest import has_dot
from copisdsl.workflow.watch import LiveState, Rebuild, Session, Watcher

pytestmark = pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")

JOURNEY = """journey a "A" {{
  data visits "data/visits.csv"
  stage s "Stage" {{
    touchpoint t1 "{label}" {{
      channel web
      kpi total_visits = sum(visits.count)
    }}
    touchpoint t2 "World" {{ channel web }}
  }}
  flow t1 -> t2
}}
"""
TIMEOUT = 10.0


class Live:
    """A watcher running in a thread; ``next()`` waits for its next rebuild."""

    def __init__(self, path: Path, out: Path, debounce: float = 0.1, root: Path | None = None) -> None:
        self.state = LiveState()
        self.session = Session([path], out, state=self.state, root=root)
        # Saved long before the start: a file saved within a second of it is
        # caught up by one more build (Watcher.start), which the tests would see.
        for saved in (path, *path.rglob("*")) if path.is_dir() else (path,):
            os.utime(saved, (time.time() - 60, time.time() - 60))
        self.rebuilds: queue.Queue[Rebuild] = queue.Queue()
        self.watcher = Watcher(self.session, debounce=debounce, on_rebuild=self.rebuilds.put)
        self.first = self.watcher.start()
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)
        self.thread.start()

    def next(self, timeout: float = TIMEOUT) -> Rebuild:
        try:
            return self.rebuilds.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no rebuild within {timeout} s")

    def none_within(self, seconds: float) -> bool:
        try:
            self.rebuilds.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.watcher.stop()
        self.thread.join(timeout=5)
        assert not self.thread.is_alive()


@pytest.fixture
def project(tmp_path: Path):
    folder = tmp_path / "journeys"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "visits.csv").write_text("day,count\n1,10\n2,32\n", encoding="utf-8")
    (folder / "a.copis").write_text(JOURNEY.format(label="Hello"), encoding="utf-8")
    live = Live(folder, folder / "build")
    assert live.first.ok
    yield folder, live
    live.close()


def atomic_save(path: Path, text: str) -> None:
    """Save as many editors do: write a temporary file, then rename it."""
    tmp = path.with_name(f".{path.name}.tmp1234")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def report_text(folder: Path) -> str:
    return (folder / "build" / "a" / "index.html").read_text(encoding="utf-8")


def test_save_break_fix(project):
    folder, live = project
    source = folder / "a.copis"
    source.write_text(JOURNEY.format(label="Bonjour"), encoding="utf-8")
    result = live.next()
    assert result.ok and [b.journey_id for b in result.builds] == ["a"]
    assert "Bonjour" in report_text(folder)

    atomic_save(source, JOURNEY.format(label="Hola"))
    result = live.next()
    assert result.ok and result.changed == [source.resolve()]
    good = report_text(folder)
    assert "Hola" in good

    atomic_save(source, JOURNEY.format(label="Hola").replace("channel web\n      kpi", "channel\n      kpi"))
    result = live.next()
    assert not result.ok
    status = live.state.current.journeys[0]
    assert not status.ok and [d.code for d in status.diagnostics] == ["E100"]
    assert status.diagnostics[0].span.line == 5
    assert report_text(folder) == good

    atomic_save(source, JOURNEY.format(label="Adios"))
    assert live.next().ok
    assert live.state.current.journeys[0].ok and "Adios" in report_text(folder)


def test_data_file_change_rebuilds(project):
    folder, live = project
    assert ">42<" in report_text(folder)
    atomic_save(folder / "data" / "visits.csv", "day,count\n1,10\n2,32\n3,58\n")
    result = live.next()
    assert result.changed == [(folder / "data" / "visits.csv").resolve()]
    assert ">100<" in report_text(folder)


def test_swap_files_and_output_folder_are_ignored(project):
    folder, live = project
    for name in (".a.copis.swp", "a.copis~", "4913", ".#a.copis", "notes.txt"):
        (folder / name).write_text("noise", encoding="utf-8")
    (folder / "build" / "a" / "extra.html").write_text("<p>x</p>", encoding="utf-8")
    (folder / "build" / "stray.copis").write_text("journey", encoding="utf-8")
    (folder / ".a.copis.swp").unlink()
    assert live.none_within(0.5)
    # ... and the watch is still alive: a real change rebuilds, once.
    (folder / "a.copis").write_text(JOURNEY.format(label="Still here"), encoding="utf-8")
    assert live.next().changed == [(folder / "a.copis").resolve()]
    assert live.none_within(0.3)


def test_a_burst_of_writes_makes_one_rebuild(project):
    folder, live = project
    source = folder / "a.copis"
    text = JOURNEY.format(label="Burst")
    with source.open("w", encoding="utf-8") as handle:  # an editor writing in pieces
        for start in range(0, len(text), 40):
            handle.write(text[start:start + 40])
            handle.flush()
            os.fsync(handle.fileno())
    source.touch()
    atomic_save(source, text)
    result = live.next()
    assert result.ok and "Burst" in report_text(folder)
    assert live.none_within(0.4)


def test_new_journey_file_is_picked_up(project):
    folder, live = project
    new = folder / "more" / "b.copis"
    new.parent.mkdir()
    atomic_save(new, 'journey b "B" {\n  stage s "S" {\n    touchpoint t "Second" { channel web }\n  }\n}\n')
    result = live.next()
    assert result.ok and [b.journey_id for b in result.builds] == ["b"]
    assert (folder / "build" / "b" / "index.html").is_file()
    assert (folder / "build" / "index.html").is_file()


def test_a_data_file_outside_the_folder_is_watched(tmp_path):
    folder = tmp_path / "journeys"
    folder.mkdir()
    data = tmp_path / "shared" / "visits.csv"
    (folder / "a.copis").write_text(JOURNEY.format(label="Far").replace("data/visits.csv", "../shared/visits.csv"),
                                    encoding="utf-8")
    live = Live(folder / "a.copis", tmp_path / "out", root=tmp_path)
    try:
        assert [d.code for d in live.first.builds[0].diagnostics if d.is_error] == ["E400"]
        # the missing file's folder does not exist yet: its parent is watched
        assert (tmp_path.resolve(), False) in live.watcher.watched.items()
        data.parent.mkdir()
        data.write_text("day,count\n1,5\n", encoding="utf-8")
        deadline = time.monotonic() + TIMEOUT
        while not live.state.current.journeys[0].ok:
            live.next(max(0.1, deadline - time.monotonic()))
        assert ">5<" in (tmp_path / "out" / "a" / "index.html").read_text(encoding="utf-8")
    finally:
        live.close()


def test_a_data_file_changed_during_the_first_build_is_caught_by_its_mtime(tmp_path):
    """A data file outside the journey's folder is watched only once a build
    has read it: a change made before that is found by its mtime."""
    folder, data = tmp_path / "journeys", tmp_path / "shared"
    folder.mkdir()
    data.mkdir()
    (data / "visits.csv").write_text("day,count\n1,10\n", encoding="utf-8")
    (folder / "a.copis").write_text(JOURNEY.format(label="Hello").replace("data/visits.csv", "../shared/visits.csv"),
                                    encoding="utf-8")
    os.utime(folder / "a.copis", (time.time() - 60, time.time() - 60))  # saved long before the start
    session = Session([folder], tmp_path / "build", root=tmp_path)
    watcher = Watcher(session, debounce=0.05)
    real_build = session.build_all

    def build_then_save():
        first = real_build()
        (data / "visits.csv").write_text("day,count\n1,10\n2,32\n", encoding="utf-8")  # not yet watched
        return first

    session.build_all = build_then_save
    try:
        assert watcher.start().ok
        deadline = time.monotonic() + TIMEOUT
        rebuilt = None
        while rebuilt is None and time.monotonic() < deadline:
            rebuilt = watcher.step(timeout=0.5)
        assert rebuilt is not None, "the change made during the first build was not rebuilt"
        assert ">42<" in (tmp_path / "build" / "a" / "index.html").read_text(encoding="utf-8")
    finally:
        watcher.stop()
