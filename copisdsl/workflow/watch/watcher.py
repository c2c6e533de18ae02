"""A watchdog observer feeding file events to a ``Session`` through a
``Debouncer``; editor swap and backup files are noise."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import Callable

from copisdsl.workflow.watch.debounce import DEBOUNCE, MAX_WAIT, Debouncer
from copisdsl.workflow.watch.session import Rebuild, Session

_STOP = object()
# Seconds before the first build that a file's mtime still counts as "since":
# file systems stamp with a coarse clock that may lag time.time() a little.
_MTIME_SLACK = 1.0


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

    def start(self) -> Rebuild:
        """Start the watchdog observer and make the first build, with
        nothing saved meanwhile missed: the observer starts first (on the
        folders known before any build), and after the build every file it
        read that changed since it began is fed as an event, for the folders
        the build showed were not yet watched (a data file elsewhere). A
        save the build already read costs one more build, never a lost one.
        Returns the first build."""
        from watchdog.observers import Observer

        since = time.time() - _MTIME_SLACK
        self._observer = Observer()
        self._observer.daemon = True
        self.sync()
        self._observer.start()
        first = self.session.build_all()
        self.sync()
        for path in sorted(self.session.files()):
            try:
                changed = path.stat().st_mtime >= since
            except OSError:
                changed = True  # gone meanwhile: a build says so
            if changed:
                self.feed(path)
        return first

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
