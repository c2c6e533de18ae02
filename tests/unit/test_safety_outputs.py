"""Outputs never touch what is not ours (issue 18): devices and pipes are
written plainly, never renamed over; links planted in a build folder are
refused, not followed; a save made while ``fmt`` runs is kept.

Each command runs in its own process under a time limit, so that a write
that blocks (a pipe with no reader) fails the test instead of hanging it."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from copisdsl.cli import main
from copisdsl.files import ChangedError, remove_inside, replace_if_unchanged, write_inside, write_named

from conftest import run_copis

JOURNEY = 'journey j "J" {\n  stage s "S" { touchpoint t "T" {} }\n}\n'
UGLY = 'journey j "J" {\nstage s "S" {   touchpoint t "T" {} }\n}\n'


run = run_copis


@pytest.fixture
def journey(tmp_path) -> Path:
    path = tmp_path / "j.copis"
    path.write_text(JOURNEY, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["export"], ["export", "--format", "mermaid"],
                                     ["render", "--format", "dot"]])
def test_dev_null_stays_a_device(tmp_path, journey, command):
    before = os.stat("/dev/null")
    done = run(command[0], "j.copis", *command[1:], "-o", "/dev/null", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.mark.parametrize("command", [["render", "j.copis", "-o", "-"], ["export", "j.copis", "-o", "-"],
                                     ["check", "--format", "json", "j.copis"], ["check", "j.copis"], ["--help"]])
def test_a_full_standard_output_is_a_message_not_a_traceback(tmp_path, journey, command):
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "copisdsl", *command], cwd=tmp_path, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("copis: error: cannot write the output: No space left on device")


def test_dev_stdout_is_a_plain_write(tmp_path, journey):
    done = run("export", "j.copis", "--format", "mermaid", "-o", "/dev/stdout", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("journey")


def test_a_pipe_without_reader_is_an_error_not_a_wait(tmp_path, journey):
    os.mkfifo(tmp_path / "out.json")
    done = run("export", "j.copis", "-o", "out.json", cwd=tmp_path, timeout=30)
    assert done.returncode != 0 and "out.json" in done.stderr and "nobody is reading" in done.stderr
    assert "Traceback" not in done.stderr
    assert stat.S_ISFIFO(os.lstat(tmp_path / "out.json").st_mode)


def test_a_pipe_with_a_reader_gets_the_bytes(tmp_path, journey):
    fifo = tmp_path / "out.mmd"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    done = run("export", "j.copis", "--format", "mermaid", "-o", "out.mmd", cwd=tmp_path, timeout=30)
    out, _ = reader.communicate(timeout=30)
    assert done.returncode == 0 and out.startswith(b"journey")


def test_a_named_output_that_is_a_link_is_refused(tmp_path, journey):
    (tmp_path / "mine.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "out.json").symlink_to("mine.txt")
    done = run("export", "j.copis", "-o", "out.json", cwd=tmp_path)
    assert done.returncode != 0 and "out.json" in done.stderr and "symbolic link" in done.stderr
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "out.json").is_symlink()


def test_a_socket_output_is_refused(tmp_path):
    import socket

    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "s"))
        with pytest.raises(OSError, match="socket"):
            write_named(tmp_path / "s", b"x")
        assert stat.S_ISSOCK(os.lstat(tmp_path / "s").st_mode)


@pytest.mark.skipif(not Path("/usr/bin/dot").exists() and not Path("/usr/local/bin/dot").exists(),
                    reason="needs Graphviz")
def test_build_does_not_write_through_a_planted_file_link(tmp_path, journey):
    (tmp_path / "build" / "j").mkdir(parents=True)
    (tmp_path / "build" / "j" / "index.html").symlink_to(journey)
    done = run("build", "j.copis", "-o", "build", cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and "build/j/index.html" in done.stderr and "symbolic link" in done.stderr
    assert journey.read_text(encoding="utf-8") == JOURNEY


@pytest.mark.skipif(not Path("/usr/bin/dot").exists() and not Path("/usr/local/bin/dot").exists(),
                    reason="needs Graphviz")
def test_build_does_not_write_through_a_planted_folder_link(tmp_path, journey):
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_text("theirs", encoding="utf-8")
    (other / "journey.dot").write_text("theirs", encoding="utf-8")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "j").symlink_to(other)
    done = run("build", "j.copis", "-o", "build", cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and "build/j" in done.stderr and "symbolic link" in done.stderr
    assert sorted(p.name for p in other.iterdir()) == ["index.html", "journey.dot"]
    assert (other / "index.html").read_text(encoding="utf-8") == "theirs"


@pytest.mark.skipif(not Path("/usr/bin/dot").exists() and not Path("/usr/local/bin/dot").exists(),
                    reason="needs Graphviz")
def test_build_does_not_block_on_a_planted_pipe(tmp_path, journey):
    (tmp_path / "build" / "j").mkdir(parents=True)
    os.mkfifo(tmp_path / "build" / "j" / "index.html")
    done = run("build", "j.copis", "-o", "build", cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and "named pipe" in done.stderr and "Traceback" not in done.stderr


def test_write_inside_writes_only_when_changed_and_refuses_links(tmp_path):
    assert write_inside(tmp_path, "a/b.txt", b"one") is True
    first = os.stat(tmp_path / "a" / "b.txt")
    assert write_inside(tmp_path, "a/b.txt", b"one") is False
    assert os.stat(tmp_path / "a" / "b.txt").st_mtime_ns == first.st_mtime_ns
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "c").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError, match="symbolic link"):
        write_inside(tmp_path, "c/x.txt", b"x")
    with pytest.raises(OSError, match="symbolic link"):
        remove_inside(tmp_path, "c/x.txt")
    assert list((tmp_path / "elsewhere").iterdir()) == []
    assert remove_inside(tmp_path, "a/b.txt") is True and remove_inside(tmp_path, "a/b.txt") is False


def test_the_output_folder_named_by_the_user_may_be_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to("real")
    assert write_inside(tmp_path / "out", "j/index.html", b"<p>")
    assert (tmp_path / "real" / "j" / "index.html").read_bytes() == b"<p>"


def test_replace_if_unchanged_keeps_a_newer_save(tmp_path):
    path = tmp_path / "j.copis"
    path.write_bytes(b"newer")
    with pytest.raises(ChangedError, match="changed since it was read"):
        replace_if_unchanged(path, b"older", b"formatted")
    assert path.read_bytes() == b"newer"
    assert [p.name for p in tmp_path.iterdir()] == ["j.copis"]  # no temporary left
    replace_if_unchanged(path, b"newer", b"formatted")
    assert path.read_bytes() == b"formatted"


def test_fmt_keeps_a_save_made_while_it_runs(tmp_path, monkeypatch):
    """The user saves while fmt formats: the save wins and fmt says so."""
    import copisdsl.workflow.fmt as fmt

    path = tmp_path / "j.copis"
    path.write_text(UGLY, encoding="utf-8")
    real = fmt.format_source

    def format_while_the_user_saves(text, name):
        path.write_text(UGLY + "# saved meanwhile\n", encoding="utf-8")
        return real(text, name)

    monkeypatch.setattr(fmt, "format_source", format_while_the_user_saves)
    result = CliRunner().invoke(main, ["fmt", str(path)])
    assert result.exit_code == 1
    assert "changed since it was read" in result.output
    assert path.read_text(encoding="utf-8") == UGLY + "# saved meanwhile\n"
