"""Diagnostics as SARIF 2.1.0 (``copis check --format sarif``), for code
scanning services: one run, the rules from the code registry
(``copisdsl.codes``), one result per diagnostic with its region, the
hint as a fix's description, and related locations (E301's other
objective)."""

from __future__ import annotations

import json
from typing import Iterable

from copisdsl.codes import CODES
from copisdsl.diagnostics import Diagnostic
from copisdsl.source import Span

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS = "docs/diagnostics.md"


def sarif_log(diagnostics: Iterable[Diagnostic], version: str) -> dict:
    """The SARIF log of ``diagnostics`` as a JSON value (``version``: copis's)."""
    index = {c.code: i for i, c in enumerate(CODES)}
    rules = [{
        "id": c.code,
        "name": "".join(word.capitalize() for word in c.title.split()),
        "shortDescription": {"text": c.title},
        "fullDescription": {"text": c.when},
        "help": {"text": f"Fix: {c.fix}"},
        "helpUri": f"{DOCS}#{c.code.lower()}",
        "defaultConfiguration": {"level": _level(c.severity)},
    } for c in CODES]
    results = []
    for d in diagnostics:
        result = {
            "ruleId": d.code,
            "level": _level(d.severity.value),
            "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
            "locations": [_location(d.span)],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.related:
            result["relatedLocations"] = [dict(_location(span), id=i, message={"text": note})
                                          for i, (span, note) in enumerate(d.related)]
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "copis", "version": version, "informationUri": DOCS,
                                "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def format_sarif(diagnostics: Iterable[Diagnostic], version: str) -> str:
    """``sarif_log`` as text (stable: the same diagnostics give the same bytes)."""
    return json.dumps(sarif_log(diagnostics, version), indent=2, ensure_ascii=False)


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning"


def _location(span: Span) -> dict:
    region = {"startLine": max(span.line, 1), "startColumn": max(span.column, 1)}
    if (span.end_line, span.end_column) > (span.line, span.column):
        region.update(endLine=span.end_line, endColumn=span.end_column)
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(span.file)}, "region": region}}


def _uri(path: str) -> str:
    """A relative URI reference for a shown path: every character but
    letters, digits, ``/ . _ - ~`` percent-escaped; ``:`` too, or
    ``http:evil.copis`` would read as an absolute URI of scheme ``http``
    (RFC 3986, 4.2), and a backslash, which is part of a name on POSIX
    (a separator only where ``os.sep`` is one)."""
    import os
    from urllib.parse import quote

    return quote(path.replace(os.sep, "/") if os.sep != "/" else path, safe="/._-~")
