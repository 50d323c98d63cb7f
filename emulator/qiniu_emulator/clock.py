"""The emulator's clock: the one time every time-based rule is decided against.

Real time plus an offset that ``POST /_emulator/clock`` (or :meth:`Clock.advance` from a
test) moves. It decides upload and download token deadlines, ``X-Qiniu-Date`` freshness,
object lifecycles (``deleteAfterDays``, moves to another storage class after N days),
resumable upload expiry and job timestamps, so a test or a user can move the emulator's
day forward instead of waiting for it. Each emulator has one, built by ``Emulator.build``
and handed to the services that keep time. Durations (timeouts, retries, waits) keep the
monotonic clock: moving the emulated time never makes a request wait longer or shorter.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

DAY = 86_400


class Clock:
    """The machine's time (``source``), moved by :meth:`advance` or :meth:`set`."""

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Unix seconds, as the emulator sees them."""
        with self._lock:
            return self._source() + self._offset

    def now_ns(self) -> int:
        """The same in nanoseconds (job timestamps)."""
        return int(self.now() * 1_000_000_000)

    @property
    def offset(self) -> float:
        """How far ahead of the machine's time the clock runs, in seconds (negative: behind)."""
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (never back: :meth:`set` does); returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._source() + self._offset

    def set(self, epoch: float) -> float:
        """Make the time ``epoch`` (unix seconds) now, earlier or later; returns it."""
        with self._lock:
            self._offset = epoch - self._source()
            return self._source() + self._offset

    def reset(self) -> float:
        """Back to the machine's time."""
        with self._lock:
            self._offset = 0.0
            return self._source()
