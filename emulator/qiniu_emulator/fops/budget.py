"""One memory budget for every image op the process runs (``--op-memory-mb``).

Sync downloads and job workers draw on the same budget: an op reserves what it will hold
(its estimate, made from the header before any pixel is decoded) and gives it back when it
ends. An op that needs more than the whole budget is refused at once; one that needs more
than is free now waits for the others, checking its own deadline and cancellation, so the
pixels held at any moment stay within the budget however many ops run.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Callable

POLL = 0.1  # seconds between the checks of a waiting op's deadline and cancellation


class OverBudget(Exception):
    """An op needs more than the whole budget: it could never run."""

    def __init__(self, needed: int, total: int) -> None:
        super().__init__(f"needs {needed} bytes, the budget is {total}")
        self.needed, self.total = needed, total


class MemoryBudget:
    """Bytes that image ops may hold together; thread-safe."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._held = 0
        self.largest = 0  # the largest reservation admitted so far
        self._cond = threading.Condition()

    @property
    def held(self) -> int:
        with self._cond:
            return self._held

    def reserve(self, needed: int, check: Callable[[], None]) -> "Reservation":
        """Wait until ``needed`` bytes are free and hold them; use as a context manager.

        Raises :class:`OverBudget` when ``needed`` is more than the whole budget; ``check``
        raises when the op must stop waiting (its deadline passed, or its run was cancelled).
        """
        if needed > self.total:
            raise OverBudget(needed, self.total)
        with self._cond:
            while self._held + needed > self.total:
                check()
                self._cond.wait(POLL)
            self._held += needed
            self.largest = max(self.largest, needed)
        return Reservation(self, needed)

    def _release(self, amount: int) -> None:
        with self._cond:
            self._held -= amount
            self._cond.notify_all()


class Reservation:
    """Bytes held from a :class:`MemoryBudget` until :meth:`release` (or the ``with`` ends)."""

    def __init__(self, budget: MemoryBudget, amount: int) -> None:
        self._budget = budget
        self.amount = amount

    def release(self) -> None:
        amount, self.amount = self.amount, 0
        if amount:
            self._budget._release(amount)

    def __enter__(self) -> "Reservation":
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
