"""A job's life as a state machine: every move is checked, then saved, in one place.

The phases (``job_records.Phase``) and the moves between them::

    accepted -> waiting -> running -> notifying -> done | failed | callback failed
                   |  ^       |  ^
                   v  |       v  |          (a restart resumes waiting and running
                   held ------+--+           jobs; a deleted queue cancels waiting ones)

:meth:`Lifecycle.move` refuses any other move (:class:`IllegalMove`) and persists the job
after each one, so whatever step a crash interrupts, the store holds the last move
made: a waiting, held or running job is queued again at the next start, and one that
was notifying notifies again.

A save the disk has no room for (SQLite's "database or disk is full", or the I/O error a
failed write of its log becomes) never loses a job from sight: the first save of a job
is refused with a 599 naming the full disk, so its request fails and nothing runs; any
later save is tried again every few seconds on the thread that moved the job (which
keeps it among the running jobs) until space returns, or the server stops, when the job
resumes at the next start from its last saved move.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import Callable

from ..errors import DiskFull, QiniuError
from ..job_records import Code, Job, Phase
from .store import JobStore

MOVES: dict[Phase, frozenset[Phase]] = {
    Phase.ACCEPTED: frozenset({Phase.WAITING}),
    Phase.WAITING: frozenset({Phase.HELD, Phase.RUNNING, Phase.CANCELLED}),
    Phase.HELD: frozenset({Phase.WAITING, Phase.RUNNING, Phase.CANCELLED}),
    # running -> running: an item is done (a restart skips it), or a restart resumes the job
    Phase.RUNNING: frozenset({Phase.RUNNING, Phase.HELD, Phase.NOTIFYING, Phase.DONE, Phase.FAILED,
                              Phase.CANCELLED}),
    # notifying -> notifying: a shutdown interrupted the delivery (it is made again after a restart)
    Phase.NOTIFYING: frozenset({Phase.NOTIFYING, Phase.DONE, Phase.FAILED, Phase.CALLBACK_FAILED}),
    # a finished job only gains the attempts of a notification sent again
    Phase.DONE: frozenset({Phase.DONE}),
    Phase.FAILED: frozenset({Phase.FAILED}),
    Phase.CALLBACK_FAILED: frozenset({Phase.CALLBACK_FAILED}),
    Phase.CANCELLED: frozenset({Phase.CANCELLED}),
}
FINAL = (Phase.DONE, Phase.FAILED, Phase.CALLBACK_FAILED, Phase.CANCELLED)
# The code prefop reports in each phase; a held job keeps the code it had (1, or 2 once a
# worker took it).
CODES: dict[Phase, Code] = {
    Phase.ACCEPTED: Code.WAITING, Phase.WAITING: Code.WAITING, Phase.RUNNING: Code.RUNNING,
    Phase.NOTIFYING: Code.RUNNING, Phase.DONE: Code.SUCCESS, Phase.FAILED: Code.FAILED,
    Phase.CALLBACK_FAILED: Code.CALLBACK_FAILED, Phase.CANCELLED: Code.CANCELLED,
}


class IllegalMove(RuntimeError):
    """A move the machine does not have, e.g. a finished job set running again."""

    def __init__(self, job: Job, to: Phase) -> None:
        super().__init__(f"job {job.id} cannot move from {job.phase.value} to {to.value}")


RETRY_SAVE = 2.0  # seconds between the tries of a save the disk had no room for
SQLITE_IOERR, SQLITE_FULL = 10, 13  # primary result codes (an extended code's low byte)


def allowed(source: Phase, to: Phase) -> bool:
    return to in MOVES[source]


def out_of_space(exc: Exception) -> bool:
    """A full disk, as the database reports it (the I/O error of a log write that found no room)."""
    if isinstance(exc, DiskFull):
        return True
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (SQLITE_FULL, SQLITE_IOERR)


class Lifecycle:
    """Moves jobs between phases and persists each move: the one place a job row is written."""

    def __init__(self, store: JobStore, changed: Callable[[], None],
                 logger: logging.Logger | None = None, now_ns: Callable[[], int] = time.time_ns,
                 stopping: threading.Event | None = None) -> None:
        self._store = store
        self._now_ns = now_ns  # the emulated clock (``clock.py``): job times follow it
        self._changed = changed
        self._log = logger or logging.getLogger("qiniu_emulator.jobs")
        self._stopping = stopping or threading.Event()

    def move(self, job: Job, to: Phase, note: str = "") -> Job:
        """Move ``job`` to ``to`` (noting ``note`` in its log), save it, and wake its watchers."""
        if not allowed(job.phase, to):
            raise IllegalMove(job, to)
        first, finishing = job.phase is Phase.ACCEPTED, to in FINAL and job.phase not in FINAL
        job.phase = to
        job.code = CODES.get(to, job.code)
        if to is Phase.RUNNING and not job.started_ns:
            job.started_ns = self._now_ns()
        if finishing:
            job.finished_ns = self._now_ns()
        if note:
            job.log.append(note)
            self._log.info("%s: %s", job.id, note)
        self._persist(job, first)
        self._changed()
        if finishing:
            self._log.info("finished %s with code %d", job.id, job.code)
        return job

    def _persist(self, job: Job, first: bool) -> None:
        """Save the move; wait for disk space rather than lose it (see the module's docstring)."""
        waited = 0.0
        while True:
            try:
                if first:
                    self._store.insert(job)
                else:
                    self._store.save(job)
                break
            except (sqlite3.OperationalError, DiskFull) as exc:
                if not out_of_space(exc):
                    raise
                if first and isinstance(exc, DiskFull):  # a 599 for the request that brought the job
                    raise
                if first:
                    raise QiniuError.disk_full("storing the job") from exc
                if self._stopping.is_set():
                    self._log.warning("%s: its %s move is not saved (%s); it resumes from its last saved "
                                      "move at the next start", job.id, job.phase.value, exc)
                    return
                if not waited:
                    self._log.warning("%s: cannot save its %s move (%s); trying again every %g s until "
                                      "there is space", job.id, job.phase.value, exc, RETRY_SAVE)
            self._stopping.wait(RETRY_SAVE)
            waited += RETRY_SAVE
        if waited:
            self._log.info("%s: its %s move is saved after about %g s without disk space",
                           job.id, job.phase.value, waited)
