"""KPI values and objective status for journeys without data files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from copisdsl.api import check
from copisdsl.data import enrich
from copisdsl.data.status import objective_status


def figures_of(body: str):
    result = check(f'journey j "J" {{\n{body}\n}}\n')
    assert result.model is not None, result.diagnostics
    figures, diags = enrich(result.model, Path("."))
    return result.model, figures, diags


def values(body: str) -> dict[str, float | None]:
    model, figures, _ = figures_of(body)
    return {f"{k.scope}.{k.name}": figures.kpis[k.index].value for k in model.kpis}


def test_literals_percent_and_arithmetic():
    got = values("kpi a = 10\nkpi b = a * 2 + 5%\nkpi c = -(a - 4) / 3\nkpi d = 12.5%")
    assert got == {"j.a": 10.0, "j.b": pytest.approx(20.05), "j.c": -2.0, "j.d": 0.125}


def test_reference_resolves_nearest_scope_first():
    got = values('kpi a = 10\nkpi top = a + 1\nstage s "S" { touchpoint t "T" {\n'
                 "kpi a = 3\nkpi d = a / 2\n} }")
    assert got["t.d"] == 1.5 and got["j.top"] == 11.0


def test_division_by_zero_has_no_value_and_a_note():
    model, figures, diags = figures_of("kpi zero = 0\nkpi c = ratio(5, zero)\nkpi e = 1 / zero\nkpi f = c + 1")
    notes = {figures.kpis[k.index].name: figures.kpis[k.index].note for k in model.kpis}
    assert [figures.kpis[k.index].value for k in model.kpis] == [0.0, None, None, None]
    assert notes["c"] == "division by zero" and notes["e"] == "division by zero"
    assert notes["f"].startswith("'c' has no value")
    assert diags == []


def test_kind_and_baseline_are_carried():
    model, figures, _ = figures_of("kpi conv = ratio(43, 1000) baseline 3%\nkpi n = 5")
    conv = figures.kpis[0]
    assert (conv.kind, conv.value, conv.baseline) == ("rate", 0.043, 0.03)
    assert conv.change == pytest.approx(0.013)
    assert figures.kpis[1].kind == "number"


def test_cycle_never_loops():
    # E210 statically; enrich must still terminate and give no value.
    result = check('journey j "J" {\nkpi a = b + 1\nkpi b = a * 2\nkpi c = 4\n}\n')
    assert any(d.code == "E210" for d in result.diagnostics)
    figures, _ = enrich(result.model, Path("."))
    assert figures.kpis[0].value is None and figures.kpis[1].value is None
    assert figures.kpis[2].value == 4.0


def test_objective_status_from_the_measuring_kpi():
    model, figures, _ = figures_of(
        'kpi reach = 18500\nkpi cost = 4\nkpi share = 41%\n'
        'objective "Grow reach" increase reach to 20000\n'
        'objective "Cut cost" decrease cost to 5\n'
        'objective "Hold share" maintain share to 40%\n'
        'objective "Unmeasured" increase reach\n'
        'objective "No metric"\n'
        'stage s "S" { touchpoint t "T" { kpi r2 = 1 / 0\nobjective "Ratio" increase r2 to 1 } }')
    status = {o.text: figures.objectives[o.index] for o in model.objectives}
    assert status["Grow reach"].status == "not_met" and status["Grow reach"].value == 18500
    assert status["Grow reach"].kpi == 0
    assert status["Cut cost"].status == "met"
    assert status["Hold share"].status == "met"
    assert status["Unmeasured"].status is None and status["Unmeasured"].value == 18500
    assert status["No metric"].status is None and status["No metric"].kpi is None
    assert status["Ratio"].status == "no_data"


@pytest.mark.parametrize("direction,target,value,expected", [
    ("increase", 10, 10, "met"), ("increase", 10, 9.99, "not_met"),
    ("decrease", 10, 10, "met"), ("decrease", 10, 10.01, "not_met"),
    ("maintain", 0.04, 0.0419, "met"), ("maintain", 0.04, 0.0381, "met"),
    ("maintain", 0.04, 0.0421, "not_met"), ("maintain", 0.0, 0.0, "met"),
    ("maintain", 0.0, 0.001, "not_met"), ("increase", 0.3, 0.1 + 0.2, "met"),
    ("increase", 5, None, "no_data"), ("increase", None, 4, None),
])
def test_status_rules(direction, target, value, expected):
    assert objective_status(direction, target, value).status == expected


def test_enrich_without_data_does_not_import_pandas():
    code = ("import sys\nfrom pathlib import Path\nfrom copisdsl.api import check\n"
            "from copisdsl.data import enrich\n"
            "r = check('journey j \"J\" {\\n kpi a = 1 + 2\\n}\\n')\n"
            "f, d = enrich(r.model, Path('.'))\n"
            "assert f.kpis[0].value == 3.0 and f.clv is None and f.inputs == []\n"
            "assert 'pandas' not in sys.modules and 'numpy' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
