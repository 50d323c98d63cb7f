"""The job read model: what prefop, the console and the admin API read, never writing.

A job is read from the store, except while a worker runs it: then the worker's copy
(with its live progress) is the one shown. A job a scenario rule holds reports the hold's
progress.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..errors import QiniuError
from ..fops.parse import parse_pipeline
from ..fops.registry import Registry
from ..job_records import Job
from .hooks import JobHooks
from .scheduler import Scheduler
from .store import JobStore
from .watch import JobWatcher


@dataclass(frozen=True)
class JobCounts:
    running: int
    queued: int


class JobQueries:
    """Reads over the store and the running jobs (``JobService`` keeps both up to date)."""

    store: JobStore
    registry: Registry
    hooks: JobHooks
    scheduler: Scheduler
    watcher: JobWatcher
    _live: dict[str, Job]
    _live_lock: threading.Lock

    def get(self, job_id: str) -> Job:
        with self._live_lock:
            live = self._live.get(job_id)
        job = live or self.store.get(job_id)
        if job is None:
            raise QiniuError.no_such_job()
        held = self.hooks.held(job_id) if live is None else None
        if held is not None:
            job.progress = held.progress()
        return job

    def watch(self, job_id: str, seconds: float, seen_progress: float | None = None) -> Job:
        """The job once it finished or its progress moved from ``seen_progress``, waiting at
        most ``seconds``; 612 at once for an unknown id."""
        self.get(job_id)
        return self.watcher.wait(lambda: self.get(job_id), seconds, seen_progress)

    def recent(self, limit: int = 100, bucket: str | None = None, before: int | None = None,
               code: int | None = None) -> list[Job]:
        """The newest jobs first (older than seq ``before``, with status ``code`` if given),
        running ones with their live progress."""
        return [self._live_or(job) for job in self.store.recent(limit, bucket, before, code)]

    def touching(self, bucket: str, key: str, limit: int = 50) -> list[Job]:
        """The newest jobs that read ``bucket``/``key`` or wrote a result there."""
        found = [job for job in self.store.mentioning(bucket, key, limit)
                 if (job.bucket, job.key) == (bucket, key) or self._wrote(job, bucket, key)]
        return [self._live_or(job) for job in found]

    def counts(self) -> JobCounts:
        return JobCounts(running=self.scheduler.busy(), queued=self.scheduler.queued())

    def _wrote(self, job: Job, bucket: str, key: str) -> bool:
        for item in job.items:
            if key == item.key or key in (item.keys or []):
                try:
                    saveas = parse_pipeline(item.cmd, self.registry).saveas
                except QiniuError:
                    continue
                if (saveas.bucket if saveas else job.bucket) == bucket:
                    return True
        return False

    def _live_or(self, job: Job) -> Job:
        with self._live_lock:
            return self._live.get(job.id, job)
