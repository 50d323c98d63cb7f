"""The job engine's front door: accept, run and recover persistent jobs.

Every change of a job's phase goes through ``Lifecycle.move`` (``lifecycle.py``), which
checks it and saves the job; scenario effects come through ``JobHooks`` (``hooks.py``);
what is read back (prefop, the console) is ``JobQueries`` (``queries.py``).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from ..errors import NoSuchBucket, NoSuchKey, QiniuError
from ..downloads import Access
from ..fops.context import Cancelled
from ..fops.parse import parse_fops, parse_pipeline
from ..fops.registry import Registry
from ..job_records import Attempt, Code, Item, Job, Phase
from ..scenarios import Fired, Hold, ItemFailure, Scenarios
from ..storage import ObjectInfo, Storage
from ..wire import prefop_json, task_v3_json
from .hooks import JobHooks, Resume, ScenarioHooks
from .lifecycle import Lifecycle
from .notify import Notifier
from .process import Processor
from .queries import JobQueries
from .scheduler import Scheduler, Ticket
from .store import JobStore
from .watch import JobWatcher
from .workflows import WorkflowTemplate

TYPES = (0, 1)  # 0 normal, 1 idle-time (docs/fops.md §10.1; the PHP SDK's tests expect -1 and 2 refused)
IDLE = 1
MISSING_SOURCE = "execute fop cmd failed: source data is empty or fail to get source data"
# The log line that opens each item's lines, so a reader can tell the items' lines apart.
ITEM_MARK = re.compile(r"item (\d+) starts: .*", re.S)


def notification(job: Job, code: Code) -> dict[str, Any]:
    """Workflow-template tasks notify in the V3 shape (docs/fops.md §1.6), others as prefop answers."""
    return task_v3_json(job, code=code) if job.from_workflow else prefop_json(job, code=code)


def item_mark(index: int, cmd: str) -> str:
    return f"item {index} starts: {cmd}"


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


def new_job_id(region: str = "z0") -> str:
    """``<region>.<24 hex>``: the region of the job's bucket (docs/wire.md §5)."""
    return f"{region}." + secrets.token_hex(12)


