"""Merging an editor's burst of file events into one batch."""

from __future__ import annotations

from pathlib import Path

DEBOUNCE = 0.1  # seconds of quiet that end a burst of events
MAX_WAIT = 1.0  # a steady stream of events still rebuilds this often


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
