"""Emulated time: the real clock plus an offset that ``POST /_emulator/clock`` moves.

Everything time-based reads it: upload and download token deadlines, ``X-Qiniu-Date``
freshness, object lifecycle (``deleteAfterDays``), resumable upload expiry and job
timestamps. Durations (timeouts, retries, waits) keep using the monotonic clock: moving
emulated time never makes a request wait longer or shorter.
"""

from __future__ import annotations

import threading
import time


class Clock:
    """Real time until moved; then real time plus the offset it was moved by."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Emulated seconds since the epoch."""
        return time.time() + self._offset

    def now_ns(self) -> int:
        return time.time_ns() + int(self._offset * 1_000_000_000)

    @property
    def offset(self) -> float:
        """Seconds the emulated clock is ahead of the real one (negative: behind)."""
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move forward (or back, for a negative ``seconds``); returns the new time."""
        with self._lock:
            self._offset += seconds
        return self.now()

    def set(self, epoch: float) -> float:
        """Make the emulated time ``epoch`` seconds now; returns it."""
        with self._lock:
            self._offset = epoch - time.time()
        return self.now()

    def reset(self) -> float:
        """Back to real time."""
        with self._lock:
            self._offset = 0.0
        return self.now()
