"""POST a finished job's status JSON to its notify URL, retrying with backoff."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field

from ..outbound import Outbound, OutboundError


@dataclass
class Notifier:
    """Delivers notifications; ``deliver`` returns "" on success, else the last error.

    A receiver must answer 200 (as Qiniu expects); anything else is a failed attempt.
    ``stop_event`` cuts the backoff short on shutdown (the job then stays unfinished
    in the store and is notified again after a restart).
    """

    attempts: int = 3
    backoff: float = 0.5
    outbound: Outbound = field(default_factory=Outbound)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("qiniu_emulator.notify"))
    stop_event: threading.Event = field(default_factory=threading.Event)

    def deliver(self, url: str, status: dict) -> str:
        body = json.dumps(status).encode()
        error = ""
        for attempt in range(1, self.attempts + 1):
            error = self._post(url, body)
            if not error:
                self.logger.info("notified %s for %s", url, status.get("id"))
                return ""
            self.logger.warning("notify %s for %s failed (attempt %d/%d): %s",
                                url, status.get("id"), attempt, self.attempts, error)
            if attempt < self.attempts and self.stop_event.wait(self.backoff * 2 ** (attempt - 1)):
                break
        return error

    def _post(self, url: str, body: bytes) -> str:
        try:
            answer = self.outbound.request("POST", url, body, {"Content-Type": "application/json"})
        except OutboundError as exc:
            return str(exc)
        if answer.status != 200:
            return f"HTTP {answer.status}"
        return ""
