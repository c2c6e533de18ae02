"""From the diagnostics a file has to the ones reported: inline
suppressions (``# copis: ignore[...]``, ``# copis: ignore-file[...]``),
then a configuration's ``ignore`` and ``error`` codes (reference, section 15).

    reported(diagnostics, comments, policy) -> [Diagnostic]

is the one place that decides; every command (and the MkDocs plugin, the
language server) goes through it by way of ``copisdsl.api``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from copisdsl.codes import BY_CODE
from copisdsl.diagnostics import Diagnostic, Severity, sort_diagnostics, warning
from copisdsl.source import Span
from copisdsl.syntax import nodes as n

#: the warnings only a run that reads the data files can report
DATA_WARNINGS = frozenset({"W403"})
#: ``# copis: ...``: a comment addressed to the checker
_ADDRESSED = re.compile(r"#\s*copis\s*:")
_SUPPRESSION = re.compile(r"#\s*copis\s*:\s*(ignore(?:-file)?)\s*\[([^\]]*)\]\s*(?:#.*)?$")
_CODE = re.compile(r"[^\s,]+")


@dataclass(frozen=True)
class Policy:
    """What a configuration does to the diagnostics of one file: warning
    codes never reported (``ignore``), warning codes reported as errors
    (``error``)."""

    ignore: frozenset[str] = frozenset()
    error: frozenset[str] = frozenset()


NO_POLICY = Policy()


@dataclass(frozen=True)
class _Suppression:
    whole_file: bool
    line: int                    # the comment's line
    codes: tuple[tuple[str, Span], ...]  # each code named, with where it is written


def reported(diagnostics: Iterable[Diagnostic], comments: Sequence[n.Comment], policy: Policy = NO_POLICY,
             *, first_code_line: int | None = None, data_read: bool = True) -> list[Diagnostic]:
    """The diagnostics a user sees: those that inline suppressions in
    ``comments`` do not suppress, a W309 at each suppression that does
    nothing, then ``policy`` applied (its ``ignore`` drops codes, W309
    included; its ``error`` makes warnings errors). ``first_code_line`` is
    the line where the journey starts (``ignore-file`` must come before
    it); without ``data_read`` a suppression of a data warning (W403) is
    not judged unused. After a syntax error (E100) nothing is suppressed
    and nothing judged: the file's other checks did not run."""
    diags = list(diagnostics)
    if not any(d.code == "E100" for d in diags):
        diags = _suppress(diags, comments, first_code_line, data_read)
    out = []
    for d in diags:
        if d.is_error or d.code not in policy.ignore:
            out.append(replace(d, severity=Severity.ERROR) if d.code in policy.error and not d.is_error else d)
    return sort_diagnostics(out)


def line_suppressions(comments: Sequence[n.Comment]) -> list[tuple[int, frozenset[str]]]:
    """Each well-formed ``# copis: ignore[...]`` comment (not ``ignore-file``),
    in order: its line and the codes it may suppress."""
    found, _ = _suppressions(comments, None)
    return [(s.line, frozenset(code for code, _ in s.codes)) for s in found if not s.whole_file]


def first_code_line(lines: Sequence[str]) -> int:
    """The first line that holds something other than blanks and a comment
    (where the journey starts), or one past the last line."""
    for number, text in enumerate(lines, 1):
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            return number
    return len(lines) + 1


def _suppress(diags: list[Diagnostic], comments: Sequence[n.Comment], code_line: int | None,
              data_read: bool) -> list[Diagnostic]:
    found, problems = _suppressions(comments, code_line)
    if not found:
        return diags + problems
    used: set[tuple[int, str]] = set()  # (index of the suppression, code)
    kept = []
    for d in diags:
        hits = [] if d.is_error else [i for i, s in enumerate(found)
                                      if (s.whole_file or s.line == d.span.line)
                                      and any(code == d.code for code, _ in s.codes)]
        if hits:
            used.update((i, d.code) for i in hits)  # a line's comment and the file's both count as used
        else:
            kept.append(d)
    for i, s in enumerate(found):
        for code, span in s.codes:
            if (i, code) not in used and not (code in DATA_WARNINGS and not data_read):
                where = "in this file" if s.whole_file else "on this line"
                problems.append(warning("W309", f"the suppression of {code} suppressed nothing: no {code} "
                                        f"is reported {where}", span,
                                        f"remove {code} from the comment"))
    return kept + problems


def _suppressions(comments: Sequence[n.Comment], code_line: int | None) -> tuple[list[_Suppression], list[Diagnostic]]:
    """The well-formed suppressions, and a W309 for each ill-formed one or
    each code that cannot be suppressed."""
    found: list[_Suppression] = []
    problems: list[Diagnostic] = []
    for comment in comments:
        text = comment.text if comment.text.startswith("#") else "#" + comment.text
        if not _ADDRESSED.match(text):
            continue
        span = comment.span
        match = _SUPPRESSION.match(text)
        if match is None:
            problems.append(warning("W309", "a 'copis:' comment that is not a suppression", span,
                                    "write '# copis: ignore[W306]' or '# copis: ignore-file[W300]' "
                                    "(several codes separated by commas)"))
            continue
        whole_file = match.group(1) == "ignore-file"
        # Before the first line of code, a comment is on a line of its own.
        if whole_file and (code_line is None or span.line >= code_line):
            problems.append(warning("W309", "'ignore-file' works only on a line of its own before 'journey'",
                                    span, "move the comment above the journey, or use 'ignore[...]' "
                                    "for this line"))
            continue
        codes = []
        start = span.column + match.start(2)
        for m in _CODE.finditer(match.group(2)):
            code = m.group(0)
            at = Span(span.file, span.line, start + m.start(), span.line, start + m.end())
            info = BY_CODE.get(code.upper())
            if info is None:
                problems.append(warning("W309", f"'{code}' is not a diagnostic code", at,
                                        "the codes are listed in docs/diagnostics.md"))
            elif info.severity == "error":
                problems.append(warning("W309", f"{info.code} is an error, and errors cannot be suppressed",
                                        at, "fix the error instead"))
            elif info.code == "W309":
                problems.append(warning("W309", "W309 cannot be suppressed by a comment", at,
                                        "fix the suppression, or add W309 to 'ignore' in copis.toml"))
            else:
                codes.append((info.code, at))
        if not codes and not _CODE.search(match.group(2)):
            problems.append(warning("W309", "the suppression names no code", span,
                                    "name the codes in the brackets: '# copis: ignore[W306]'"))
        if codes:
            found.append(_Suppression(whole_file, span.line, tuple(codes)))
    return found, problems

