"""The job engine's front door: accept, run, report and recover persistent jobs."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from ..errors import NoSuchBucket, NoSuchKey, QiniuError
from ..fetch import Access
from ..fops.context import Cancelled
from ..fops.parse import parse_fops, parse_pipeline
from ..fops.registry import Registry
from ..storage import ObjectInfo, Storage
from ..wire import prefop_json
from .models import Code, Item, Job
from .notify import Attempt, Notifier
from .process import Processor
from .scheduler import Scheduler, Ticket
from .store import JobStore
from .watch import JobWatcher
from .workflows import WorkflowTemplate

TYPES = (0, 1, 2)  # 0 normal, 1 idle-time; 2 is what workflow users send


@dataclass(frozen=True)
class JobCounts:
    running: int
    queued: int


@dataclass
class Submission:
    """What ``/pfop`` and upload policies ask for."""

    bucket: str
    key: str | None  # None: not given; "" is a real key
    fops: str = ""
    workflow_id: str = ""
    notify_url: str = ""
    force: bool = False
    type: int = 0
    pipeline: str = ""
    reqid: str = ""
    task_from: str = ""
    account: str = ""  # the access key that signed the request


def new_job_id() -> str:
    return "z0." + secrets.token_hex(12)


def _is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class JobService:
    """Validates submissions, persists jobs, schedules and runs them."""

    def __init__(self, store: JobStore, storage: Storage, registry: Registry, processor: Processor,
                 notifier: Notifier, workflows: dict[str, WorkflowTemplate], workers: int,
                 pipelines: dict[str, int], logger: logging.Logger | None = None,
                 watch_slots: int = 4) -> None:
        self.store = store
        self.storage = storage
        self.registry = registry
        self.processor = processor
        self.notifier = notifier
        self.workflows = workflows
        self._log = logger or logging.getLogger("qiniu_emulator.jobs")
        self._live: dict[str, Job] = {}
        self._accepted: dict[str, Job] = {}  # queued by this process: run without reading them back
        self._live_lock = threading.Lock()
        self.scheduler = Scheduler(self._run, workers, pipelines, self._log)
        self.watcher = JobWatcher(watch_slots)

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> int:
        """Start the workers and re-queue jobs a previous run left unfinished."""
        pending = self.store.unfinished()
        for job in pending:
            self.scheduler.enqueue(Ticket(job.seq, job.id, job.pipeline))
        self.scheduler.start()
        self.notifier.start()
        if pending:
            self._log.info("resuming %d unfinished job(s)", len(pending))
        return len(pending)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop running jobs (they resume at the next start) within one deadline for all workers."""
        deadline = time.monotonic() + timeout
        with self._live_lock:
            running = sorted(self._live)
        queued = self.scheduler.queued()
        if running or queued:
            self._log.info("stopping: %d running job(s) resume at the next start%s; %d queued",
                           len(running), f" ({', '.join(running)})" if running else "", queued)
        self.processor.shutdown.set()
        self.watcher.close()
        self.notifier.stop(deadline)
        return self.scheduler.stop(max(deadline - time.monotonic(), 0.0))

    # -- submit -----------------------------------------------------------------
    def validate(self, sub: Submission, check_source: bool = True) -> Job:
        """Check a submission and build its job (not yet stored); raises :class:`QiniuError`.

        Uploads validate before storing the object (``check_source=False``), so a bad
        policy never leaves an object behind.
        """
        if not sub.bucket or sub.key is None:
            raise QiniuError.bad_request("bucket and key are required")
        fops, pipeline, notify_url, task_from = self._resolve_workflow(sub)
        pipelines = parse_fops(fops, self.registry)
        if check_source:
            self.storage.stat(sub.bucket, sub.key)
        for parsed in pipelines:
            if parsed.saveas is not None:
                self.storage.get_bucket(parsed.saveas.bucket)
        if notify_url and not _is_http_url(notify_url):
            raise QiniuError.bad_request(f"notifyURL must be an http(s) URL: {notify_url!r}")
        if sub.type not in TYPES:
            raise QiniuError.bad_request(f"type must be 0, 1 or 2, not {sub.type}")
        return Job(id=new_job_id(), bucket=sub.bucket, key=sub.key,
                   items=[Item(cmd=p.text) for p in pipelines], pipeline=pipeline, type=sub.type,
                   notify_url=notify_url, force=sub.force, task_from=task_from, reqid=sub.reqid,
                   created_ns=time.time_ns(), account=sub.account, parsed=pipelines)

    def submit(self, sub: Submission) -> Job:
        """Validate and accept a job; raises :class:`QiniuError` with the wire code."""
        return self.accept(self.validate(sub))

    def accept(self, job: Job) -> Job:
        """Store a validated job and queue it."""
        self.store.insert(job)
        with self._live_lock:
            self._accepted[job.id] = job
        self.scheduler.enqueue(Ticket(job.seq, job.id, job.pipeline))
        self._log.info("accepted %s: %s:%s %s", job.id, job.bucket, job.key, ";".join(i.cmd for i in job.items))
        return job

    def _resolve_workflow(self, sub: Submission) -> tuple[str, str, str, str]:
        if sub.fops and sub.workflow_id:
            raise QiniuError.bad_request("give either fops or workflowTemplateID, not both")
        if not sub.workflow_id:
            if not sub.fops:
                raise QiniuError.bad_request("fops or workflowTemplateID is required")
            return sub.fops, sub.pipeline, sub.notify_url, sub.task_from
        template = self.workflows.get(sub.workflow_id)
        if template is None:
            known = ", ".join(sorted(self.workflows)) or "none are defined (see --workflows)"
            raise QiniuError.bad_request(f"no such workflow template: {sub.workflow_id!r} (known: {known})")
        return (template.fops, sub.pipeline or template.pipeline,
                sub.notify_url or template.notify_url, f"workflow:{template.id}")

    # -- read -------------------------------------------------------------------
    def get(self, job_id: str) -> Job:
        with self._live_lock:
            live = self._live.get(job_id)
        job = live or self.store.get(job_id)
        if job is None:
            raise QiniuError.no_such_job()
        return job

    def watch(self, job_id: str, seconds: float, seen_progress: float | None = None) -> Job:
        """The job once it finished or its progress moved from ``seen_progress``, waiting at
        most ``seconds``; 612 at once for an unknown id."""
        self.get(job_id)
        return self.watcher.wait(lambda: self.get(job_id), seconds, seen_progress)

    def recent(self, limit: int = 100, bucket: str | None = None) -> list[Job]:
        """The newest jobs first, running ones with their live progress."""
        return [self.get(job.id) for job in self.store.recent(limit, bucket)]

    def counts(self) -> JobCounts:
        return JobCounts(running=self.scheduler.busy(), queued=self.scheduler.queued())

    def workflow_ids(self) -> list[str]:
        return sorted(self.workflows)

    def forget(self, bucket: str | None = None) -> None:
        """Delete the records of every job (of one bucket)."""
        self.store.delete_all(bucket)
        with self._live_lock:
            for job_id in [i for i, job in self._accepted.items() if bucket in (None, job.bucket)]:
                del self._accepted[job_id]
        self.watcher.changed()

    # -- run --------------------------------------------------------------------
    def _run(self, job_id: str) -> None:
        with self._live_lock:
            job = self._accepted.pop(job_id, None)
        job = job or self.store.get(job_id)
        if job is None or job.finished:
            return
        job.code = Code.RUNNING
        job.started_ns = time.time_ns()
        with self._live_lock:
            self._live[job.id] = job
        try:
            # Not saved at code 2: prefop reads a running job from memory, and a restart
            # resumes code 1 and 2 alike.
            self.watcher.changed()
            self._run_items(job)
            final = Code.SUCCESS if all(i.code == Code.SUCCESS for i in job.items) else Code.FAILED
            self._finish(job, final)
        except Cancelled:
            self._log.info("%s: stopped by the shutdown; it resumes at the next start", job.id)
        finally:
            with self._live_lock:
                self._live.pop(job.id, None)

    def _run_items(self, job: Job) -> None:
        def log(line: str) -> None:
            job.log.append(line)
            self._log.info("%s: %s", job.id, line)

        def progress(fraction: float) -> None:
            fraction = round(min(max(fraction, 0.0), 1.0), 3)
            if job.progress is None or int(fraction * 10) > int(job.progress * 10):
                self._log.info("%s: %d%% done", job.id, int(fraction * 100))
            if fraction != job.progress:
                job.progress = fraction
                self.watcher.changed()

        try:
            source = self.storage.stat(job.bucket, job.key)
        except (NoSuchKey, NoSuchBucket) as exc:
            source, missing = None, exc.message
        for index, item in enumerate(job.items):
            if item.code in (Code.SUCCESS, Code.FAILED):
                continue  # finished before a restart
            if source is None:
                item.code, item.error = Code.FAILED, f"source data is empty or fail to get source data: {missing}"
            else:
                job.items[index] = self._run_item(job, index, item, source, log, progress)
            if index < len(job.items) - 1 or job.notify_url:
                self.store.save(job)  # a restart skips it; the last one is saved with the final code

    def _run_item(self, job: Job, index: int, item: Item, source: ObjectInfo,
                  log: Callable[[str], None], progress: Callable[[float], None]) -> Item:
        try:
            parsed = job.parsed[index] if job.parsed else parse_pipeline(item.cmd, self.registry)
        except QiniuError as exc:  # an op removed since the job was accepted
            return Item(cmd=item.cmd, code=Code.FAILED, error=exc.message)
        job.progress = None
        try:
            return self.processor.run_item(parsed, source, index, job.force, log, progress, job.timings,
                                           Access(job.account or None))
        except Exception as exc:  # noqa: BLE001 - the job must still finish and be reported
            self._log.exception("%s: item %d crashed", job.id, index)
            return Item(cmd=item.cmd, code=Code.FAILED, error=f"internal error: {type(exc).__name__}: {exc}")

    def _finish(self, job: Job, final: Code) -> None:
        """Notify (on the notifier's threads), then record the final code.

        Until the notification is settled the job stays at code 2 in the store, so a crash
        or a shutdown in between notifies again after the next start.
        """
        if not job.notify_url:
            self._record(job, final)
            return

        def notified(attempts: list[Attempt], error: str) -> None:
            job.deliveries.extend(attempts)
            if error and self.notifier.stop_event.is_set():
                self._log.info("%s: notify interrupted by shutdown; resumed on restart", job.id)
                self.store.save(job)
                return
            job.notify_error = error
            self._record(job, Code.CALLBACK_FAILED if error else final)

        self.notifier.deliver_later(job.notify_url, prefop_json(job, code=final), notified)

    def _record(self, job: Job, final: Code) -> None:
        job.code = final
        job.finished_ns = time.time_ns()
        self.store.save(job)
        self.watcher.changed()
        self._log.info("finished %s with code %d", job.id, job.code)
