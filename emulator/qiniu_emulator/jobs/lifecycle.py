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
"""

from __future__ import annotations

import logging
import time
from typing import Callable

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


def allowed(source: Phase, to: Phase) -> bool:
    return to in MOVES[source]


class Lifecycle:
    """Moves jobs between phases and persists each move: the only writer of job rows."""

    def __init__(self, store: JobStore, changed: Callable[[], None],
                 logger: logging.Logger | None = None) -> None:
        self._store = store
        self._changed = changed
        self._log = logger or logging.getLogger("qiniu_emulator.jobs")

    def move(self, job: Job, to: Phase, note: str = "") -> Job:
        """Move ``job`` to ``to`` (noting ``note`` in its log), save it, and wake its watchers."""
        if not allowed(job.phase, to):
            raise IllegalMove(job, to)
        first, finishing = job.phase is Phase.ACCEPTED, to in FINAL and job.phase not in FINAL
        job.phase = to
        job.code = CODES.get(to, job.code)
        if to is Phase.RUNNING and not job.started_ns:
            job.started_ns = time.time_ns()
        if finishing:
            job.finished_ns = time.time_ns()
        if note:
            job.log.append(note)
            self._log.info("%s: %s", job.id, note)
        if first:
            self._store.insert(job)
        else:
            self._store.save(job)
        self._changed()
        if finishing:
            self._log.info("finished %s with code %d", job.id, job.code)
        return job
