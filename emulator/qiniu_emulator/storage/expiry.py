"""When the next object lifecycle runs out, known without asking the database each request.

Stat, list and download purge expired objects before they answer. Asking SQLite for
expired rows on every one of them cost a query per request although almost always
nothing is due, so the earliest ``expires_at`` of any object is kept here: a purge queries
only once the clock reaches it. Every write that sets an ``expires_at`` lowers it; a purge
forgets it, and the next check reads it again from the database.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from typing import Callable

_UNKNOWN = -math.inf


class ExpiryFloor:
    """The earliest lifecycle deadline of any object (unix seconds; inf: none)."""

    def __init__(self, earliest: Callable[[], float | None]) -> None:
        self._earliest = earliest  # reads MIN(expires_at) of the objects that have one
        self._floor = _UNKNOWN
        self._version = 0  # moves on every change, so a read racing a write never wins
        self._lock = threading.Lock()

    def due(self, now: float) -> bool:
        """Whether some object may have expired by ``now``."""
        with self._lock:
            floor, version = self._floor, self._version
        if floor == _UNKNOWN:
            found = self._earliest()
            floor = math.inf if found is None else found
            with self._lock:
                if self._version == version:
                    self._floor = floor
        return floor <= now

    def lowered(self, expires_at: int) -> None:
        """An object now expires at ``expires_at`` (0: never)."""
        if expires_at <= 0:
            return
        with self._lock:
            self._version += 1
            if self._floor != _UNKNOWN:
                self._floor = min(self._floor, expires_at)

    def forget(self) -> None:
        """Objects went or lifecycles moved: read the floor again at the next check."""
        with self._lock:
            self._version += 1
            self._floor = _UNKNOWN


def earliest_expiry(conn: sqlite3.Connection) -> float | None:
    row = conn.execute("SELECT MIN(expires_at) FROM objects WHERE expires_at > 0").fetchone()
    return None if row is None or row[0] is None else float(row[0])
