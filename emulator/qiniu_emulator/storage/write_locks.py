"""The locks object writes take, so concurrent writes wait only for the writes they touch.

A write holds its key's lock from reading the existing row to committing the new one,
and the shared side of :class:`WriteGate` meanwhile; what rewrites many objects at once
(a purge, a reset, an export) takes the gate's exclusive side and so sees no write half
done. Writes of different keys run side by side: their fsyncs overlap and their journal
entries share commits (``group_commit.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class KeyLocks:
    """One lock per (bucket, key) while anyone holds or waits for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[tuple[str, bytes], list] = {}  # [lock, holders and waiters]

    @contextmanager
    def hold(self, *keys: tuple[str, bytes]) -> Iterator[None]:
        """Hold the locks of ``keys`` (taken in one order, so two callers never deadlock)."""
        ordered = sorted(set(keys))
        entries = []
        with self._lock:
            for key in ordered:
                entry = self._held.setdefault(key, [threading.Lock(), 0])
                entry[1] += 1
                entries.append((key, entry))
        taken = []
        try:
            for _, entry in entries:
                entry[0].acquire()
                taken.append(entry)
            yield
        finally:
            for entry in taken:
                entry[0].release()
            with self._lock:
                for key, entry in entries:
                    entry[1] -= 1
                    if entry[1] == 0:
                        del self._held[key]

    def busy(self, key: tuple[str, bytes]) -> bool:
        """Whether a write of ``key`` is under way or waiting."""
        with self._lock:
            return key in self._held


class WriteGate:
    """Many writers at once, or one caller that must see no write half done.

    The exclusive side waits for the writers under way and holds new ones back, so a
    thread holding the shared side must not ask for the exclusive one (a write never
    purges or resets); the exclusive holder may write itself.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._writers = 0
        self._exclusive = False
        self._owner: int | None = None
        self._depth = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._owner != me:  # the exclusive holder may write too (a reset's own writes)
                while self._exclusive:
                    self._cond.wait()
            self._writers += 1
        try:
            yield
        finally:
            with self._cond:
                self._writers -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
            else:
                while self._exclusive:
                    self._cond.wait()
                self._exclusive, self._owner, self._depth = True, me, 1
                while self._writers:
                    self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if self._depth == 0:
                    self._exclusive, self._owner = False, None
                    self._cond.notify_all()
