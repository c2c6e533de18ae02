"""Watching journeys and rebuilding what changed: the core of ``copis watch``.

    Session(paths, out)   the journeys under watch and what each build read;
                          build_all() and rebuild(changed) -> Rebuild
    Debouncer(delay)      merges an editor's burst of file events into one batch
    Watcher(session)      a watchdog observer feeding a queue; run() debounces
                          the events and rebuilds until stop()
    LiveState             the latest build status (a Snapshot with a version),
                          which the preview server pushes to open pages

A journey is rebuilt when its ``.copis`` file or any file its last build
read (``JourneyBuild.inputs``: data files, missing ones included) changes.
Nothing here prints: each rebuild comes back as a value for the command to
show.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from copisdsl.workflow.build import JourneyBuild
from copisdsl.workflow.search import is_searched, journey_files
from copisdsl.diagnostics import Diagnostic, count, to_json_dict
from copisdsl.source import shown_path

DEBOUNCE = 0.1  # seconds of quiet that end a burst of events
MAX_WAIT = 1.0  # a steady stream of events still rebuilds this often

_NOISE_SUFFIXES = (".swp", ".swo", ".swx", ".swn", ".swpx", "~", ".tmp", ".temp", ".bak", ".orig",
                   ".rej", ".crswap", ".kate-swp", ".part")
_NOISE_PREFIXES = (".#", ".~lock.", ".goutputstream-", ".syncthing.")


def is_editor_noise(path: str | Path) -> bool:
    """Whether a file is an editor's swap, backup, lock or probe file: vim's
    ``.x.swp`` and ``x~`` and the ``4913`` it writes to test a folder,
    emacs's ``.#x`` and ``#x#``, temporary files of atomic saves."""
    name = Path(path).name
    return (name.endswith(_NOISE_SUFFIXES) or name.startswith(_NOISE_PREFIXES) or name.isdigit()
            or (len(name) > 1 and name.startswith("#") and name.endswith("#")))


# ------------------------------------------------------------------ state


@dataclass(frozen=True)
class JourneyStatus:
    """What an open page needs to know about one journey."""

    source: str                # the file, as the user named it
    journey_id: str | None
    url: str | None            # the last good report, relative to OUT
    ok: bool
    revision: int              # changes (grows) whenever the journey's output files change
    diagnostics: tuple[Diagnostic, ...] = ()
    error: str | None = None   # a problem outside the file (Graphviz)

    def to_json(self) -> dict:
        errors, warnings = count(self.diagnostics)
        return {"source": self.source, "id": self.journey_id, "url": self.url, "ok": self.ok,
                "revision": self.revision, "errors": errors, "warnings": warnings,
                "diagnostics": [to_json_dict(d) for d in self.diagnostics], "error": self.error}


@dataclass(frozen=True)
class Snapshot:
    """The build status at one moment; ``version`` grows with every rebuild."""

    version: int
    journeys: tuple[JourneyStatus, ...] = ()
    index: str | None = None   # "index.html" when OUT holds the list of journeys
    index_revision: int = 0

    def to_json(self) -> dict:
        return {"version": self.version, "journeys": [j.to_json() for j in self.journeys],
                "index": self.index, "index_revision": self.index_revision}


