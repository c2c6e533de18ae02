"""The facade: each stage of the pipeline as one call.

    parse(text)        -> ParseResult (Document or None, E100s)
    check(text)        -> CheckResult (Model or None, every diagnostic)
    check_file(path)   -> CheckResult, reading the file (and its data files)
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from copisdsl.syntax import nodes as n
from copisdsl.diagnostics import Diagnostic, error, sort_diagnostics
from copisdsl.semantic.model import Model
from copisdsl.source import SourceFile, Span, decode, shown_path

if TYPE_CHECKING:
    from copisdsl.checks.suppression import Policy
    from copisdsl.config import Config
    from copisdsl.data.figures import Figures


@dataclass
class CheckResult:
    """What checking one file gives: the source, the model and diagnostics."""

    source: SourceFile
    document: n.Document | None
    model: Model | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    figures: Figures | None = None  # once computed (check_file(figures=True), add_figures)
    strict: bool = False  # its configuration's `strict`: warnings fail the exit code

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def parse(text: str, path: str = "<input>") -> tuple[n.Document | None, list[Diagnostic]]:
    """Text -> AST. The document is None when there is a syntax error (E100)."""
    from copisdsl.syntax.parser import parse as _parse

    return _parse(text, path)


def check(text: str, path: str = "<input>", *, policy: Policy | None = None, data: Path | None = None,
          figures: bool = False, root: str | Path | None = None) -> CheckResult:
    """Parse, resolve and check a text. With ``data`` (a folder) the linked
    data files are read relative to it when the journey declares any (with
    ``figures``, the figures are computed in any case), within ``root``
    (default: that folder). The diagnostics are those reported: after
    inline suppressions and ``policy`` (``checks.suppression.reported``)."""
    result = _check(text, path)
    if data is not None and result.model is not None and (figures or result.model.data):
        add_figures(result, Path(data), root)
        data_read = True
    else:
        data_read = data is not None
    apply_policy(result, policy, data_read=data_read)
    return result


def apply_policy(result: CheckResult, policy: Policy | None = None, *, data_read: bool = True) -> None:
    """Replace a result's diagnostics (as checked) by those reported: inline
    suppressions, then ``policy``'s ignore and error codes (the one rule,
    ``checks.suppression.reported``)."""
    from copisdsl.checks.suppression import NO_POLICY, first_code_line, reported
    from copisdsl.syntax.scanning import scan_comments

    text = result.source.text
    comments = scan_comments(text, result.source.path) if "#" in text else []
    result.diagnostics = reported(result.diagnostics, comments, policy or NO_POLICY,
                                  first_code_line=first_code_line(result.source.lines), data_read=data_read)


def _check(text: str, path: str) -> CheckResult:
    """Parse, resolve and check, every diagnostic as found."""
    from copisdsl.checks import run_checks
    from copisdsl.syntax.parser import paused_gc, prepare
    from copisdsl.semantic.resolve import resolve

    prepare()  # before pausing the collector (see prepare)
    source = SourceFile(path, text)
    with paused_gc():
        doc, diags = parse(text, path)  # no document after a syntax error
        model = None
        if doc is not None:
            model, more = resolve(doc, path)  # no model after an E100
            diags = diags + more
            if model is not None:
                diags += run_checks(model)
    return CheckResult(source, doc, model, sort_diagnostics(diags))


def read_source(path: Path, display: str | None = None) -> tuple[str, list[Diagnostic]]:
    """A file's text; undecodable bytes become an E100 at their position
    (in a file shown as ``display``, by default ``shown_path(path)``).
    Raises ``OSError`` as ``read_file`` does."""
    return decode_source(read_file(path), display or shown_path(Path(path)))


def read_file(path: Path) -> bytes:
    """A journey's bytes. Raises ``OSError`` for a file that cannot be read
    and for anything but a regular file: a folder (with the reason it could
    not be searched, when it could not), a device or a pipe (which could
    block or never end)."""
    mode = os.stat(path).st_mode  # before opening: opening a pipe blocks
    if stat.S_ISDIR(mode):
        os.listdir(path)  # raises the reason a folder found by a search could not be searched
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return Path(path).read_bytes()


def decode_source(data: bytes, name: str, what: str = "file") -> tuple[str, list[Diagnostic]]:
    """Text from bytes, with an E100 at the first byte that is not UTF-8
    (the text then has replacement characters there)."""
    text, bad = decode(data, name)
    if bad is None:
        return text, []
    line, column, byte = bad
    return text, [error("E100", f"the {what} is not valid UTF-8 text ({byte})",
                        Span(name, line, column, line, column + 1), "save the file as UTF-8")]


def check_file(path: str | Path, display: str | None = None, *, data: bool = True, figures: bool = False,
               root: str | Path | None = None, config: Config | None = None) -> CheckResult:
    """Check a file on disk; with ``data`` the linked data files are read
    too (E400-W403) when the journey declares any, whatever other errors it
    has (only a syntax error, which leaves no model, stops them); with
    ``figures`` the journey's figures are computed in any case (for the
    commands that draw or export them). Data paths may not leave ``root``
    (default: ``config``'s root, else the file's folder). ``config`` (see
    ``copisdsl.config.Settings.for_file``) ignores codes or makes them
    errors and sets ``strict``; inline suppressions apply in any case."""
    path = Path(path)
    name = display or shown_path(path)
    try:
        text, problems = read_source(path, name)
    except OSError as exc:
        span = Span(name, 1, 1, 1, 1)
        return CheckResult(SourceFile(name, ""), None, None,
                           [error("E400", f"cannot read {name}: {exc.strerror or exc}", span,
                                  "check that the file exists and that you may read it")])
    return check_read(text, problems, name, path.resolve().parent, data=data, figures=figures, root=root,
                      config=config)


def check_read(text: str, problems: list[Diagnostic], name: str, folder: Path, *, data: bool = True,
               figures: bool = False, root: str | Path | None = None, config: Config | None = None) -> CheckResult:
    """``check_file`` for a text already read (``read_source``, or standard
    input): ``problems`` are its decoding's, ``folder`` where its data paths
    start."""
    if root is None and config is not None:
        root = config.root
    if problems:
        result = CheckResult(SourceFile(name, text), None, None, problems)
    else:
        result = check(text, name, policy=config.policy() if config is not None else None,
                       data=folder if (data or figures) else None, figures=figures, root=root)
    result.strict = config is not None and config.strict
    return result


def add_figures(result: CheckResult, folder: Path, root: str | Path | None = None) -> None:
    """Compute a checked journey's figures (``result.figures``), reading
    its data files relative to ``folder`` and within ``root`` (default
    ``folder``), and add the data diagnostics to the result's."""
    from copisdsl.data import enrich  # pandas only when the journey links data

    result.figures, diagnostics = enrich(result.model, folder, Path(root) if root is not None else folder)
    result.diagnostics = sort_diagnostics(result.diagnostics + diagnostics)