def _is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class JobService(JobQueries):
    """Validates submissions, moves jobs through their lifecycle, schedules and runs them."""

    def __init__(self, store: JobStore, storage: Storage, registry: Registry, processor: Processor,
                 notifier: Notifier, workflows: dict[str, WorkflowTemplate], workers: int,
                 pipelines: dict[str, int], logger: logging.Logger | None = None,
                 strict_pipelines: bool = False, scenarios: Scenarios | None = None,
                 watch_slots: int = 4, hooks: JobHooks | None = None) -> None:
        self.strict_pipelines = strict_pipelines
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
        self.hooks = hooks or ScenarioHooks(scenarios or Scenarios())
        self._resend_lock = threading.Lock()
        self.scheduler = Scheduler(self._run, workers, pipelines, self._log)
        self.watcher = JobWatcher(watch_slots)
        self.lifecycle = Lifecycle(store, self.watcher.changed, self._log, self.storage.clock.now_ns,
                                   stopping=processor.shutdown)

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
    def validate(self, sub: Submission) -> Job:
        """Check a submission and build its job (not yet stored); raises :class:`QiniuError`.

        Uploads validate before storing the object, so a bad policy never leaves an object behind.
        """
        if not sub.bucket or sub.key is None:
            raise QiniuError.bad_request("bucket and key are required")
        fops, pipeline, notify_url, task_from = self._resolve_workflow(sub)
        pipelines = parse_fops(fops, self.registry)
        # A missing source is not refused here: the real service accepts the job and fails
        # its items ("source data is empty or fail to get source data"), see docs/fops.md §1.5.
        region = self._check_bucket(sub.bucket, f"the source bucket {sub.bucket!r} does not exist")
        for index, parsed in enumerate(pipelines):
            if parsed.saveas is not None:
                self._check_bucket(parsed.saveas.bucket, f"the saveas bucket {parsed.saveas.bucket!r} of "
                                   f"fops[{index}] does not exist (source bucket: {sub.bucket!r})")
        if notify_url and not _is_http_url(notify_url):
            raise QiniuError.bad_request(f"notifyURL must be an http(s) URL: {notify_url!r}")
        if sub.type not in TYPES:
            raise QiniuError.bad_request(f"type must be 0 (a normal task) or 1 (an idle-time task), not {sub.type}")
        if sub.type == IDLE and pipeline:
            raise QiniuError.bad_request("an idle-time task (type=1) takes no pipeline: idle-time tasks "
                                         "run in the shared queue")
        self._check_pipeline(pipeline)
        return Job(id=new_job_id(region), bucket=sub.bucket, key=sub.key,
                   items=[Item(cmd=p.text) for p in pipelines], pipeline=pipeline, type=sub.type,
                   notify_url=notify_url, force=sub.force, task_from=task_from, reqid=sub.reqid,
                   created_ns=self.storage.clock.now_ns(), account=sub.account, parsed=pipelines)

    def _check_bucket(self, bucket: str, note: str) -> str:
        """The bucket's region; 631 for a missing bucket, with a note saying which of the job's
        buckets it is."""
        try:
            return self.storage.get_bucket(bucket).region
        except NoSuchBucket as exc:
            raise exc.noted(note) from None

    def submit(self, sub: Submission) -> Job:
        """Validate and accept a job; raises :class:`QiniuError` with the wire code."""
        return self.accept(self.validate(sub))

    def accept(self, job: Job, origin: str = "pfop") -> Job:
        """Store a validated job and queue it (``origin``: the endpoint that started it).

        Scenario rules may hold it, fail some of its items, or run it and deliver its
        notification before returning (``notifyFirst``).
        """
        self.lifecycle.move(job, Phase.WAITING)
        with self._live_lock:
            self._accepted[job.id] = job
        self._log.info("accepted %s: %s:%s %s", job.id, job.bucket, job.key, ";".join(i.cmd for i in job.items))
        plan = self.hooks.plan(job, origin)
        ticket = Ticket(job.seq, job.id, job.pipeline)
        if plan.notify_first is not None:
            self._log.info("%s: run and notified before its request is answered (scenario %s)",
                           job.id, plan.notify_first.rule_id)
            self._run(job.id, inline=True)
            return job
        if plan.hold is not None:
            self._hold(job, plan.hold, ticket)
            if isinstance(plan.hold.effect, Hold) and plan.hold.effect.code == 1:
                return job
        self.scheduler.enqueue(ticket)
        return job

    def _hold(self, job: Job, fired: Fired, ticket: Ticket) -> None:
        assert isinstance(fired.effect, Hold)
        hold = fired.effect
        until = f"for {hold.seconds:g} s or " if hold.seconds else ""
        self.lifecycle.move(job, Phase.HELD, f"held at code {hold.code} by scenario {fired.rule_id} {until}until "
                                             f"POST /_emulator/jobs/{job.id}/release")
        self.hooks.hold(job, fired, None if hold.code == 2 else self._resumer(ticket))

    def _resumer(self, ticket: Ticket) -> Resume:
        """Queue a held job again once released, noting why in its log."""
        def resume(reason: str) -> None:
            with self._live_lock:
                job = self._accepted.get(ticket.job_id)  # the copy the run will use, when queued here
            job = job or self.store.get(ticket.job_id)
            if job is None or job.finished:
                return  # deleted by a reset meanwhile
            # Back to waiting, or, parked by its worker at code 2, back to running.
            self.lifecycle.move(job, Phase.WAITING if job.code == Code.WAITING else Phase.RUNNING,
                                f"released {reason}")
            self.scheduler.enqueue(ticket)

        return resume

    def release(self, job_id: str) -> Job:
        """Release a job a scenario rule holds; 612 for an unknown job, 400 if it is not held."""
        job = self.get(job_id)
        if not self.hooks.release(job_id, "by POST /_emulator/jobs/<id>/release"):
            raise QiniuError.bad_request(f"job {job_id} is not held (its code is {job.code})")
        return job

    def _check_pipeline(self, pipeline: str) -> None:
        """With ``--strict-pipelines`` only declared queues exist, as only queues made in the console do."""
        if pipeline and self.strict_pipelines and pipeline not in self.scheduler.declared():
            raise QiniuError.no_such_pipeline(pipeline)

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
                sub.notify_url or template.notify_url, f"workflow: {template.id}")

    # -- operations on finished and queued jobs ------------------------------------
    def resend_notification(self, job_id: str) -> list[Attempt]:
        """Deliver a finished job's status to its notify URL again, now; the attempts are
        added to the job's record (its code stays what the first notification made it)."""
        with self._resend_lock:
            job = self.get(job_id)
            if not job.notify_url:
                raise QiniuError.bad_request(f"job {job_id} has no notifyURL")
            if not job.finished:
                raise QiniuError.bad_request(f"job {job_id} has not finished; it notifies when it does")
            outcome = Code.SUCCESS if all(i.code == Code.SUCCESS for i in job.items) else Code.FAILED
            attempts, _ = self.notifier.deliver(job.notify_url, notification(job, outcome))
            job.deliveries.extend(attempts)
            self.lifecycle.move(job, job.phase)
            return attempts

    def workflow_ids(self) -> list[str]:
        return sorted(self.workflows)

    def delete_pipeline(self, pipeline: str) -> list[str]:
        """Delete a queue as the console does: its waiting jobs end with code 5 (cancelled)."""
        cancelled = []
        for ticket in self.scheduler.drop_pipeline(pipeline):
            with self._live_lock:
                job = self._accepted.pop(ticket.job_id, None)
            job = job or self.store.get(ticket.job_id)
            if job is None or job.finished:
                continue
            for item in job.items:
                if item.code in (Code.WAITING, Code.RUNNING):
                    item.code = Code.CANCELLED
            self.lifecycle.move(job, Phase.CANCELLED)
            cancelled.append(job.id)
        return cancelled

    def forget(self, bucket: str | None = None) -> None:
        """Delete the records of every job (of one bucket)."""
        self.store.delete_all(bucket)
        self.hooks.forget(bucket)
        with self._live_lock:
            for job_id in [i for i, job in self._accepted.items() if bucket in (None, job.bucket)]:
                del self._accepted[job_id]
        self.watcher.changed()

    # -- run --------------------------------------------------------------------
    def _run(self, job_id: str, inline: bool = False) -> None:
        """Run a job's items and finish it; ``inline`` notifies on this thread before returning."""
        with self._live_lock:
            job = self._accepted.pop(job_id, None)
        job = job or self.store.get(job_id)
        if job is None or job.finished:
            return
        self.lifecycle.move(job, Phase.RUNNING)
        if self.hooks.park(job, self._resumer(Ticket(job.seq, job.id, job.pipeline))):
            self.lifecycle.move(job, Phase.HELD)  # at code 2, until released
            return
        with self._live_lock:
            self._live[job.id] = job
        try:
            self._run_items(job)
            self._finish(job, inline)
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
        failures = self.hooks.failures(job)
        for index, item in enumerate(job.items):
            if item.code in (Code.SUCCESS, Code.FAILED):
                continue  # finished before a restart
            if source is None:
                item.code, item.error = Code.FAILED, MISSING_SOURCE
                self._log.info("%s: the source %s:%s is gone: %s", job.id, job.bucket, job.key, missing)
            elif index in failures:
                job.items[index] = self._failed_by(failures[index], item, log, index)
            else:
                log(item_mark(index, item.cmd))
                job.items[index] = self._run_item(job, index, item, source, log, progress)
            if index < len(job.items) - 1:
                self.lifecycle.move(job, Phase.RUNNING)  # a restart skips it; the last one is saved as the job ends

    @staticmethod
    def _failed_by(fired: Fired, item: Item, log: Callable[[str], None], index: int) -> Item:
        assert isinstance(fired.effect, ItemFailure)
        log(f"item {index} failed by scenario {fired.rule_id}: {fired.effect.error}")
        return Item(cmd=item.cmd, code=Code.FAILED, error=fired.effect.error,
                    error_index=fired.effect.error_index)

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

    def _finish(self, job: Job, inline: bool = False) -> None:
        """Notify (on the notifier's threads, or on this one when ``inline``), then record
        the outcome.

        Until the notification is settled the job is notifying, at code 2 in the store, so a
        crash or a shutdown in between notifies again after the next start.
        """
        succeeded = all(i.code == Code.SUCCESS for i in job.items)
        outcome = Phase.DONE if succeeded else Phase.FAILED
        if not job.notify_url:
            self.lifecycle.move(job, outcome)
            return
        self.lifecycle.move(job, Phase.NOTIFYING)

        def notified(attempts: list[Attempt], error: str) -> None:
            job.deliveries.extend(attempts)
            if error and self.notifier.stop_event.is_set():
                self._log.info("%s: notify interrupted by shutdown; resumed on restart", job.id)
                self.lifecycle.move(job, Phase.NOTIFYING)
                return
            job.notify_error = error
            self.lifecycle.move(job, Phase.CALLBACK_FAILED if error else outcome)

        body = notification(job, Code.SUCCESS if succeeded else Code.FAILED)
        if inline:
            notified(*self.notifier.deliver(job.notify_url, body))
            return
        self.notifier.deliver_later(job.notify_url, body, notified)
