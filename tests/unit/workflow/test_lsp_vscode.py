"""The VS Code extension (editors/vscode): its TextMate grammar, generated
from the language's vocabulary and tested with vscode-tmgrammar-test
(assertion files and snapshots of the examples), its manifest, and the
package `make vsix` builds."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import golden_compare

ROOT = Path(__file__).resolve().parents[3]
VSCODE = ROOT / "editors" / "vscode"
BIN = VSCODE / "node_modules" / ".bin"
EXAMPLES = sorted((ROOT / "examples").glob("*.copis"))

needs_npm = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (Debian: apt-get install npm)")


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is missing: run `make vscode-tools` (npm install in editors/vscode)")
    return str(path)


def test_grammar_file_is_generated_from_the_language():
    spec = importlib.util.spec_from_file_location("vscode_grammar", VSCODE / "grammar.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = (VSCODE / "syntaxes" / "copis.tmLanguage.json").read_text()
    assert written == module.text(), "run: python editors/vscode/grammar.py"
    grammar = json.loads(written)
    assert "tradeoff" in grammar["repository"]["statement"]["match"]
    assert "churn_rate" in grammar["repository"]["function"]["match"]


def test_manifest_wires_the_language_the_grammar_and_the_server():
    manifest = json.loads((VSCODE / "package.json").read_text())
    (language,) = manifest["contributes"]["languages"]
    assert language["extensions"] == [".copis"]
    assert (VSCODE / language["configuration"]).is_file()
    (grammar,) = manifest["contributes"]["grammars"]
    assert (VSCODE / grammar["path"]).is_file() and grammar["scopeName"] == "source.copis"
    settings = manifest["contributes"]["configuration"]["properties"]
    assert settings["copis.command"]["default"] == ["copis", "lsp"]
    assert {c["command"] for c in manifest["contributes"]["commands"]} == {"copis.openPreview", "copis.restartServer"}
    config = json.loads((VSCODE / "language-configuration.json").read_text())
    assert config["comments"] == {"lineComment": "#"}
    assert ["{", "}"] in config["brackets"]


@needs_npm
def test_extension_script_parses():
    subprocess.run(["node", "--check", str(VSCODE / "extension.js")], check=True)


@needs_npm
def test_grammar_assertions():
    run = subprocess.run([tool("vscode-tmgrammar-test"), "-g", "syntaxes/copis.tmLanguage.json", "tests/*.copis"],
                         cwd=VSCODE, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("run successfuly") == len(list((VSCODE / "tests").glob("*.copis"))) >= 2


@needs_npm
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_grammar_snapshots_of_the_examples(example, tmp_path, update_golden):
    case = tmp_path / example.name
    shutil.copy(example, case)
    run = subprocess.run([tool("vscode-tmgrammar-snap"), "-u", "-g", str(VSCODE / "syntaxes" / "copis.tmLanguage.json"),
                          "-s", "source.copis", str(case)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    snapshot = (tmp_path / f"{example.name}.snap").read_text()
    assert "keyword.declaration.copis" in snapshot and "invalid" not in snapshot
    golden_compare(VSCODE / "tests" / "snap" / f"{example.name}.snap", snapshot, update_golden)


@needs_npm
@pytest.mark.slow
def test_vsix_package(tmp_path):
    tool("vsce")
    out = tmp_path / "copis.vsix"
    run = subprocess.run([tool("vsce"), "package", "--out", str(out)], cwd=VSCODE, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    names = set(zipfile.ZipFile(out).namelist())
    for needed in ("extension/extension.js", "extension/package.json", "extension/syntaxes/copis.tmLanguage.json",
                   "extension/language-configuration.json", "extension/readme.md",
                   "extension/node_modules/vscode-languageclient/package.json"):
        assert needed in names, needed
    assert not any(n.startswith("extension/tests/") or "vscode-tmgrammar-test" in n for n in names)
