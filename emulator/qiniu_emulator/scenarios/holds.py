"""Jobs a scenario rule holds at code 1 or 2, and their release.

A held job occupies no worker: a job held at 1 is not queued until it is released, and
one held at 2 is parked by its worker after it is marked running (``park``), then queued
again on release. Release comes from a request (by job or by rule), from the rule's
removal, or from the hold's duration running out; each calls the job's ``resume``
callback once, outside the lock, with the reason.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .rules import Hold

Resume = Callable[[str], None]  # called with why the job was released


@dataclass
class Held:
    job_id: str
    bucket: str
    rule_id: str
    hold: Hold
    resume: Resume | None = None  # None until a code-2 job is parked
    since: float = field(default_factory=time.monotonic)
    released: str = ""  # why, when released before a code-2 job was parked
    timer: threading.Timer | None = None

    @property
    def code(self) -> int:
        return self.hold.code

    def progress(self) -> float | None:
        """What a job held at code 2 reports: the rule's value, else the share of its duration."""
        if self.code != 2:
            return None
        if self.hold.progress is not None:
            return self.hold.progress
        if self.hold.seconds and self.resume is not None:
            return round(min((time.monotonic() - self.since) / self.hold.seconds, 1.0), 3)
        return 0.0


class Holds:
    def __init__(self) -> None:
        self._held: dict[str, Held] = {}
        self._lock = threading.Lock()

    def hold(self, job_id: str, bucket: str, rule_id: str, hold: Hold, resume: Resume | None) -> None:
        """Hold a job just accepted; ``resume`` queues it (code 1), None until parked (code 2)."""
        held = Held(job_id, bucket, rule_id, hold, resume)
        with self._lock:
            self._held[job_id] = held
            if resume is not None:
                self._start_timer(held)

    def park(self, job_id: str, resume: Resume) -> bool:
        """A job held at code 2 reached its worker: True if it must wait for ``resume``."""
        with self._lock:
            held = self._held.get(job_id)
            if held is None or held.code != 2 or held.resume is not None:
                return False
            if held.released:
                del self._held[job_id]
                return False
            held.resume, held.since = resume, time.monotonic()
            self._start_timer(held)
            return True

    def release(self, job_id: str, reason: str) -> bool:
        """Release one job; False when it is not held."""
        with self._lock:
            held = self._held.get(job_id)
            if held is None or held.released:
                return False
            resume = self._take(held, reason)
        if resume is not None:
            resume(reason)
        return True

    def release_where(self, wanted: Callable[[Held], bool], reason: str) -> list[str]:
        """Release every held job ``wanted`` selects; returns their ids."""
        with self._lock:
            for stale in [h for h in self._held.values() if h.released and wanted(h)]:
                del self._held[stale.job_id]  # released before parking; the job is gone
            chosen = [h for h in self._held.values() if wanted(h)]
            resumes = [self._take(h, reason) for h in chosen]
        for resume in resumes:
            if resume is not None:
                resume(reason)
        return [h.job_id for h in chosen]

    def get(self, job_id: str) -> Held | None:
        with self._lock:
            held = self._held.get(job_id)
            return None if held is None or held.released else held

    def held_by(self, rule_id: str) -> list[str]:
        with self._lock:
            return [h.job_id for h in self._held.values() if h.rule_id == rule_id and not h.released]

    def close(self) -> None:
        """Stop the duration timers (shutdown): held jobs stay unfinished and run after a restart."""
        with self._lock:
            for held in self._held.values():
                if held.timer is not None:
                    held.timer.cancel()
            self._held.clear()

    def _take(self, held: Held, reason: str) -> Resume | None:
        """Under the lock: end ``held``; its resume callback, if the job waits for one."""
        if held.timer is not None:
            held.timer.cancel()
        if held.resume is None:  # code 2, not parked yet: the worker runs it when it gets there
            held.released = reason
            return None
        del self._held[held.job_id]
        return held.resume

    def _start_timer(self, held: Held) -> None:
        if held.hold.seconds is None:
            return
        reason = f"after {held.hold.seconds:g} s"
        held.timer = threading.Timer(held.hold.seconds, self.release, args=(held.job_id, reason))
        held.timer.daemon = True
        held.timer.name = f"hold-{held.job_id}"
        held.timer.start()
