"""Command-line conventions: '-' for standard input, one colour rule
(--color, NO_COLOR, FORCE_COLOR, on a pipe and on a pseudo-terminal),
-q / -v, and build's progress lines as each journey is finished."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import has_dot
from copisdsl.cli import main
from copisdsl.cli.main import Progress, use_color

WARN = 'journey j "J" {\n  stage s "S" {}\n}\n'
CLEAN = ('journey c "C" {\n  customer "Anyone"\n  service "Shop"\n  stage s "S" {\n    touchpoint t "T" {\n'
         '      objective "Sell"\n      process "Pay"\n      information "Price"\n    }\n  }\n}\n')
DATA = 'journey d "D" {\n  data survey "survey.csv"\n  kpi mean_score = mean(survey.score)\n}\n'
ESC = "\x1b["


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def env(**extra) -> dict:
    out = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    out.update(PYTHONUNBUFFERED="1", TERM="xterm", **extra)
    return out


def on_a_pipe(args, cwd, **extra) -> str:
    done = subprocess.run([sys.executable, "-m", "copisdsl", *args], cwd=cwd, env=env(**extra),
                          capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


def on_a_terminal(args, cwd, **extra) -> str:
    """The output of the command with standard output and error on a pseudo-terminal."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "copisdsl", *args], cwd=cwd, env=env(**extra),
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


# ------------------------------------------------------------ standard input


def test_check_reads_standard_input_named_by_stdin_filename(tmp_path):
    result = run("check", "-", input=WARN)
    assert result.stdout.startswith("<stdin>:2:3: W305 warning") and result.exit_code == 0
    (tmp_path / ".git").mkdir()
    (tmp_path / "copis.toml").write_text('error = ["W305"]\n')
    named = run("check", "--stdin-filename", str(tmp_path / "j.copis"), "-", input=WARN)
    assert named.stdout.startswith(f"{tmp_path / 'j.copis'}:2:3: W305 error") and named.exit_code == 1
    assert "E100" in run("check", "-", input=b"journey \xff").stdout  # bytes are decoded as a file's


def test_stdin_filename_sets_the_data_folder(tmp_path):
    (tmp_path / "survey.csv").write_text("score\n4\n6\n")
    without = run("check", "--format", "json", "-", input=DATA)
    assert [d["code"] for d in json.loads(without.stdout)["diagnostics"]] == ["E400"]
    named = run("check", "--format", "json", "--stdin-filename", str(tmp_path / "d.copis"), "-", input=DATA)
    assert json.loads(named.stdout)["diagnostics"] == [] and named.exit_code == 0
    exported = run("export", "--stdin-filename", str(tmp_path / "d.copis"), "-", input=DATA)
    assert json.loads(exported.stdout)["kpis"][0]["value"] == 5


def test_export_and_render_read_standard_input():
    exported = run("export", "-", "--format", "mermaid", input=CLEAN)
    assert exported.exit_code == 0 and exported.stdout.startswith("journey")
    rendered = run("render", "-", "--format", "dot", input=CLEAN)
    assert rendered.exit_code == 0 and rendered.stdout.startswith("digraph")
    broken = run("render", "-", "--format", "dot", input='journey x "X" {\n')
    assert broken.exit_code == 1 and "<stdin>:" in broken.stderr and broken.stdout == ""


def test_check_mixes_standard_input_with_files(tmp_path):
    (tmp_path / "c.copis").write_text(CLEAN)
    result = run("check", str(tmp_path / "c.copis"), "-", input=WARN)
    assert result.stdout.strip().endswith("2 files, 0 errors, 1 warning")


# ------------------------------------------------------------ colour