class LiveState:
    """The latest ``Snapshot``, shared between the rebuilding thread and the
    preview server's connections. ``wait`` blocks until a newer one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._snapshot = Snapshot(0)

    @property
    def current(self) -> Snapshot:
        with self._cond:
            return self._snapshot

    def publish(self, journeys: Iterable[JourneyStatus], index: str | None = None,
                index_revision: int = 0) -> Snapshot:
        """Replace the status and wake everyone waiting."""
        with self._cond:
            self._snapshot = Snapshot(self._snapshot.version + 1, tuple(journeys), index, index_revision)
            self._cond.notify_all()
            return self._snapshot

    def wait(self, after: int, timeout: float | None = None) -> Snapshot:
        """The current snapshot as soon as its version differs from
        ``after``, or when ``timeout`` passes or ``wake`` is called."""
        with self._cond:
            if self._snapshot.version == after:
                self._cond.wait(timeout)
            return self._snapshot

    def wake(self) -> None:
        """Release every ``wait`` (a server shutting down)."""
        with self._cond:
            self._cond.notify_all()


# ------------------------------------------------------------------ session


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


# ------------------------------------------------------------------ debounce


class Debouncer:
    """Collects changed paths until ``delay`` seconds pass without a new one
    (or ``max_wait`` since the first), so that an editor's save — a
    temporary file, a rename, several writes — makes one rebuild. Time is
    passed in, which keeps it testable without sleeping."""

    def __init__(self, delay: float = DEBOUNCE, max_wait: float = MAX_WAIT) -> None:
        self.delay = delay
        self.max_wait = max_wait
        self._pending: dict[Path, None] = {}
        self._first = self._last = 0.0

    def add(self, path: Path, now: float) -> None:
        if not self._pending:
            self._first = now
        self._pending[path] = None
        self._last = now

    def due_in(self, now: float) -> float | None:
        """Seconds until the batch is due (0 when it is), None when empty."""
        if not self._pending:
            return None
        return max(0.0, min(self._last + self.delay, self._first + self.max_wait) - now)

    def take(self, now: float) -> list[Path]:
        """The batch when it is due (and forget it), else nothing."""
        if self.due_in(now) != 0.0:
            return []
        batch = list(self._pending)
        self._pending.clear()
        return batch


# ------------------------------------------------------------------ watcher

_STOP = object()


class Watcher:
    """Feeds file events into a ``Session``: a watchdog observer puts them
    on ``events`` (anything may, see ``feed``), ``step``/``run`` debounce
    them and rebuild, then watch the folders the new builds need.
    ``on_rebuild`` gets every ``Rebuild``."""

    def __init__(self, session: Session, *, debounce: float = DEBOUNCE, max_wait: float = MAX_WAIT,
                 on_rebuild: Callable[[Rebuild], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, events: queue.Queue | None = None) -> None:
        self.session = session
        self.debouncer = Debouncer(debounce, max_wait)
        self.on_rebuild = on_rebuild
        self.clock = clock
        self.events: queue.Queue = events if events is not None else queue.Queue()
        self._stopped = threading.Event()
        self._observer = None
        self._watches: dict[Path, tuple[bool, object]] = {}

    def start(self) -> None:
        """Start the watchdog observer on the session's folders."""
        from watchdog.observers import Observer

        self._observer = Observer()
        self._observer.daemon = True
        self.sync()
        self._observer.start()

    def sync(self) -> None:
        """Watch the folders the session needs now, and no others."""
        if self._observer is None:
            return
        wanted = self.session.watch_dirs()
        for folder, (recursive, watch) in list(self._watches.items()):
            if wanted.get(folder) != recursive:
                self._observer.unschedule(watch)
                del self._watches[folder]
        for folder, recursive in wanted.items():
            if folder not in self._watches and folder.is_dir():
                watch = self._observer.schedule(_Handler(self.feed), str(folder), recursive=recursive,
                                                event_filter=_event_types())
                self._watches[folder] = (recursive, watch)

    @property
    def watched(self) -> dict[Path, bool]:
        """The folders watched now, each with whether recursively."""
        return {folder: recursive for folder, (recursive, _) in self._watches.items()}

    def feed(self, path: str | Path, is_dir: bool = False) -> None:
        """Report a changed path (any thread)."""
        self.events.put((Path(path), is_dir))

    def step(self, timeout: float | None = None) -> Rebuild | None:
        """Take the events that arrive within ``timeout`` (or until a
        pending batch is due) and rebuild when the batch is due."""
        wait = self.debouncer.due_in(self.clock())
        if wait is None or (timeout is not None and timeout < wait):
            wait = timeout
        try:
            item = self.events.get(timeout=wait)
            while True:
                if item is _STOP:
                    return None
                path, is_dir = item
                if self.session.relevant(path, is_dir):
                    self.debouncer.add(path, self.clock())
                item = self.events.get_nowait()
        except queue.Empty:
            pass
        batch = self.debouncer.take(self.clock())
        if not batch:
            return None
        result = self.session.rebuild(batch)
        self.sync()
        if result is not None and self.on_rebuild is not None:
            self.on_rebuild(result)
        return result

    def run(self) -> None:
        """Rebuild on events until ``stop``."""
        while not self._stopped.is_set():
            self.step(timeout=1.0)

    def stop(self) -> None:
        """End ``run`` and the observer (any thread)."""
        self._stopped.set()
        self.events.put(_STOP)
        if self._observer is not None:
            self._observer.stop()
            if self._observer.is_alive() and threading.current_thread() is not self._observer:
                self._observer.join(timeout=2)


def _event_types() -> list[type]:
    # Not "opened" or "closed without writing": building reads the files, and
    # those events would start the next build.
    from watchdog import events as ev

    return [ev.FileCreatedEvent, ev.FileDeletedEvent, ev.FileModifiedEvent, ev.FileMovedEvent,
            ev.FileClosedEvent, ev.FileAttribEvent, ev.DirCreatedEvent, ev.DirMovedEvent]


class _Handler:
    """The watchdog handler: forwards paths to ``feed``."""

    def __init__(self, feed: Callable[[str | Path, bool], None]) -> None:
        self._feed = feed

    def dispatch(self, event) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write"):
            return
        if event.is_directory:
            # A folder appearing may hold a data file that was missing;
            # a folder's own "modified" says nothing the file events do not.
            if kind in ("created", "moved"):
                self._feed(_text(event.dest_path or event.src_path), True)
            return
        self._feed(_text(event.src_path), False)
        if event.dest_path:
            self._feed(_text(event.dest_path), False)


def _text(path: str | bytes) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path
