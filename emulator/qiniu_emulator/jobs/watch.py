"""Long-polling a job: ``/_emulator/jobs/<id>?wait=S`` answers as soon as the job changes.

A client waiting for a job otherwise polls prefop, and the poll interval is pure
latency added to every job. A watcher holds the request until the job finishes (or,
when the client says which progress it last saw, until the progress moves) or the wait
runs out. Each waiting request holds an HTTP thread, so only ``slots`` requests wait
at once; the others are answered at once, as a plain read would be.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from ..job_records import Job

# Longest a single request may wait: clients ask again, well within proxy timeouts.
MAX_WAIT_SECONDS = 30.0


class JobWatcher:
    """Wakes waiting requests whenever a job's state changes."""

    def __init__(self, slots: int) -> None:
        self._changed = threading.Condition()
        self._slots = threading.BoundedSemaphore(max(1, slots))
        self._generation = 0  # counts changes, so none is missed between a read and a wait
        self._waiting = 0
        self._closed = False

    def waiting(self) -> int:
        """Requests waiting right now."""
        with self._changed:
            return self._waiting

    def changed(self) -> None:
        """A job started, moved its progress or finished."""
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def close(self) -> None:
        """Answer every waiting request now (the server is draining)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait(self, read: Callable[[], Job], seconds: float, seen_progress: float | None = None) -> Job:
        """``read()`` once the job is finished, its progress differs from ``seen_progress``
        (when given), or ``seconds`` have passed; at once when no slot is free."""
        seconds = min(max(seconds, 0.0), MAX_WAIT_SECONDS)
        if seconds == 0 or not self._slots.acquire(blocking=False):
            return read()
        with self._changed:
            self._waiting += 1
        try:
            deadline = time.monotonic() + seconds
            while True:
                with self._changed:
                    generation = self._generation
                job = read()  # outside the lock: job workers never wait for a reader
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0 or _news(job, seen_progress):
                    return job
                with self._changed:
                    while self._generation == generation and not self._closed and remaining > 0:
                        self._changed.wait(remaining)
                        remaining = deadline - time.monotonic()
        finally:
            with self._changed:
                self._waiting -= 1
            self._slots.release()


def _news(job: Job, seen_progress: float | None) -> bool:
    if job.finished:
        return True
    return seen_progress is not None and job.progress is not None and job.progress != seen_progress
