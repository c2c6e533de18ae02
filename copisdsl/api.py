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
from typing import TYPE_CHECKING, Callable

from copisdsl.syntax import nodes as n
from copisdsl.diagnostics import Diagnostic, error, sort_diagnostics
from copisdsl.semantic.model import Model
from copisdsl.source import SourceFile, Span, decode, lf_lines, position, shown_path

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


#: Called with the local files a journey's data declarations name
#: (``copisdsl.data.linked_files``) before any of them is read (by
#: ``check_read``, once the journey is checked when none is read).
BeforeData = Callable[[list[Path]], None]


def check(text: str, path: str = "<input>", *, policy: Policy | None = None, data: Path | None = None,
          figures: bool = False, root: str | Path | None = None,
          before_data: BeforeData | None = None) -> CheckResult:
    """Parse, resolve and check a text. With ``data`` (a folder) the linked
    data files are read relative to it when the journey declares any (with
    ``figures``, the figures are computed in any case), within ``root``
    (default: that folder); ``before_data`` is called first with those
    files, and what it raises stops the check (a command refuses there to
    write over them). The diagnostics are those reported: after inline
    suppressions and ``policy`` (``checks.suppression.reported``)."""
    result = _check(text, path)
    if data is not None and result.model is not None and (figures or result.model.data):
        _before_data(before_data, result.model, Path(data), root)
        add_figures(result, Path(data), root)
        data_read = True
    else:
        data_read = data is not None
    apply_policy(result, policy, data_read=data_read)
    return result


def _before_data(before_data: BeforeData | None, model: Model, folder: Path, root: str | Path | None) -> None:
    if before_data is not None:
        from copisdsl.data import linked_files

        before_data(linked_files(model, folder, Path(root) if root is not None else folder))


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
    text = lf_lines(text)  # a lone CR ends a line: the snippets and suppressions read it so too
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


#: The largest journey read: a journey is text written by people, and the
#: largest real ones are a few hundred kilobytes (docs/language.md, "Limits").
MAX_JOURNEY_BYTES = 8 * 1024 * 1024

#: Folders of files that are not files: never read as a journey (a link to
#: /proc/self/environ would show the environment in a snippet).
SPECIAL_ROOTS = ("/proc", "/sys", "/dev")


class OutsideRoot(OSError):
    """A journey that is a link to a file outside its folder and ``--root``."""


def read_file(path: Path, root: str | Path | None = None) -> bytes:
    """A journey's bytes. Raises ``OSError`` for a file that cannot be read
    and for anything but a regular file: a folder (with the reason it could
    not be searched, when it could not), a device, a pipe or a file of
    /proc (which could block, never end or hold secrets), a file larger
    than ``MAX_JOURNEY_BYTES``; ``OutsideRoot`` for a link that resolves
    outside the folder the path names and outside ``root`` (the data root,
    which a journey itself need not be in)."""
    path = Path(path)
    real = Path(os.path.realpath(path))
    mode = os.stat(path).st_mode  # before opening: opening a pipe blocks
    if stat.S_ISDIR(mode):
        os.listdir(path)  # raises the reason a folder found by a search could not be searched
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    if any(real == Path(top) or real.is_relative_to(top) for top in SPECIAL_ROOTS):
        raise OSError(errno.EINVAL, "it is a special file (of /proc, /sys or /dev), not a journey", str(path))
    fences = [Path(os.path.realpath(path.absolute().parent))]
    if root is not None:
        fences.append(Path(os.path.realpath(root)))
    if not any(real.is_relative_to(fence) for fence in fences):
        raise OutsideRoot(errno.EACCES, f"it links to {shown_path(real)}, outside "
                          + " and ".join(shown_path(fence) for fence in dict.fromkeys(fences)), str(path))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(fd).st_size
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the check above
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if size > MAX_JOURNEY_BYTES:
            raise OSError(errno.EFBIG, f"it is {_megabytes(size)}, more than a journey may be "
                                       f"({_megabytes(MAX_JOURNEY_BYTES)})", str(path))
        data = handle.read(MAX_JOURNEY_BYTES + 1)
        if len(data) > MAX_JOURNEY_BYTES:  # grew while being read
            raise OSError(errno.EFBIG, f"it is more than a journey may be ({_megabytes(MAX_JOURNEY_BYTES)})",
                          str(path))
        return data


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def decode_source(data: bytes, name: str, what: str = "file") -> tuple[str, list[Diagnostic]]:
    """Text from bytes, with an E100 at the first byte that is not UTF-8
    (the text then has replacement characters there), or at the first NUL
    byte (a binary file: no text is kept, so nothing of it is shown)."""
    nul = data.find(b"\0")
    if nul >= 0:
        line, column = position(decode(data[:nul], name)[0])
        return "", [error("E100", f"the {what} is not text (a NUL byte at {line}:{column}); "
                                  "is it a binary file?", Span(name, line, column, line, column + 1),
                          "name only journeys, saved as UTF-8 text, with .copis")]
    text, bad = decode(data, name)
    if bad is None:
        return text, []
    line, column, byte = bad
    return text, [error("E100", f"the {what} is not valid UTF-8 text ({byte})",
                        Span(name, line, column, line, column + 1), "save the file as UTF-8")]


