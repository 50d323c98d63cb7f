"""Persistent data processing: submit jobs (pfop) and follow them (prefop)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from .auth import FORM_CONTENT_TYPE, Auth, QBoxRequestsAuth, QiniuRequestsAuth
from .config import Config, defaults
from .http import RequestFailed, ResponseInfo, request_json
from .jobwait import JobWait
from .status import JobStatus


IDLE_TYPE = 1
WORKFLOW_TYPE = 2


class PersistentFop:
    """Runs fops on objects of one bucket, optionally on a named pipeline (queue).

    ``notify_url`` receives the final job status as a JSON POST.
    """

    def __init__(self, auth: Auth, bucket: str, pipeline: str | None = None,
                 notify_url: str | None = None, *, config: Config | None = None) -> None:
        if not isinstance(auth, Auth):
            raise ValueError(f"auth must be a qiniu_fop.Auth, got {type(auth).__name__}")
        if not isinstance(bucket, str) or not bucket:
            raise ValueError(f"bucket must be a non-empty string, got {bucket!r}")
        self.auth = auth
        self.bucket = bucket
        self.pipeline = pipeline
        self.notify_url = notify_url
        self._config = config

    @property
    def config(self) -> Config:
        """The explicit config given at construction, else the process-wide defaults."""
        return self._config or defaults()

    def execute(self, key: str, fops: str | Sequence[str] | None = None,
                force: bool | int | None = None, persistent_type: int | None = None,
                workflow_template_id: str | None = None) -> tuple[dict | None, ResponseInfo]:
        """Submit a job; ``ret['persistentId']`` identifies it on success.

        ``fops`` is a ``;``-separated string or a list of commands (joined with ``;``);
        give it or ``workflow_template_id``. ``force`` reprocesses even when a saveas
        target already exists; ``persistent_type=1`` asks for an idle-time job and
        ``persistent_type=2`` marks a workflow run (with ``workflow_template_id``).
        """
        body = urlencode(self._form(key, _join_fops(fops), force, persistent_type,
                                    workflow_template_id))
        return request_json(
            self.config, "POST", f"{self.config.api_host}/pfop/", data=body,
            headers={"Content-Type": FORM_CONTENT_TYPE}, auth=QBoxRequestsAuth(self.auth))

    def get_status(self, persistent_id: str) -> tuple[dict | None, ResponseInfo]:
        """The raw prefop answer for a job (``ret['code']``: 0 done, 1 queued, 2 running,
        3 failed, 4 notify failed)."""
        _require_id(persistent_id)
        url = f"{self.config.api_host}/status/get/prefop?id={quote(persistent_id, safe='')}"
        return request_json(self.config, "GET", url, auth=QBoxRequestsAuth(self.auth))

    def get_task(self, persistent_id: str) -> tuple[dict | None, ResponseInfo]:
        """The v3 task answer (``version``, ``created_at`` in ms, ``input``, ``ops``) from the
        Dora host; Qiniu serves it for workflow-template tasks."""
        _require_id(persistent_id)
        url = f"{self.config.dora_host}/v3/task/status/{quote(persistent_id, safe='')}"
        return request_json(self.config, "GET", url, auth=QiniuRequestsAuth(self.auth))

    def status(self, persistent_id: str) -> JobStatus:
        """The job as a :class:`JobStatus`; :class:`RequestFailed` if prefop fails."""
        ret, info = self.get_status(persistent_id)
        if ret is None:
            raise RequestFailed(f"prefop for {persistent_id!r}", info)
        return JobStatus.from_dict(ret)

    def wait(self, persistent_id: str, timeout: float = 300, interval: float = 1.0,
             on_progress: Callable[[float], Any] | None = None) -> tuple[dict, ResponseInfo]:
        """Wait until the job is neither queued (1) nor running (2); returns ``(status, info)``.

        The status is the final prefop answer: check ``status["code"]`` (0 done, 3 failed,
        4 notify failed) and each item's. Against the emulator this long-polls, so it
        returns as soon as the job ends, and ``on_progress(fraction)`` is called whenever
        a transcode's progress (0..1) moves; elsewhere prefop is polled every ``interval``
        seconds and ``on_progress`` is not called. Raises :class:`RequestFailed` when a
        status request fails (an unknown id is 612, as :meth:`status` raises) and
        ``TimeoutError`` (naming the last status) after ``timeout`` seconds.
        """
        _require_id(persistent_id)
        if timeout < 0 or interval <= 0:
            raise ValueError(f"need timeout >= 0 and interval > 0, got {timeout!r}, {interval!r}")
        return JobWait(self.config, self.get_status, persistent_id, timeout, interval, on_progress).run()

    def _form(self, key: str, fops: str | None, force: Any, persistent_type: Any,
              workflow_template_id: str | None) -> list[tuple[str, str]]:
        if not isinstance(key, str):
            raise ValueError(f"key must be a string, got {key!r}")
        if not fops and not workflow_template_id:
            raise ValueError("give fops (the commands to run) or workflow_template_id")
        form = [("bucket", self.bucket), ("key", key)]
        optional = [
            ("fops", fops),
            ("notifyURL", self.notify_url),
            ("force", "1" if force else None),
            ("type", _type_field(persistent_type, workflow_template_id)),
            ("pipeline", self.pipeline),
            ("workflowTemplateID", workflow_template_id),
        ]
        form.extend((name, value) for name, value in optional if value)
        return form


def _join_fops(fops: str | Sequence[str] | None) -> str | None:
    if fops is None or isinstance(fops, str):
        return fops
    if not isinstance(fops, Sequence) or not all(isinstance(c, str) and c for c in fops):
        raise ValueError(f"fops must be a string or a list of non-empty strings, got {fops!r}")
    return ";".join(fops) or None


def _type_field(persistent_type: Any, workflow_template_id: str | None) -> str | None:
    """The wire ``type``: 1 asks for an idle-time task; 2 is this API's "workflow processing",
    which the workflow template id already says, so it is not sent (the service accepts
    only 0 and 1, see docs/fops.md §1.5)."""
    if not persistent_type:
        return None
    try:
        value = int(persistent_type)
    except (TypeError, ValueError):
        raise ValueError(f"persistent_type must be an integer, got {persistent_type!r}") from None
    if value == WORKFLOW_TYPE:
        if not workflow_template_id:
            raise ValueError("persistent_type=2 (workflow processing) needs workflow_template_id")
        return None
    if value != IDLE_TYPE:
        raise ValueError(f"persistent_type must be 1 (idle-time) or 2 (workflow), got {persistent_type!r}")
    return str(value)


def _require_id(persistent_id: str) -> None:
    if not isinstance(persistent_id, str) or not persistent_id:
        raise ValueError(f"persistent_id must be the non-empty id from execute(), got {persistent_id!r}")
