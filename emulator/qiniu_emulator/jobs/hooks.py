"""What scenario rules do to jobs, behind the small interface the job engine calls.

The engine asks :class:`JobHooks` at four points of a job's life: when it is accepted
(:meth:`~JobHooks.plan`: hold it, fail some items, run it before answering), when a
worker takes it (:meth:`~JobHooks.park`: a job held at code 2 leaves its worker), when it
runs (:meth:`~JobHooks.failures`), and when prefop reads it (:meth:`~JobHooks.held`).
:class:`ScenarioHooks` answers from the rules in force (``scenarios/``).
"""

from __future__ import annotations

import threading
from typing import Callable, Protocol

from ..job_records import Job
from ..scenarios import Fired, JobPlan, Scenarios
from ..scenarios.holds import Held

Resume = Callable[[str], None]


class JobHooks(Protocol):
    def plan(self, job: Job, origin: str) -> JobPlan:
        """What happens to ``job``, just accepted from ``origin`` (pfop, an upload kind)."""

    def hold(self, job: Job, fired: Fired, resume: Resume | None) -> None:
        """Keep ``job`` until released; ``resume`` queues it again (None: its worker parks it)."""

    def park(self, job: Job, resume: Resume) -> bool:
        """Whether ``job``, just taken by a worker, is held at code 2 (``resume`` queues it again)."""

    def failures(self, job: Job) -> dict[int, Fired]:
        """The rules that fail its items (by index), planned when it was accepted; taken once, as it runs."""

    def held(self, job_id: str) -> Held | None:
        """The hold on a job, if any."""

    def release(self, job_id: str, reason: str) -> bool:
        """Release a held job; False when it is not held."""

    def forget(self, bucket: str | None) -> None:
        """Drop what was planned for the jobs (of one bucket)."""


class ScenarioHooks:
    """:class:`JobHooks` from the scenario rules in force."""

    def __init__(self, scenarios: Scenarios) -> None:
        self.scenarios = scenarios
        self._lock = threading.Lock()
        # item failures planned at acceptance, by job id (with the job's bucket, for resets)
        self._failures: dict[str, tuple[str, dict[int, Fired]]] = {}

    def plan(self, job: Job, origin: str) -> JobPlan:
        plan = self.scenarios.plan_job(origin, job.bucket, job.key, [item.cmd for item in job.items])
        if plan.failures:
            with self._lock:
                self._failures[job.id] = (job.bucket, plan.failures)
        return plan

    def hold(self, job: Job, fired: Fired, resume: Resume | None) -> None:
        self.scenarios.holds.hold(job.id, job.bucket, fired.rule_id, fired.effect, resume)  # type: ignore[arg-type]

    def park(self, job: Job, resume: Resume) -> bool:
        return self.scenarios.holds.park(job.id, resume)

    def failures(self, job: Job) -> dict[int, Fired]:
        with self._lock:
            return self._failures.pop(job.id, (job.bucket, {}))[1]

    def held(self, job_id: str) -> Held | None:
        return self.scenarios.holds.get(job_id)

    def release(self, job_id: str, reason: str) -> bool:
        return self.scenarios.holds.release(job_id, reason)

    def forget(self, bucket: str | None) -> None:
        with self._lock:
            for job_id in [j for j, (b, _) in self._failures.items() if bucket is None or b == bucket]:
                del self._failures[job_id]
