"""Watching journeys and rebuilding what changed: the core of ``copis watch``.

    Session(paths, out)   the journeys under watch and what each build read;
                          build_all() and rebuild(changed) -> Rebuild
    Debouncer(delay)      merges an editor's burst of file events into one batch
    Watcher(session)      a watchdog observer feeding a queue; start() starts it and
                          makes the first build, run() debounces the events and
                          rebuilds until stop()
    LiveState             the latest build status (a Snapshot with a version),
                          which the preview server pushes to open pages

A journey is rebuilt when its ``.copis`` file or any file its last build
read (``JourneyBuild.inputs``: data files, missing ones included) changes.
Nothing here prints: each rebuild comes back as a value for the command to
show.
"""

from __future__ import annotations

from copisdsl.workflow.watch.debounce import DEBOUNCE, MAX_WAIT, Debouncer
from copisdsl.workflow.watch.session import Rebuild, Session
from copisdsl.workflow.watch.state import JourneyStatus, LiveState, Snapshot
from copisdsl.workflow.watch.noise import is_editor_noise
from copisdsl.workflow.watch.watcher import Watcher

__all__ = ["DEBOUNCE", "MAX_WAIT", "Debouncer", "JourneyStatus", "LiveState", "Rebuild", "Session",
           "Snapshot", "Watcher", "is_editor_noise"]
