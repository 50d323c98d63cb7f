"""Waiting for a persistent job: long-polling against the emulator, polling prefop elsewhere.

The emulator holds ``GET /_emulator/jobs/<id>?wait=S`` until the job finishes (or its
progress moves), so a wait ends as soon as the job does instead of up to one poll
interval later. That endpoint is on the emulator's admin origin, which the api host
names in the ``X-Qiniu-Emulator-Admin`` header of its answer to ``/_emulator/`` paths. Whether the api host is an emulator is learnt from its first answer
and remembered per host on the :class:`~.config.Config`; the real service answers that
path with an error, after which prefop is polled as before.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from .config import Config
from .http import RequestFailed, ResponseInfo, decode_ok_body
from .status import PENDING_CODES

# One long-poll request waits at most this long; the next one picks up from there.
LONG_POLL_SECONDS = 20.0
# Progress is 0..1, so any progress differs from this.
NOTHING_SEEN = -1.0
# Every answer of the emulator carries this X-Log header.
EMULATOR_X_LOG = "qiniu-emulator"
ADMIN_URL_HEADER = "X-Qiniu-Emulator-Admin"

StatusReader = Callable[[str], "tuple[dict | None, ResponseInfo]"]


@dataclass
class Answer:
    """One look at the job: its prefop answer, how it came back, and its progress if known."""

    status: dict
    info: ResponseInfo
    progress: float | None = None


@dataclass
class JobWait:
    """One call of ``PersistentFop.wait``: ask until the job is neither queued nor running."""

    config: Config
    read_status: StatusReader
    persistent_id: str
    timeout: float
    interval: float
    on_progress: Callable[[float], Any] | None = None

    def run(self) -> tuple[dict, ResponseInfo]:
        deadline = time.monotonic() + self.timeout
        seen: float | None = None
        while True:
            remaining = max(deadline - time.monotonic(), 0.0)
            started = time.monotonic()
            answer = self._look(remaining, seen)
            moved = False
            if self.on_progress is not None and answer.progress is not None and answer.progress != seen:
                moved, seen = True, answer.progress
                self.on_progress(seen)
            if answer.status.get("code") not in PENDING_CODES:
                return answer.status, answer.info
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"job {self.persistent_id} still pending after {self.timeout}s; last status: "
                    f"{json.dumps(answer.status, ensure_ascii=False)}")
            if not moved and time.monotonic() - started < min(self.interval, remaining):
                # Nothing new and answered at once (prefop, or no free long-poll slot): pause.
                time.sleep(min(self.interval, remaining))

    def _look(self, seconds: float, seen: float | None) -> Answer:
        api_host = self.config.api_host
        if self.config.long_poll.get(api_host, True):
            answer = long_poll(self.config, self.persistent_id, min(seconds, LONG_POLL_SECONDS),
                               self._progress_to_report_after(seen))
            if answer is not None:
                self.config.long_poll[api_host] = True
                return answer
        ret, info = self.read_status(self.persistent_id)
        if ret is None:
            raise RequestFailed(f"prefop for {self.persistent_id!r}", info)
        return Answer(ret, info)

    def _progress_to_report_after(self, seen: float | None) -> float | None:
        """What the long-poll is told was seen: with a callback, any progress is news at first."""
        if self.on_progress is None:
            return None
        return NOTHING_SEEN if seen is None else seen


def long_poll(config: Config, persistent_id: str, seconds: float,
              seen_progress: float | None) -> Answer | None:
    """The emulator's answer, or None when there is none to use.

    A host whose answer does not come from the emulator is remembered as not being one.
    """
    admin = config.admin_hosts.get(config.api_host)
    url = f"{admin or config.api_host}/_emulator/jobs/{quote(persistent_id, safe='')}?wait={seconds:.3f}"
    if seen_progress is not None:
        url += f"&progress={seen_progress}"
    try:
        response = config.session().get(url, allow_redirects=False,
                                        timeout=(config.connection_timeout, seconds + config.connection_timeout))
    except requests.RequestException:
        return None
    info = ResponseInfo(response)
    if info.x_log != EMULATOR_X_LOG:
        config.long_poll[config.api_host] = False
        return None
    pointer = response.headers.get(ADMIN_URL_HEADER, "")
    if pointer and admin is None:
        config.admin_hosts[config.api_host] = pointer.rstrip("/")
        return long_poll(config, persistent_id, seconds, seen_progress)
    body = decode_ok_body(info)
    if not isinstance(body, dict) or not isinstance(body.get("emulator"), dict) or "code" not in body:
        return None  # the emulator's error (612 for an unknown id): prefop words it for the caller
    progress = body.pop("emulator").get("progress")
    return Answer(body, info, float(progress) if isinstance(progress, (int, float)) else None)