def check_file(path: str | Path, display: str | None = None, *, data: bool = True, figures: bool = False,
               root: str | Path | None = None, config: Config | None = None,
               before_data: BeforeData | None = None) -> CheckResult:
    """Check a file on disk; with ``data`` the linked data files are read
    too (E400-W403) when the journey declares any, whatever other errors it
    has (only a syntax error, which leaves no model, stops them); with
    ``figures`` the journey's figures are computed in any case (for the
    commands that draw or export them). Data paths may not leave ``root``
    (default: ``config``'s root, else the file's folder). ``config`` (see
    ``copisdsl.config.Settings.for_file``) ignores codes or makes them
    errors and sets ``strict``; inline suppressions apply in any case.
    ``before_data`` is called as ``check_read`` says."""
    path = Path(path)
    name = display or shown_path(path)
    if root is None and config is not None:
        root = config.root
    try:
        text, problems = decode_source(read_file(path, root), name)
    except OSError as exc:
        span = Span(name, 1, 1, 1, 1)
        if isinstance(exc, OutsideRoot):
            hint = "a journey may be a link only to a file inside its folder or the data root (--root, or root in copis.toml)"
        elif exc.errno == errno.EFBIG:
            hint = "a journey is text; split a very large one into several journeys"
        elif exc.errno == errno.EINVAL:
            hint = "name a .copis file saved as text"
        else:
            hint = "check that the file exists and that you may read it"
        return CheckResult(SourceFile(name, ""), None, None,
                           [error("E400", f"cannot read {name}: {exc.strerror or exc}", span, hint)])
    return check_read(text, problems, name, path.resolve().parent, data=data, figures=figures, root=root,
                      config=config, before_data=before_data)


def check_read(text: str, problems: list[Diagnostic], name: str, folder: Path, *, data: bool = True,
               figures: bool = False, root: str | Path | None = None, config: Config | None = None,
               before_data: BeforeData | None = None) -> CheckResult:
    """``check_file`` for a text already read (``read_source``, or standard
    input): ``problems`` are its decoding's, ``folder`` where its data paths
    start. ``before_data`` is ``check``'s, and is called too when no data
    is read (once the journey is checked): the files are the journey's all
    the same."""
    if root is None and config is not None:
        root = config.root
    if problems:
        result = CheckResult(SourceFile(name, text), None, None, problems)
    else:
        reads = data or figures
        result = check(text, name, policy=config.policy() if config is not None else None,
                       data=folder if reads else None, figures=figures, root=root, before_data=before_data)
        if not reads and result.model is not None:  # the files are the journey's even when not read
            _before_data(before_data, result.model, folder, root)
    result.strict = config is not None and config.strict
    return result


def add_figures(result: CheckResult, folder: Path, root: str | Path | None = None) -> None:
    """Compute a checked journey's figures (``result.figures``), reading
    its data files relative to ``folder`` and within ``root`` (default
    ``folder``), and add the data diagnostics to the result's."""
    from copisdsl.data import enrich  # the data libraries only when the journey links data

    result.figures, diagnostics = enrich(result.model, folder, Path(root) if root is not None else folder)
    result.diagnostics = sort_diagnostics(result.diagnostics + diagnostics)
