"""Writes of many threads committed together: one SQLite transaction, one fsync, for all
that queued while the previous commit was on its way to the disk.

A synced commit waits for the disk (``synchronous=FULL``), and SQLite lets one writer in
at a time, the others sleeping in its busy handler: objects written by concurrent
clients would wait for each other's fsyncs one by one. Here the first thread to find no
commit under way leads: it takes every queued piece of work, runs each in a savepoint of
one transaction (a piece that fails is rolled back alone and its caller gets the error),
commits once, and wakes the others. The commit is synced when any piece asks for it, and
no caller returns before the commit holding its work is done, so what a caller
acknowledges after :meth:`GroupCommit.run` is exactly as durable as with a commit of its own.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Callable

from ..database import Database

Work = Callable[[sqlite3.Connection], None]


class _Ticket:
    __slots__ = ("work", "synced", "done", "error")

    def __init__(self, work: Work, synced: bool) -> None:
        self.work = work
        self.synced = synced
        self.done = False
        self.error: BaseException | None = None


class GroupCommit:
    """Runs pieces of work in shared transactions of one :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cond = threading.Condition()
        self._queue: list[_Ticket] = []
        self._leading = False

    def run(self, work: Work, synced: bool = True) -> None:
        """Run ``work`` in a transaction and return once that transaction is committed
        (on disk when ``synced``); re-raises what ``work`` raised, with nothing of it kept."""
        ticket = _Ticket(work, synced)
        with self._cond:
            self._queue.append(ticket)
            while self._leading and not ticket.done:
                self._cond.wait()
            if not ticket.done:
                self._leading = True
                batch, self._queue = self._queue, []
        if not ticket.done:
            self._lead(batch)
        if ticket.error is not None:
            raise ticket.error

    def _lead(self, batch: list[_Ticket]) -> None:
        try:
            with self._db.transaction(synced=any(t.synced for t in batch)) as conn:
                if len(batch) == 1:  # alone: its failure rolls back all there is
                    batch[0].work(conn)
                for number, ticket in enumerate(batch if len(batch) > 1 else ()):
                    _run_in_savepoint(conn, f"w{number}", ticket)
        except BaseException as exc:  # the commit itself failed: nothing of the batch is kept
            for ticket in batch:
                ticket.error = ticket.error or exc
        finally:
            with self._cond:
                for ticket in batch:
                    ticket.done = True
                self._leading = False
                self._cond.notify_all()


def _run_in_savepoint(conn: sqlite3.Connection, name: str, ticket: _Ticket) -> None:
    conn.execute(f"SAVEPOINT {name}")
    try:
        ticket.work(conn)
    except Exception as exc:  # noqa: BLE001 - handed to the caller whose work it was
        conn.execute(f"ROLLBACK TO {name}")
        ticket.error = exc
    conn.execute(f"RELEASE {name}")
