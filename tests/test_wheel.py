"""The wheel ships the grammar and the templates, and the installed package
finds them (not the source checkout's copies)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import has_dot
from copisdsl.data import DATA_LIBRARIES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel built by hatchling, unpacked as pip would install it."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
                   cwd=ROOT, check=True, capture_output=True)
    (wheel,) = dist.glob("copisdsl-*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "copisdsl/grammar/copis.lark" in names
        assert any(n.startswith("copisdsl/templates/") for n in names)
        zf.extractall(site)
    return site


def run_installed(site: Path, code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(site))
    out = subprocess.run([sys.executable, "-c", code], cwd=site, env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout


def test_installed_package_uses_its_own_grammar_and_templates(installed):
    out = run_installed(installed, (
        "import copisdsl, copisdsl.resources as r\n"
        "print(copisdsl.__file__)\nprint(r.grammar_path())\nprint(r.templates_dir())"))
    package, grammar, templates = out.split()
    for path in (package, grammar, templates):
        assert Path(path).is_relative_to(installed), path


def test_installed_package_checks_a_file(installed):
    example = ROOT / "examples" / "laptop_advocacy.copis"
    out = run_installed(installed, (
        "from copisdsl.api import check\n"
        f"r = check(open({str(example)!r}).read(), 'x.copis')\n"
        "print(r.model.id, len(r.diagnostics))"))
    assert out.split() == ["laptop", "0"]


@pytest.mark.skipif(not has_dot(), reason="Graphviz `dot` is not installed")
def test_installed_package_builds_a_report_from_its_templates(installed, tmp_path):
    out = tmp_path / "site"
    run_installed(installed, (
        "from pathlib import Path\nfrom copisdsl.workflow.build import build_paths\n"
        f"(b,) = build_paths([Path({str(ROOT / 'examples' / 'laptop_advocacy.copis')!r})], Path({str(out)!r}))\n"
        "assert b.ok, b.diagnostics"))
    html = (out / "laptop" / "index.html").read_text(encoding="utf-8")
    assert "<title>" in html and "Laptop" in html


# ------------------------------------------------------------ the light install


@pytest.fixture(scope="module")
def light_venv(tmp_path_factory) -> Path:
    """The wheel pip-installed without extras into a fresh virtual
    environment (its light dependencies from the package index)."""
    dist = tmp_path_factory.mktemp("light-dist")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
                   cwd=ROOT, check=True, capture_output=True)
    (wheel,) = dist.glob("copisdsl-*.whl")
    venv = tmp_path_factory.mktemp("light") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.skip(f"the light install needs the package index: {done.stderr.strip()[-300:]}")
    return venv


@pytest.mark.slow
def test_the_light_install_has_no_data_libraries(light_venv):
    code = f"import importlib.util as u; print([m for m in {DATA_LIBRARIES!r} if u.find_spec(m)])"
    out = subprocess.run([str(light_venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_light_install_checks_the_examples_without_data(light_venv, tmp_path):
    copis = str(light_venv / "bin" / "copis")
    done = subprocess.run([copis, "check", "--no-data", str(ROOT / "examples")], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    examples = len(list((ROOT / "examples").glob("*.copis")))
    assert done.stdout.strip().endswith(f"{examples} files, 0 errors, 0 warnings")
    # A journey without data checks in full, and builds its DOT.
    done = subprocess.run([copis, "render", str(ROOT / "examples" / "laptop_advocacy.copis"), "--format", "dot"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("digraph"), done.stderr


@pytest.mark.slow
def test_the_light_install_names_the_extra_for_a_journey_with_data(light_venv, tmp_path):
    copis = str(light_venv / "bin" / "copis")
    journey = ROOT / "examples" / "skincare_clv.copis"
    done = subprocess.run([copis, "check", "--format", "json", str(journey)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    import json

    (diag,) = json.loads(done.stdout)["diagnostics"]
    assert diag["code"] == "E400" and "not installed" in diag["message"]
    assert "pip install 'copisdsl[data]'" in diag["hint"]
    text = subprocess.run([copis, "build", str(journey), "-o", str(tmp_path / "out")], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert text.returncode == 1 and "copisdsl[data]" in text.stdout and "Traceback" not in text.stderr
