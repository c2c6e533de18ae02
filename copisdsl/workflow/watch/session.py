"""The journeys under watch, what each build read, and rebuilding the
ones a change concerns (``Session``, ``Rebuild``)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from copisdsl.diagnostics import count
from copisdsl.source import shown_path
from copisdsl.workflow.build import JourneyBuild
from copisdsl.workflow.search import is_searched, journey_files
from copisdsl.workflow.watch.noise import is_editor_noise
from copisdsl.workflow.watch.state import JourneyStatus, LiveState


@dataclass
class Rebuild:
    """One round of building: the files whose change caused it, the builds
    of the journeys it rebuilt, the journeys whose file went away, the time
    taken, and ``failure`` when building raised (a bug, as one line)."""

    changed: list[Path]
    builds: list[JourneyBuild]
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    failure: str | None = None

    @property
    def counts(self) -> tuple[int, int]:
        """(errors, warnings) over the journeys rebuilt."""
        return count(d for b in self.builds for d in b.diagnostics)

    @property
    def ok(self) -> bool:
        return self.failure is None and all(b.ok for b in self.builds)


@dataclass
class _Journey:
    path: Path                  # as found, so that diagnostics name it as `copis build` does
    key: Path                   # resolved
    build: JourneyBuild | None = None
    inputs: frozenset[Path] = frozenset()
    url: str | None = None
    revision: int = 0


def _resolve(path: str | Path) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(path).absolute()


class Session:
    """The journeys found in ``paths`` (files, or folders searched for
    ``*.copis`` as ``copis build`` does), built into ``out``; publishes each
    result to ``state``. Not thread-safe: one thread builds."""

    def __init__(self, paths: Iterable[str | Path], out: str | Path, *, root: str | Path | None = None,
                 keep_dot: bool = False, state: LiveState | None = None,
                 clock: Callable[[], float] = time.perf_counter, settings=None) -> None:
        self.paths = [Path(p) for p in paths]
        self.settings = settings  # copisdsl.config.Settings: the command line's; files read again each build
        self.out = Path(out)
        self.root = Path(root) if root is not None else None
        self.keep_dot = keep_dot
        self.state = state if state is not None else LiveState()
        self.clock = clock
        self._out_key = _resolve(self.out)
        self._folders = [_resolve(p) for p in self.paths if p.is_dir()]
        self._journeys: dict[Path, _Journey] = {}
        # One counter for every page, so that a revision is never reused
        # (not even by a journey file deleted and created again).
        self._revisions = itertools.count(1)
        self._index_revision = 0
        self._index_written = False

    @property
    def builds(self) -> list[JourneyBuild]:
        """The latest build of every journey, in the order found."""
        return [j.build for j in self._journeys.values() if j.build is not None]

    def build_all(self) -> Rebuild:
        """Find the journeys and build them all (the first build)."""
        start = self.clock()
        self._journeys.clear()
        self._discover()
        return self._rebuild(list(self._journeys), [], [], start)

    def relevant(self, path: str | Path, is_dir: bool = False) -> bool:
        """Whether a file event at ``path`` can change a build: a journey's
        file or data file, a new ``*.copis`` in a watched folder, or a new
        folder on the way to a missing data file. The output folder and
        editor swap files are not."""
        key = _resolve(path)
        if is_dir:
            return any(inp.is_relative_to(key) for j in self._journeys.values() for inp in j.inputs)
        if any(key == j.key or key in j.inputs for j in self._journeys.values()):
            return True
        if key.is_relative_to(self._out_key) or is_editor_noise(key):
            return False
        return any(key.is_relative_to(f) and is_searched(key.relative_to(f)) for f in self._folders)

    def rebuild(self, changed: Iterable[str | Path]) -> Rebuild | None:
        """Rebuild the journeys that ``changed`` files affect, pick up new
        journey files and drop deleted ones; None when nothing is affected."""
        start = self.clock()
        changed = list(dict.fromkeys(_resolve(p) for p in changed))
        added: list[Path] = []
        removed: list[str] = []
        if any(p.suffix == ".copis" and (p not in self._journeys or not p.exists()) for p in changed):
            added, removed = self._discover()
        affected = set(added)
        for key, journey in self._journeys.items():
            if any(p == key or p in journey.inputs or any(inp.is_relative_to(p) for inp in journey.inputs)
                   for p in changed):
                affected.add(key)
        todo = [key for key in self._journeys if key in affected]
        if not todo and not removed:
            return None
        return self._rebuild(todo, changed, removed, start)

    def files(self) -> set[Path]:
        """Every journey file found and every file its latest build read."""
        return {path for key, j in self._journeys.items() for path in (key, *j.inputs)}

    def watch_dirs(self) -> dict[Path, bool]:
        """The folders to watch, each with whether to watch it recursively:
        the folders given, the folders of the files given and of every file
        a build read (the nearest existing one for a missing file)."""
        dirs = {folder: True for folder in self._folders}

        def add(folder: Path) -> None:
            while not folder.is_dir() and folder.parent != folder:
                folder = folder.parent
            if not any(folder.is_relative_to(f) for f in self._folders):
                dirs.setdefault(folder, False)

        for path in self.paths:
            if not path.is_dir():
                add(_resolve(path).parent)
        for journey in self._journeys.values():
            for inp in sorted(journey.inputs):
                add(inp.parent)
        return dirs

    # ------------------------------------------------------------ internals

    def _settings(self):
        """The settings with the configuration files read anew (an edit to copis.toml counts)."""
        return self.settings.fresh() if self.settings is not None else None

    def _discover(self) -> tuple[list[Path], list[str]]:
        """Find the journeys again: (keys added, names of those gone)."""
        found = journey_files(self.paths, self._settings())
        old = self._journeys
        self._journeys = {}
        for path, _display in found:
            key = _resolve(path)
            self._journeys[key] = old.get(key) or _Journey(path, key, inputs=frozenset({key}))
        added = [key for key in self._journeys if key not in old]
        removed = [shown_path(j.path) for key, j in old.items() if key not in self._journeys]
        return added, removed

    def _rebuild(self, todo: list[Path], changed: list[Path], removed: list[str], start: float) -> Rebuild:
        from copisdsl.workflow.build import build_paths

        try:
            if todo:
                # Only a build of both sees two files claiming one id (E200), and
                # building one alone would overwrite the other's folder.
                if len(todo) < len(self._journeys):
                    todo = self._with_same_ids(todo)
                builds = build_paths([self._journeys[k].path for k in todo], self.out,
                                     keep_dot=self.keep_dot, root=self.root, settings=self._settings())
                self._record(todo, builds)
            self._update_index()
        except Exception as exc:  # a bug in a build must not end the watch
            self._publish()
            return Rebuild(changed, [], removed, self.clock() - start, f"{type(exc).__name__}: {exc}")
        self._publish()
        builds = [self._journeys[k].build for k in todo]
        return Rebuild(changed, [b for b in builds if b is not None], removed, self.clock() - start)

    def _with_same_ids(self, keys: list[Path]) -> list[Path]:
        """``keys`` and the other journeys whose last build had the id that
        one of ``keys`` had or now declares, in the order found."""
        ids = {_declared_id(key) for key in keys}
        ids |= {self._journeys[k].build.journey_id for k in keys if self._journeys[k].build is not None}
        ids.discard(None)
        more = {key for key, j in self._journeys.items() if j.build is not None and j.build.journey_id in ids}
        wanted = set(keys) | more
        return [key for key in self._journeys if key in wanted]

    def _record(self, keys: list[Path], builds: list[JourneyBuild]) -> None:
        by_key = {_resolve(b.source): b for b in builds}
        for key in keys:
            build = by_key.get(key)
            if build is None:
                continue
            journey = self._journeys[key]
            journey.build = build
            if build.written:
                journey.revision = next(self._revisions)
            if build.ok and build.report is not None:
                journey.url = build.report.relative_to(self.out).as_posix()
            inputs = frozenset(_resolve(p) for p in build.inputs) | {key}
            # A file that stops before its data is read forgets nothing it read before.
            journey.inputs = inputs if build.ok or len(inputs) > 1 else journey.inputs | inputs

    def _update_index(self) -> None:
        from copisdsl.workflow.build import write_index

        builds = self.builds
        if len(builds) < 2 and not self._index_written:
            return
        changed = write_index(builds, self.out)
        self._index_written = True
        if changed:
            self._index_revision = next(self._revisions)

    def _publish(self) -> None:
        statuses = []
        for journey in self._journeys.values():
            build = journey.build
            if build is None:
                continue
            statuses.append(JourneyStatus(
                shown_path(journey.path), build.journey_id, journey.url, build.ok and build.error is None,
                journey.revision, tuple(build.diagnostics), build.error))
        index = "index.html" if self._index_written else None
        self.state.publish(statuses, index, self._index_revision)


def _declared_id(path: Path) -> str | None:
    """The id of the journey a file declares, from parsing alone."""
    from copisdsl.syntax import nodes as n
    from copisdsl.api import parse, read_source

    try:
        text, problems = read_source(path)
    except OSError:
        return None
    document = None if problems else parse(text, str(path))[0]
    if document is None:
        return None
    return next((stmt.id.name for stmt in document.body if isinstance(stmt, n.Journey)), None)
