"""`copis export --format mermaid`: the Mermaid journey of every example and
of a case full of characters Mermaid cannot hold (their goldens are
tests/golden/mermaid/test_mermaid_golden.py's), each read back by a
checker that follows Mermaid's journey grammar (its jison lexer rules, in
order, and its line forms), since Mermaid's own CLI is not installed."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, ROOT
from copisdsl.api import check
from copisdsl.cli import main
from copisdsl.workflow.export.mermaid import DEFAULT_SCORE, clean, mermaid_journey

GOLDEN = ROOT / "tests" / "golden" / "mermaid"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.copis"))
CASES = sorted(GOLDEN.glob("*.copis"))

# Mermaid's journey lexer (packages/mermaid/src/diagrams/user-journey/parser/
# journey.jison): the first rule that matches at the position wins; the
# lexer is case-insensitive. Names as in the grammar; None is skipped.
_RULES = [(re.compile(p, re.I), name) for p, name in [
    (r"%%(?!\{)[^\n]*", None),
    (r"[^}]%%[^\n]*", None),
    (r"\n+", "NEWLINE"),
    (r"\s+", None),
    (r"#[^\n]*", None),
    (r"journey", "journey"),
    (r"title\s[^#\n;]+", "title"),
    (r"accTitle\s*:\s*", "acc_title"),
    (r"accDescr\s*:\s*", "acc_descr"),
    (r"accDescr\s*\{\s*", "acc_descr_multiline"),
    (r"section\s[^#:\n;]+", "section"),
    (r"[^#:\n;]+", "taskName"),
    (r":[^#\n;]+", "taskData"),
    (r":", ":"),
    (r".", "INVALID"),
]]


def tokens(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    while pos < len(text):
        for pattern, name in _RULES:
            m = pattern.match(text, pos)
            if m:
                if name is not None:
                    out.append((name, m.group()))
                pos = m.end()
                break
    return out


@dataclass
class Diagram:
    title: str | None = None
    sections: list[str] = field(default_factory=list)
    tasks: list[tuple[str, str, int, list[str]]] = field(default_factory=list)  # section, task, score, people


def read_mermaid(text: str) -> Diagram:
    """Parse like Mermaid's journey grammar and journeyDb.addTask; raise
    AssertionError where Mermaid would fail or read something else."""
    toks = tokens(text)
    assert toks and toks[0][0] == "journey", toks[:1]
    d = Diagram()
    section = ""
    i = 1
    while i < len(toks):
        kind, value = toks[i]
        if kind == "NEWLINE":
            i += 1
        elif kind == "title":
            d.title = value[6:]
            i += 1
        elif kind == "section":
            section = value[8:]
            d.sections.append(section)
            i += 1
        elif kind == "taskName":
            assert i + 1 < len(toks) and toks[i + 1][0] == "taskData", f"task without data: {value!r}"
            pieces = toks[i + 1][1][1:].split(":")
            assert len(pieces) <= 2, f"a ':' too many in {toks[i + 1][1]!r}"
            score = float(pieces[0]) if pieces[0].strip() else 0.0  # JS Number()
            assert math.isfinite(score) and score == int(score) and 1 <= score <= 5, pieces[0]
            people = [p.strip() for p in pieces[1].split(",")] if len(pieces) == 2 else []
            d.tasks.append((section, value, int(score), people))
            i += 2
        else:
            raise AssertionError(f"Mermaid cannot parse token {kind} {value!r}")
    return d


def compile_file(path: Path):
    result = check(path.read_text(encoding="utf-8"), path.name)
    assert result.ok, [d.message for d in result.diagnostics if d.is_error]
    return result.model


@pytest.mark.parametrize("path", EXAMPLE_FILES + CASES, ids=lambda p: p.stem)
def test_mermaid_reads_back_every_stage_and_touchpoint(path: Path) -> None:
    model = compile_file(path)
    d = read_mermaid(mermaid_journey(model))
    assert d.title == clean(model.title, "title")
    assert d.sections == [clean(s.title, "section") or s.id for s in model.stages]
    expected = []
    for s in model.stages:
        for tp in s.touchpoints:
            actors = [v.text for v in tp.elements.get(model.framework.customer_key, [])]
            people = list(dict.fromkeys(a for a in (clean(x, "actor") for x in actors) if a))
            expected.append((clean(s.title, "section") or s.id, clean(tp.title, "task") or tp.id,
                             tp.emotion if tp.emotion is not None else DEFAULT_SCORE, people))
    assert d.tasks == expected


def test_sanitizing_keeps_text_readable_and_mermaid_safe() -> None:
    model = compile_file(GOLDEN / "sanitize.copis")
    d = read_mermaid(mermaid_journey(model))
    assert d.title == "Journey ＃1: sign-up； then %％ onboarding"
    assert d.sections == ["Intro： part 1； ＃tag", "blank_stage"]
    names = [t[1] for t in d.tasks]
    assert names[:4] == ["\u200bJourney review", "\u200btitle page", "\u200bSection 2 of 3",
                         "\u200baccDescr { hidden"]
    assert names[4] == "Line one line two and tabs"
    assert names[5:] == ["blank", "100%％ sure 50%％%", "Done"]
    assert d.tasks[0][3] == ["Maya‚ busy： professional ＃1", "Jo", "Walk-in； no account"]
    assert d.tasks[5][3] == ["Jo"] and d.tasks[6][3] == []
    assert [t[2] for t in d.tasks] == [5, 1, 3, 2, 4, 3, 3, 3]


def test_the_checker_rejects_what_mermaid_rejects() -> None:
    read_mermaid("journey\n  title T\n  section S\n    Task: 3: A, B\n")
    for bad in ("journey\n  section S\n    Journey task: 3: A\n",  # lexed as the `journey` keyword
                "journey\n  section S\n    Task: 3: A: B\n",  # a colon in an actor
                "journey\n  section S\n    Task #1: 3\n",  # a comment cuts the task
                "journey\n  section S\n    Task; two: 3\n",
                "journey\n  section S\n    Task: 7\n",
                "journey\n  section S\n    Task\n"):
        with pytest.raises(AssertionError):
            read_mermaid(bad)
    # a stray %% turns the rest of the line into a comment: the task disappears
    assert read_mermaid("journey\n  section S\n    a%%b: 3\n").tasks == []


# ------------------------------------------------------------------ command


def test_export_mermaid_command(tmp_path: Path) -> None:
    source = EXAMPLE_FILES[0]
    runner = CliRunner()
    out = runner.invoke(main, ["export", str(source), "--format", "mermaid"])
    assert out.exit_code == 0, out.output
    assert out.stdout == mermaid_journey(compile_file(source))
    target = tmp_path / "sub" / "j.mmd"
    written = runner.invoke(main, ["export", str(source), "--format", "mermaid", "-o", str(target)])
    assert written.exit_code == 0 and written.stdout == ""
    assert target.read_text(encoding="utf-8") == out.stdout


def test_export_mermaid_needs_no_data_but_a_valid_journey(tmp_path: Path) -> None:
    journey = tmp_path / "j.copis"
    journey.write_text('journey j "J" {\n  data orders "missing.csv"\n'
                       '  stage s "S" {\n    touchpoint t "T" { emotion 4 }\n  }\n}\n')
    runner = CliRunner()
    ok = runner.invoke(main, ["export", str(journey), "--format", "mermaid"])
    assert ok.exit_code == 0 and ok.stdout == "journey\n  title J\n  section S\n    T: 4\n"
    assert runner.invoke(main, ["export", str(journey)]).exit_code == 1  # JSON reads the data
    journey.write_text('journey j "J" {\n  stage s "S" {\n    touchpoint t "T" { emotion 9 }\n  }\n}\n')
    bad = runner.invoke(main, ["export", str(journey), "--format", "mermaid"])
    assert bad.exit_code == 1 and bad.stdout == "" and "E204" in bad.stderr
