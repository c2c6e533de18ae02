"""The build status an open preview page sees: one ``JourneyStatus`` per
journey, a ``Snapshot`` of them all, and ``LiveState``, which holds the
latest and wakes whoever waits for a newer one."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable

from copisdsl.diagnostics import Diagnostic, count, to_json_dict


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
