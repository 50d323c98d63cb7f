"""Job, item and delivery records: plain data (their wire JSON is in ``wire.py``; the
rules of how a job moves between phases are in ``jobs/lifecycle.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum, IntEnum
from typing import Any

from .fops.parse import Pipeline


# A job-log line that tells the user how to fix a failure (the console shows it by the error).
HINT_PREFIX = "hint: "


class Code(IntEnum):
    """Status codes shared by jobs and their items."""

    SUCCESS = 0
    WAITING = 1
    RUNNING = 2
    FAILED = 3
    CALLBACK_FAILED = 4
    CANCELLED = 5  # its pipeline was deleted while it waited (docs/fops.md §10.1)


class Phase(str, Enum):
    """Where a job is in its life (``jobs/lifecycle.py`` has the moves between them)."""

    ACCEPTED = "accepted"  # validated, not yet stored
    WAITING = "waiting"  # stored and queued
    HELD = "held"  # held by a scenario rule until released (its code stays 1, or 2 once parked)
    RUNNING = "running"
    NOTIFYING = "notifying"  # its items are done; the notification is not settled yet
    DONE = "done"
    FAILED = "failed"
    CALLBACK_FAILED = "callback failed"
    CANCELLED = "cancelled"

    @classmethod
    def stored(cls, code: int) -> "Phase":
        """The phase of a job read back with ``code`` (a restart resumes 1 and 2 alike)."""
        return {Code.WAITING: cls.WAITING, Code.RUNNING: cls.RUNNING, Code.SUCCESS: cls.DONE,
                Code.FAILED: cls.FAILED, Code.CALLBACK_FAILED: cls.CALLBACK_FAILED,
                Code.CANCELLED: cls.CANCELLED}[Code(code)]


DESC = {
    Code.SUCCESS: "The fop was completed successfully",
    Code.WAITING: "The fop is waiting for execution",
    Code.RUNNING: "The fop is executing now",
    Code.FAILED: "The fop is failed",
    Code.CALLBACK_FAILED: "Callback failed",
    Code.CANCELLED: "The fop is cancelled",
}


@dataclass
class Item:
    """One ``;``-separated command of a job and its outcome."""

    cmd: str
    code: int = Code.WAITING
    error: str = ""
    error_index: int | None = None
    key: str | None = None
    hash: str | None = None
    keys: list[str] | None = None
    return_old: int = 0
    bucket: str | None = None  # where the result went (the source bucket unless saveas named another)
    result: Any = None  # an op's inline answer when it stores no object (none of the emulated ops does)


@dataclass
class StageLog:
    """What one stage of one item did: for ``/_emulator/jobs/<id>``."""

    item: int
    op: str
    seconds: float
    passthrough: bool = False


@dataclass
class Attempt:
    """One delivery attempt of a job's notification."""

    url: str
    at_ns: int
    seconds: float
    status: int | None = None  # None when no HTTP answer came
    error: str = ""
    answer: str = ""


@dataclass
class Job:
    """A persistent processing task, as stored and as reported by prefop."""

    id: str
    bucket: str
    key: str
    items: list[Item]
    pipeline: str = ""
    type: int = 0
    notify_url: str = ""
    force: bool = False
    task_from: str = ""
    reqid: str = ""
    created_ns: int = 0
    started_ns: int = 0
    finished_ns: int = 0
    code: int = Code.WAITING
    seq: int = 0
    progress: float | None = None
    timings: list[StageLog] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    notify_error: str = ""
    account: str = ""  # the access key that signed the submission ("" when none did)
    deliveries: list[Attempt] = field(default_factory=list)
    # The commands as parsed at submission (not stored: a restart parses them again).
    parsed: list[Pipeline] | None = field(default=None, repr=False, compare=False)
    phase: Phase = Phase.ACCEPTED  # not stored: read back from the code (Phase.stored)

    @property
    def finished(self) -> bool:
        return self.code not in (Code.WAITING, Code.RUNNING)

    @property
    def from_workflow(self) -> bool:
        return self.task_from.startswith("workflow")

    def creation_date(self) -> str:
        """RFC 3339 with nanoseconds, as prefop prints it."""
        seconds, nanos = divmod(self.created_ns, 1_000_000_000)
        stamp = datetime.fromtimestamp(seconds, tz=timezone.utc).astimezone()
        text = stamp.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}"
        offset = stamp.strftime("%z")
        return text + (offset[:3] + ":" + offset[3:] if offset else "Z")
