"""The emulator's clock: the one time every day-counted rule is decided against.

Object lifecycles (``deleteAfterDays``, moves to another storage class after N days) come
due by :class:`Clock`, so a test or a user can move the emulator's day forward instead of
waiting for it. Each emulator has one, built by ``Emulator.build`` and handed to the
services that count days; everything else (request timing, signature deadlines) keeps
the machine's time.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

DAY = 86_400


class Clock:
    """The machine's time, moved forward by whatever :meth:`advance` added."""

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Unix seconds, as the emulator sees them."""
        with self._lock:
            return self._source() + self._offset

    @property
    def offset(self) -> float:
        """How far ahead of the machine's time the clock runs, in seconds."""
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (never back); returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._source() + self._offset
