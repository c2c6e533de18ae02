"""Inputs are read within the root and within bounds (issue 18): a link to
a special file or to a file outside the root is an E400 that shows none
of it; a file too large, a decompression bomb or a binary file is one
diagnostic in bounded time and memory. Each case runs in its own process
under a time limit and a memory cap (so a MemoryError or a hang fails)."""

from __future__ import annotations

import gzip
import resource
from functools import partial

import pytest

from conftest import run_copis

JOURNEY = 'journey j "J" {\n  stage s "S" { touchpoint t "T" {} }\n}\n'
MEMORY_CAP = 1536 * 1024 * 1024  # bytes of address space for one command


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


run = partial(run_copis, preexec_fn=_cap_memory)


def test_a_journey_linking_to_proc_environ_shows_nothing_of_it(tmp_path):
    (tmp_path / "env.copis").symlink_to("/proc/self/environ")
    done = run("check", "env.copis", cwd=tmp_path, env={"COPIS_TEST_SECRET": "hunter2-s3cret"})
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "E400" in out and "special file" in out
    assert "hunter2" not in out and "COPIS_TEST_SECRET" not in out and "Traceback" not in out


@pytest.mark.parametrize("command", [["check"], ["export"], ["fmt", "--check"]])
def test_a_journey_linking_outside_its_folder_is_not_read(tmp_path, command):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.copis").write_text("password = hunter2\n", encoding="utf-8")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "j.copis").symlink_to(outside / "secret.copis")
    done = run(*command, "j.copis", cwd=tmp_path / "project")
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "outside" in out and "hunter2" not in out, out


def test_a_journey_linking_inside_the_root_is_read(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "j.copis").write_text(JOURNEY, encoding="utf-8")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "j.copis").symlink_to(tmp_path / "shared" / "j.copis")
    done = run("check", "--root", str(tmp_path), "project/j.copis", cwd=tmp_path)
    assert "E400" not in done.stdout, done.stdout


def test_with_a_data_root_a_journey_may_link_into_its_folder_and_not_outside_both(tmp_path):
    for folder in ("data", "project", "outside"):
        (tmp_path / folder).mkdir()
    (tmp_path / "project" / "real.copis").write_text(JOURNEY, encoding="utf-8")
    (tmp_path / "project" / "near.copis").symlink_to(tmp_path / "project" / "real.copis")
    (tmp_path / "outside" / "secret.copis").write_text("password = hunter2\n", encoding="utf-8")
    (tmp_path / "project" / "far.copis").symlink_to(tmp_path / "outside" / "secret.copis")
    near = run("check", "--root", "data", "project/near.copis", cwd=tmp_path)
    assert near.returncode == 0 and "E400" not in near.stdout, near.stdout
    far = run("check", "--root", "data", "project/far.copis", cwd=tmp_path)
    out = far.stdout + far.stderr
    assert far.returncode == 1 and "E400" in out and "outside" in out and "hunter2" not in out, out


def test_a_data_file_linking_outside_the_root_is_e400(tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "orders.csv").write_text("amount\n1\n", encoding="utf-8")
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "orders.csv").symlink_to(tmp_path / "outside" / "orders.csv")
    (tmp_path / "j" / "j.copis").write_text(
        'journey j "J" {\n  data orders "orders.csv"\n  kpi total = sum(orders.amount)\n'
        '  stage s "S" { touchpoint t "T" {} }\n}\n', encoding="utf-8")
    done = run("check", "j/j.copis", cwd=tmp_path)
    assert done.returncode == 1 and "E400" in done.stdout and "outside the journey's folder" in done.stdout


def test_a_sparse_file_of_two_gigabytes_is_one_e400(tmp_path):
    with open(tmp_path / "big.copis", "wb") as handle:
        handle.truncate(2 * 1024 ** 3)
    done = run("check", "big.copis", cwd=tmp_path)
    assert done.returncode == 1 and "E400" in done.stdout and "more than a journey may be" in done.stdout
    assert "MemoryError" not in done.stderr and "Traceback" not in done.stderr


def test_twenty_megabytes_of_nul_bytes_is_one_diagnostic(tmp_path):
    (tmp_path / "nul.copis").write_bytes(b"\0" * 20_000_000)
    done = run("check", "nul.copis", cwd=tmp_path, timeout=30)
    assert done.returncode == 1 and done.stdout.count(" error: ") == 1, done.stdout


def test_a_nul_byte_in_a_small_file_is_an_e100_without_a_snippet(tmp_path):
    (tmp_path / "j.copis").write_bytes(JOURNEY.encode()[:20] + b"\0" * 1000 + JOURNEY.encode()[20:])
    done = run("check", "j.copis", cwd=tmp_path, timeout=30)
    assert done.returncode == 1
    assert done.stdout.startswith("j.copis:2:5: E100 error: the file is not text (a NUL byte at 2:5)")
    assert " | " not in done.stdout  # no snippet of a binary file


def test_a_decompression_bomb_is_one_e400_in_bounded_memory(tmp_path):
    member = gzip.compress(b"1\n" * (32 * 1024 * 1024), 9)  # 64 MiB each
    with open(tmp_path / "orders.csv.gz", "wb") as handle:
        handle.write(gzip.compress(b"amount\n"))
        for _ in range(16):  # 1 GiB unpacked, about 1 MB on disk
            handle.write(member)
    assert (tmp_path / "orders.csv.gz").stat().st_size < 2_000_000
    (tmp_path / "j.copis").write_text(
        'journey j "J" {\n  data orders "orders.csv.gz"\n  kpi total = sum(orders.amount)\n'
        '  stage s "S" { touchpoint t "T" {} }\n}\n', encoding="utf-8")
    done = run("check", "j.copis", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "E400" in done.stdout and "expands to more than 256 MiB" in done.stdout


def test_a_data_file_too_large_is_one_e400(tmp_path):
    with open(tmp_path / "orders.parquet", "wb") as handle:
        handle.truncate(300 * 1024 * 1024)
    (tmp_path / "j.copis").write_text(
        'journey j "J" {\n  data orders "orders.parquet"\n  kpi total = sum(orders.amount)\n'
        '  stage s "S" { touchpoint t "T" {} }\n}\n', encoding="utf-8")
    done = run("check", "j.copis", cwd=tmp_path)
    assert done.returncode == 1 and "larger than 256 MiB" in done.stdout and "Traceback" not in done.stderr
