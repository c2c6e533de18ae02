"""Which files a folder search finds: the same rule for `check` and `watch`."""

from __future__ import annotations

from pathlib import Path

from copisdsl.workflow.search import is_searched, journey_files


def test_the_search_and_the_watcher_agree(tmp_path):
    for name in ("a.copis", "sub/b.copis", ".hidden/c.copis", "sub/.d.copis", "e.txt", "sub/.x/f.copis"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    found = [p.relative_to(tmp_path) for p, _ in journey_files([tmp_path])]
    assert found == [Path("a.copis"), Path("sub/b.copis")]
    every = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()]
    assert sorted(p for p in every if is_searched(p)) == found
    assert not is_searched(Path("."))


def test_files_given_are_taken_as_they_are_and_once(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("", encoding="utf-8")
    assert journey_files([f, str(f), tmp_path / ".." / tmp_path.name / "notes.txt"]) == [(f, str(f))]
