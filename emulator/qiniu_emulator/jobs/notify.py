"""POST a finished job's status JSON to its notify URL, retrying with backoff.

Deliveries run on the notifier's own threads, never on the job workers: a receiver that
answers slowly (or a byte at a time) holds only a delivery thread, and only until the
exchange's deadline. Every attempt is recorded (status, latency, the start of the
answer) for the job's record. Scenario rules on ``notify`` may delay an attempt or decide
its answer (a status, or none at all) without contacting the receiver.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..job_records import Attempt
from ..outbound import Outbound, OutboundError
from ..scenarios import Answer, Facts, Fired, Scenarios

ANSWER_EXCERPT = 512  # bytes of a receiver's answer kept in the job's record


Done = Callable[[list[Attempt], str], None]


@dataclass
class Notifier:
    """Delivers notifications; a delivery succeeds when the receiver answers 200 (as Qiniu expects).

    ``stop_event`` ends deliveries on shutdown: the job then stays unfinished in the store
    and is notified again after a restart.
    """

    attempts: int = 3
    backoff: float = 0.5
    outbound: Outbound = field(default_factory=Outbound)
    workers: int = 2
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("qiniu_emulator.notify"))
    stop_event: threading.Event = field(default_factory=threading.Event)
    scenarios: Scenarios = field(default_factory=Scenarios)
    now_ns: Callable[[], int] = time.time_ns  # the emulated clock: attempts are dated as the job is
    _queue: "queue.Queue[tuple[str, dict[str, Any], Done] | None]" = field(default_factory=queue.Queue)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for n in range(self.workers):
            thread = threading.Thread(target=self._loop, name=f"notify-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, deadline: float) -> None:
        """Stop delivering; wait for deliveries in flight until ``deadline`` (monotonic)."""
        self.stop_event.set()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))

    def deliver_later(self, url: str, status: dict[str, Any], done: Done) -> None:
        """Queue a delivery; ``done(attempts, error)`` is called on a delivery thread after it."""
        self._queue.put((url, status, done))

    def deliver(self, url: str, status: dict[str, Any]) -> tuple[list[Attempt], str]:
        """Deliver now, with retries; returns the attempts and "" or the last error."""
        body = json.dumps(status).encode()
        facts = _facts(status)
        attempts: list[Attempt] = []
        for number in range(1, self.attempts + 1):
            self.scenarios.delay(facts)
            if self.stop_event.is_set():
                return attempts, "stopped by the shutdown"
            attempt = self._post(url, body, facts)
            attempts.append(attempt)
            if not attempt.error:
                self.logger.info("notified %s for %s", url, status.get("id"))
                return attempts, ""
            self.logger.warning("notify %s for %s failed (attempt %d/%d): %s",
                                url, status.get("id"), number, self.attempts, attempt.error)
            if number < self.attempts and self.stop_event.wait(self.backoff * 2 ** (number - 1)):
                break
        return attempts, attempts[-1].error

    def _loop(self) -> None:
        while (work := self._queue.get()) is not None:
            url, status, done = work
            if self.stop_event.is_set():
                continue  # shutting down: the job stays unfinished and is notified after a restart
            attempts, error = self.deliver(url, status)
            try:
                done(attempts, error)
            except Exception:  # noqa: BLE001 - a delivery thread must survive any job
                self.logger.exception("recording the notification of %s failed", status.get("id"))

    def _post(self, url: str, body: bytes, facts: Facts) -> Attempt:
        started, at_ns = time.monotonic(), self.now_ns()
        fired = self.scenarios.answer(facts)
        if fired is not None:
            return self._injected(url, at_ns, fired)
        try:
            answer = self.outbound.request("POST", url, body, {"Content-Type": "application/json"})
        except OutboundError as exc:
            return Attempt(url, at_ns, round(time.monotonic() - started, 4), error=str(exc))
        excerpt = answer.body[:ANSWER_EXCERPT].decode("utf-8", "replace")
        error = "" if answer.status == 200 else f"HTTP {answer.status}"
        return Attempt(url, at_ns, round(time.monotonic() - started, 4), answer.status, error, excerpt)

    def _injected(self, url: str, at_ns: int, fired: Fired) -> Attempt:
        """The attempt a scenario rule decides: the receiver is not contacted."""
        assert isinstance(fired.effect, Answer)
        answer, why = fired.effect, f"(scenario {fired.rule_id})"
        if answer.timeout:
            return Attempt(url, at_ns, 0.0, error=f"no complete answer within {self.outbound.timeout:g} s {why}")
        excerpt = json.dumps(answer.body)[:ANSWER_EXCERPT] if answer.body is not None else ""
        error = "" if answer.status == 200 else f"HTTP {answer.status} {why}"
        return Attempt(url, at_ns, 0.0, answer.status, error, excerpt)


def _facts(status: dict[str, Any]) -> Facts:
    """What a notification names: the job's source and its commands."""
    items = status.get("items") or []
    return Facts("notify", status.get("inputBucket"), status.get("inputKey"),
                 tuple(str(item.get("cmd", "")) for item in items if isinstance(item, dict)))
