"""FIFO queues per pipeline, drained by a pool of worker threads.

A job is started when a worker is free and its pipeline is below its concurrency;
among the eligible queues the oldest job (lowest sequence number) goes first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

@dataclass(order=True)
class Ticket:
    seq: int
    job_id: str = field(compare=False)
    pipeline: str = field(compare=False)


class Scheduler:
    """Runs ``handler(job_id)`` for queued tickets on ``workers`` threads."""

    def __init__(self, handler: Callable[[str], None], workers: int,
                 concurrency: dict[str, int] | None = None,
                 logger: logging.Logger | None = None) -> None:
        self._handler = handler
        self._workers = workers
        self._concurrency = dict(concurrency or {})
        self._queues: dict[str, deque[Ticket]] = {}
        self._running: dict[str, int] = {}
        self._cond = threading.Condition()
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._log = logger or logging.getLogger("qiniu_emulator.jobs")

    def declared(self) -> set[str]:
        """The pipelines given a concurrency at start (``--pipeline``)."""
        return set(self._concurrency)

    def limit(self, pipeline: str) -> int:
        """Declared pipelines have their own concurrency; others may use every worker."""
        return self._concurrency.get(pipeline, self._workers)

    def start(self) -> None:
        for n in range(self._workers):
            thread = threading.Thread(target=self._loop, name=f"job-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def enqueue(self, ticket: Ticket) -> None:
        with self._cond:
            self._queues.setdefault(ticket.pipeline, deque()).append(ticket)
            self._cond.notify()

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop taking jobs; wait up to ``timeout`` (for all workers together). True if all ended."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        return not any(thread.is_alive() for thread in self._threads)

    def drop_pipeline(self, pipeline: str) -> list[Ticket]:
        """Forget a pipeline: its waiting tickets are taken out and returned; running ones finish."""
        with self._cond:
            tickets = list(self._queues.pop(pipeline, ()))
            self._concurrency.pop(pipeline, None)
        return tickets

    def busy(self) -> int:
        with self._cond:
            return sum(self._running.values())

    def queued(self) -> int:
        with self._cond:
            return sum(len(q) for q in self._queues.values())

    def _next(self) -> Ticket | None:
        eligible = [q[0] for name, q in self._queues.items()
                    if q and self._running.get(name, 0) < self.limit(name)]
        if not eligible:
            return None
        ticket = min(eligible)
        self._queues[ticket.pipeline].popleft()
        self._running[ticket.pipeline] = self._running.get(ticket.pipeline, 0) + 1
        return ticket

    def _loop(self) -> None:
        while True:
            with self._cond:
                ticket: Ticket | None = None
                while not self._stopping and (ticket := self._next()) is None:
                    self._cond.wait()
                if self._stopping or ticket is None:
                    if ticket is not None:  # put it back: it runs after a restart
                        self._release(ticket, requeue=True)
                    return
            try:
                self._handler(ticket.job_id)
            except Exception:  # noqa: BLE001 - a worker must survive any job
                self._log.exception("job %s crashed its worker", ticket.job_id)
            finally:
                with self._cond:
                    self._release(ticket)

    def _release(self, ticket: Ticket, requeue: bool = False) -> None:
        self._running[ticket.pipeline] -= 1
        if requeue:
            self._queues[ticket.pipeline].appendleft(ticket)
        self._cond.notify_all()
