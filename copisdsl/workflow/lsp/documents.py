"""What the server knows of one open journey: its text, the last check
and the last figures, as one immutable snapshot per version."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlparse

from copisdsl.api import CheckResult, check
from copisdsl.diagnostics import Diagnostic
from copisdsl.workflow.lsp.index import Index, build_index
from copisdsl.workflow.lsp.positions import Lines


def uri_path(uri: str) -> Path | None:
    """The file of a ``file:`` URI (None for an unsaved buffer)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def display_name(uri: str) -> str:
    """The file name diagnostics carry (the path, or the URI of an unsaved buffer)."""
    path = uri_path(uri)
    return path.as_posix() if path is not None else uri


@dataclass
class Snapshot:
    """One version of a document, checked (syntax and semantics)."""

    uri: str
    version: int | None
    text: str
    result: CheckResult
    data: "DataRun | None" = None  # the last figures computed for this document, any version

    @cached_property
    def lines(self) -> Lines:
        return Lines(self.text)

    @cached_property
    def index(self) -> Index:
        return build_index(self.result.model) if self.result.model is not None else Index()

    @property
    def model(self):
        return self.result.model


@dataclass(frozen=True)
class DataRun:
    """The figures of one version and the diagnostics only the data gave."""

    version: int | None
    figures: object  # copisdsl.data.figures.Figures (pandas stays off the typing path)
    diagnostics: tuple[Diagnostic, ...] = field(default=())


def snapshot(uri: str, version: int | None, text: str, previous: Snapshot | None = None) -> Snapshot:
    """Check a document's text; the data figures of ``previous`` are kept
    until new ones are computed."""
    config = configuration(uri)
    return Snapshot(uri, version, text, check(text, display_name(uri), policy=config.policy() if config else None),
                    previous.data if previous is not None else None)


def configuration(uri: str):
    """The ``copis.toml`` / ``[tool.copis]`` configuration of a saved
    document, as ``copis check`` finds it (read anew each time, so that an
    edit of it shows at the next change); None for an unsaved buffer or
    a configuration that cannot be read (the command line reports that)."""
    from copisdsl.config import ConfigError, Settings

    path = uri_path(uri)
    if path is None:
        return None
    try:
        return Settings().for_file(path)
    except ConfigError:
        return None


def compute_data(snap: Snapshot) -> DataRun | None:
    """The figures of a snapshot, reading its data files relative to its
    file's folder (None for an unsaved buffer, or a journey without a model
    or without data: its figures need none, and pandas stays unloaded).
    Slow (pandas, files): the server runs it in a worker thread."""
    path = uri_path(snap.uri)
    if path is None or snap.model is None or not snap.model.data:
        return None
    config = configuration(snap.uri)
    before = set(snap.result.diagnostics)
    # as `copis check` reports them: suppression and configuration apply to the data's diagnostics too
    result = check(snap.text, display_name(snap.uri), policy=config.policy() if config else None,
                   data=path.resolve().parent, figures=True, root=config.root if config else None)
    return DataRun(snap.version, result.figures,
                   tuple(d for d in result.diagnostics if d not in before))
