"""No traceback on long KPI chains or cycles (issue 18): references are
resolved without recursion in every command. Each command runs in its own
process under a time limit."""

from __future__ import annotations

from functools import partial

import pytest

from conftest import run_copis

TAIL = '  stage s "S" { touchpoint t "T" {} }\n}\n'


def chain(n: int) -> str:
    return 'journey j "J" {\n' + "".join(f"  kpi k{i} = k{i + 1} + 1\n" for i in range(n)) + f"  kpi k{n} = 1\n" + TAIL


def cycle(n: int) -> str:
    return 'journey j "J" {\n' + "".join(f"  kpi k{i} = k{(i + 1) % n} + 1\n" for i in range(n)) + TAIL


run = partial(run_copis, timeout=120)


COMMANDS = [["check"], ["export"], ["export", "--format", "mermaid"], ["render", "--format", "dot"],
            ["fmt", "--check"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_chain_of_350_kpis_works_in_every_command(tmp_path, command):
    (tmp_path / "j.copis").write_text(chain(350), encoding="utf-8")
    done = run(command[0], "j.copis", *command[1:], cwd=tmp_path)
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr, done.stderr[-2000:]
    assert done.returncode in ((0, 1) if command[0] == "fmt" else (0,)), done.stderr[-2000:]  # fmt: layout only
    if command == ["export"]:
        import json

        kpis = {k["name"]: k["value"] for k in json.loads(done.stdout)["kpis"]}
        assert kpis["k0"] == 351 and kpis["k350"] == 1


@pytest.mark.parametrize("command", COMMANDS[:4], ids=" ".join)
def test_a_cycle_of_1000_kpis_is_e210(tmp_path, command):
    (tmp_path / "j.copis").write_text(cycle(1000), encoding="utf-8")
    done = run(command[0], "j.copis", *command[1:], cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 1 and "E210 error: KPI 'k0' depends on itself" in done.stdout + done.stderr


def test_the_evaluator_follows_a_long_chain_without_recursion():
    from copisdsl.api import check
    from copisdsl.data.kpis import Evaluator

    result = check(chain(5000), "j.copis")
    model = result.model
    evaluator = Evaluator(model)
    assert evaluator.evaluate(model.kpis[0]) == (5001.0, None)
    looped = check(cycle(3), "c.copis").model
    assert Evaluator(looped).evaluate(looped.kpis[0]) == (None, "'k1' has no value ('k2' has no value "
                                                                "('k0' depends on itself))")
