"""Diagnostics as values, and their text, JSON and GitHub renderings."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Iterable, Mapping

from copisdsl.locations import mask_line
from copisdsl.source import BIDI, CONTROL, Span, printable


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in a file, with a stable code and a span."""

    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None
    related: tuple[tuple[Span, str], ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        return (self.span.file, self.span.line, self.span.column, self.code, self.message)


# Messages quote what the user wrote; a name a megabyte long is quoted up to here.
MAX_MESSAGE = 500


def _capped(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_MESSAGE:
        return text
    return text[:MAX_MESSAGE - 1] + "\u2026"


def error(code: str, message: str, span: Span, hint: str | None = None,
          related: tuple[tuple[Span, str], ...] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, _capped(message), span, _capped(hint), related)


def warning(code: str, message: str, span: Span, hint: str | None = None,
            related: tuple[tuple[Span, str], ...] = ()) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, _capped(message), span, _capped(hint), related)


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file and position, duplicates dropped."""
    seen: set = set()
    out = []
    for d in sorted(diags, key=Diagnostic.sort_key):
        key = (d.code, d.message, d.span)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def count(diags: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = warnings = 0
    for d in diags:
        if d.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(files: int, diags: Iterable[Diagnostic]) -> str:
    """``3 files, 1 error, 2 warnings``."""
    errors, warnings = count(diags)
    return f"{plural(files, 'file')}, {plural(errors, 'error')}, {plural(warnings, 'warning')}"


# ------------------------------------------------------------------ text


# A longer source line is shown as this many columns around the caret.
SNIPPET_WIDTH = 200


def _snippet(lines: list[str], span: Span, color: bool) -> list[str]:
    if not 1 <= span.line <= len(lines):
        return []
    text = mask_line(lines[span.line - 1])
    gutter = str(span.line)
    pad = " " * len(gutter)
    start = max(span.column, 1)
    if span.end_line == span.line:
        end = max(span.end_column, start + 1)
    else:
        end = max(len(text) + 1, start + 1)
    end = min(end, max(len(text) + 1, start + 1))
    if len(text) > SNIPPET_WIDTH:
        # Columns lo+1 .. lo+SNIPPET_WIDTH, with the caret's start in the first third.
        lo = max(0, min(start - 1 - SNIPPET_WIDTH // 3, len(text) - SNIPPET_WIDTH))
        hi = lo + SNIPPET_WIDTH
        lead = "\u2026" if lo else ""
        text = lead + text[lo:hi] + ("\u2026" if hi < len(text) else "")
        start, end = start - lo + len(lead), min(end, hi + 1) - lo + len(lead)
        end = max(end, start + 1)
    # Control characters would act on the terminal: one visible mark each, so the caret still fits.
    text = BIDI.sub("\ufffd", CONTROL.sub("\ufffd", text.replace("\t", " ")))
    caret = " " * (start - 1) + "^" * (end - start)
    if color:
        caret = f"\x1b[1;31m{caret}\x1b[0m"
    return [f" {gutter} | {text}", f" {pad} | {caret}"]


def format_text(diag: Diagnostic, sources: Mapping[str, list[str]], color: bool = False) -> str:
    """A compiler-style block: location, message, source line, caret, hint."""
    s = diag.span
    file, message = printable(s.file), printable(diag.message)  # nothing printed acts on the terminal
    head = f"{file}:{s.line}:{s.column}: {diag.code} {diag.severity.value}: {message}"
    if color:
        tint = "31" if diag.is_error else "33"
        head = f"\x1b[1m{file}:{s.line}:{s.column}:\x1b[0m \x1b[1;{tint}m{diag.code} {diag.severity.value}:\x1b[0m {message}"
    out = [head]
    out += _snippet(sources.get(s.file, []), s, color)
    if diag.hint:
        out.append(f"hint: {printable(diag.hint)}")
    for span, note in diag.related:
        out.append(f"note: {printable(note)}")
        if span.file != s.file:
            out.append(f"  --> {printable(span.file)}:{span.line}:{span.column}")
        out += _snippet(sources.get(span.file, []), span, color)
    return "\n".join(out)


# ------------------------------------------------------------------ json


def to_json_dict(diag: Diagnostic) -> dict:
    """The reference's JSON shape of one diagnostic (section 9)."""
    s = diag.span
    return {
        "code": diag.code,
        "severity": diag.severity.value,
        "message": diag.message,
        "file": s.file,
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "hint": diag.hint,
    }


def format_json(files: int, diags: list[Diagnostic]) -> str:
    errors, warnings = count(diags)
    doc = {
        "files": files,
        "diagnostics": [to_json_dict(d) for d in diags],
        "summary": {"errors": errors, "warnings": warnings},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


# ------------------------------------------------------------------ github


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diag: Diagnostic) -> str:
    """A GitHub Actions workflow command (``::error file=...::message``)."""
    s = diag.span
    message = diag.message + (f" (hint: {diag.hint})" if diag.hint else "")
    # Line breaks are the annotation's own (%0A); any other control is shown escaped.
    message = "\n".join(printable(part) for part in message.replace("\r\n", "\n").split("\n"))
    props = (f"file={_gh_prop(printable(s.file))},line={s.line},col={s.column},"
             f"endLine={s.end_line},endColumn={s.end_column},title={_gh_prop(diag.code)}")
    return f"::{diag.severity.value} {props}::{_gh_data(diag.code + ' ' + message)}"