def test_the_colour_rule(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    class Pipe:
        def isatty(self):
            return False

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color("auto", Tty()) and not use_color("auto", Pipe())
    assert use_color("always", Pipe()) and not use_color("never", Tty())
    monkeypatch.setenv("TERM", "dumb")
    assert not use_color("auto", Tty())
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color("auto", Pipe()) and not use_color("never", Pipe())
    monkeypatch.setenv("FORCE_COLOR", "0")
    assert not use_color("auto", Tty())
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color("auto", Pipe()) and not use_color("auto", Tty()) and use_color("always", Tty())
    monkeypatch.setenv("NO_COLOR", "")  # empty: as if unset
    assert use_color("auto", Pipe())


def test_colour_on_a_pipe(tmp_path):
    (tmp_path / "w.copis").write_text(WARN)
    args = ["check", "w.copis"]
    assert ESC not in on_a_pipe(args, tmp_path)
    assert ESC in on_a_pipe(args, tmp_path, FORCE_COLOR="1")
    assert ESC in on_a_pipe(["check", "--color=always", "w.copis"], tmp_path)
    assert ESC in on_a_pipe(["check", "w.copis", "--color"], tmp_path)  # a bare --color is always
    assert ESC not in on_a_pipe(["check", "--color=never", "w.copis"], tmp_path, FORCE_COLOR="1")
    assert ESC not in on_a_pipe(args, tmp_path, FORCE_COLOR="1", NO_COLOR="1")
    # One rule for every command that colours.
    (tmp_path / "v.copis").write_text(WARN.replace('"S"', '"Stage"'))
    assert ESC in on_a_pipe(["diff", "w.copis", "v.copis"], tmp_path, FORCE_COLOR="1")
    (tmp_path / "bad.copis").write_text('journey b "B" {\n')
    assert ESC in on_a_pipe(["fmt", "--check", "bad.copis"], tmp_path, FORCE_COLOR="1")
    assert ESC not in on_a_pipe(["fmt", "--check", "--color=never", "bad.copis"], tmp_path, FORCE_COLOR="1")
    assert ESC in on_a_pipe(["build", "w.copis", "-o", "out"], tmp_path, FORCE_COLOR="1")


def test_colour_on_a_terminal(tmp_path):
    (tmp_path / "w.copis").write_text(WARN)
    assert ESC in on_a_terminal(["check", "w.copis"], tmp_path)
    assert ESC not in on_a_terminal(["check", "w.copis"], tmp_path, NO_COLOR="1")
    assert ESC not in on_a_terminal(["check", "--color=never", "w.copis"], tmp_path)
    assert ESC not in on_a_terminal(["check", "--no-color", "w.copis"], tmp_path)
    assert ESC in on_a_terminal(["check", "--color=always", "w.copis"], tmp_path, NO_COLOR="1")
    (tmp_path / "v.copis").write_text(WARN.replace('"S"', '"Stage"'))
    assert ESC in on_a_terminal(["diff", "w.copis", "v.copis"], tmp_path)
    assert ESC not in on_a_terminal(["diff", "w.copis", "v.copis"], tmp_path, NO_COLOR="1")


def test_a_bare_color_before_a_path_says_how_to_write_it(tmp_path):
    result = run("check", "--color", str(tmp_path))
    assert result.exit_code == 2 and "--color=always" in result.stderr


# ------------------------------------------------------------ -q / -v


def test_quiet_and_verbose(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "w.copis").write_text(WARN)
    (tmp_path / "c.copis").write_text(CLEAN)
    normal = run("check", str(tmp_path))
    assert normal.stdout.strip().endswith("2 files, 0 errors, 1 warning")
    quiet = run("check", "-q", str(tmp_path))
    assert "W305" in quiet.stdout and "2 files" not in quiet.output
    assert run("check", "-q", str(tmp_path / "c.copis")).output == ""
    assert run("check", "-q", str(tmp_path / "nothing-here.copis")).exit_code == 2  # usage errors still speak
    (tmp_path / "copis.toml").write_text("")
    verbose = run("check", "-v", str(tmp_path))
    assert f"checked {tmp_path / 'c.copis'} ({tmp_path / 'copis.toml'})" in verbose.stderr
    assert run("check", "-q", "-v", str(tmp_path)).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("check", "-q", str(empty)).output == "" and run("check", "-q", str(empty)).exit_code == 0


# ------------------------------------------------------------ progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_progress_bar_appears_only_on_a_terminal_after_a_second(capsys):
    class Terminal:
        def __init__(self):
            self.text = ""

        def isatty(self):
            return True

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    clock, term = Clock(), Terminal()
    progress = Progress(3, stream=term, clock=clock)
    progress.tick()
    assert term.text == ""  # under a second: no bar
    clock.now = 1.5
    progress.tick()
    assert term.text.endswith("] 2/3") and "#" in term.text
    progress.echo("report: x")
    assert term.text.endswith("\r\x1b[K") and capsys.readouterr().out == "report: x\n"
    progress.tick()  # the last: no bar left behind
    progress.close()
    assert term.text.endswith("\r\x1b[K")
    pipe = Progress(3, stream=open(os.devnull, "w"), clock=clock)
    clock.now = 9
    pipe.tick()
    assert not pipe._shown


def _big_journey(touchpoints: int) -> str:
    lines = ["# copis: ignore-file[W300]", 'journey z "Big" {']
    ids = [f"t{i}" for i in range(touchpoints)]
    for s in range(0, touchpoints, 10):
        lines.append(f'  stage s{s} "Stage {s}" {{')
        lines += [f'    touchpoint {t} "Touchpoint {t}" {{ channel web }}' for t in ids[s:s + 10]]
        lines.append("  }")
    lines += [f"  flow {a} -> {b}" for a, b in zip(ids, ids[1:])]
    return "\n".join(lines + ["}"]) + "\n"


@pytest.mark.skipif(not has_dot(), reason="Graphviz is not installed")
def test_build_prints_each_journey_as_it_is_finished(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a_small.copis").write_text(CLEAN)
    (src / "z_big.copis").write_text(_big_journey(250))
    proc = subprocess.Popen([sys.executable, "-m", "copisdsl", "build", str(src), "-o", str(tmp_path / "out")],
                            env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    still_running = proc.poll() is None
    big_written = (tmp_path / "out" / "z" / "index.html").exists()
    rest, _ = proc.communicate(timeout=300)
    assert first == f"report: {(tmp_path / 'out' / 'c' / 'index.html').as_posix()}\n"
    assert still_running and not big_written, "the first journey's line came only at the end"
    assert f"report: {(tmp_path / 'out' / 'z' / 'index.html').as_posix()}" in rest


def test_build_paths_calls_on_built_in_order_before_the_next_is_written(tmp_path):
    from copisdsl.workflow.build import build_paths

    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.copis").write_text(CLEAN.replace("journey c", f"journey {name}"))
    (tmp_path / "bad.copis").write_text('journey bad "B" {\n  flow x -> y\n}\n')
    seen = []
    out = tmp_path / "out"
    if not has_dot():
        pytest.skip("Graphviz is not installed")

    def built(b):
        later = [n for n in ("a", "b", "c") if (out / n / "index.html").exists()]
        seen.append((b.source.name, b.ok, later))

    build_paths([tmp_path], out, on_built=built)
    assert seen == [("a.copis", True, ["a"]), ("b.copis", True, ["a", "b"]), ("bad.copis", False, ["a", "b"]),
                    ("c.copis", True, ["a", "b", "c"])]
