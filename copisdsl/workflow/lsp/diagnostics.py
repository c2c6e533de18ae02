"""Diagnostics as the editor gets them: reported (configuration and
suppression applied) and converted to LSP's shape."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as t

from copisdsl.diagnostics import Diagnostic
from copisdsl.workflow.lsp.documents import Snapshot, uri_path
from copisdsl.workflow.lsp.positions import Lines

SOURCE = "copis"


def reported(diagnostics: list[Diagnostic], snap: Snapshot) -> list[Diagnostic]:
    """The diagnostics to show for a document, as ``copis check`` would
    report them.

    Configuration (``copis.toml``: ``ignore``, ``error``) and inline
    suppression (``# copis: ignore[...]``) are applied by ``api.check``
    itself, which ``documents.snapshot`` and ``compute_data`` call with the
    document's configuration, so the check's and the data's diagnostics
    arrive here already reported.
    """
    return diagnostics


def current(snap: Snapshot) -> list[Diagnostic]:
    """The check's diagnostics with the data's of the last figures, when
    the text still has a model (after a syntax error they would point at
    declarations that may have moved)."""
    diags = list(snap.result.diagnostics)
    if snap.data is not None and snap.model is not None:
        diags += [d for d in snap.data.diagnostics if d not in diags]
    return reported(diags, snap)


def to_range(lines: Lines, span) -> t.Range:
    (sl, sc), (el, ec) = lines.span_range(span)
    if (el, ec) < (sl, sc):
        el, ec = sl, sc
    return t.Range(t.Position(sl, sc), t.Position(el, ec))


def to_lsp(diag: Diagnostic, snap: Snapshot) -> t.Diagnostic:
    """One diagnostic in LSP's shape: the code, the message with its hint,
    the hint also in ``data`` (for quick fixes) and related locations."""
    lines = snap.lines
    message = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
    related = [t.DiagnosticRelatedInformation(t.Location(_uri_of(snap, span.file), to_range(lines, span)), note)
               for span, note in diag.related]
    return t.Diagnostic(
        range=to_range(lines, diag.span),
        message=message,
        severity=t.DiagnosticSeverity.Error if diag.is_error else t.DiagnosticSeverity.Warning,
        code=diag.code,
        source=SOURCE,
        related_information=related or None,
        data={"hint": diag.hint},
    )


def _uri_of(snap: Snapshot, file: str) -> str:
    """The URI of a related span's file: this document's, or a path's."""
    path = uri_path(snap.uri)
    if path is None or path.as_posix() == file or not file.startswith("/"):
        return snap.uri
    return Path(file).as_uri()


def publishable(snap: Snapshot) -> list[t.Diagnostic]:
    """What the server publishes for a snapshot."""
    return [to_lsp(d, snap) for d in current(snap)]
