"""Scenario rules from a test: the ``qiniu_scenario`` fixture adds rules to the emulator
under test through ``/_emulator/scenarios`` and removes them when the test ends.

    def test_pfop_is_retried(qiniu_scenario, ...):
        with qiniu_scenario(pfop=599, times=1) as rule:
            ...                                  # the first pfop is answered 599
        assert rule.hits == 1

    def test_polling_gives_up(qiniu_scenario, ...):
        held = qiniu_scenario.hold_jobs(bucket="videos")   # jobs stay at code 1
        ...
        held.release()

A call takes a rule as the emulator reads it (``qiniu_scenario({"endpoint": "prefop",
"latency": 2})``), keyword fields (``qiniu_scenario(endpoint="notify", answer=500)``), or the
shorthand ``<endpoint>=<status>`` with dots written as underscores (``rs_stat=612``).
"""

from __future__ import annotations

from typing import Any, Mapping

import requests

from .targets import ADMIN_WRITE, admin_origin

RULE_FIELDS = frozenset({"id", "endpoint", "bucket", "key", "fop", "answer", "latency", "hold", "fail_item",
                         "failItem", "notify_first", "notifyFirst", "times", "probability", "seed",
                         "description", "censor"})


class ScenarioError(RuntimeError):
    """The emulator refused a scenario request; the message is its answer."""


class ScenarioControl:
    """Adds rules to the emulator at ``url`` (its service or admin origin) and removes, at
    :meth:`clear`, those it added."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = admin_origin(url, timeout)  # the service URL names it
        self.timeout = timeout
        self._added: list[ScenarioRule] = []

    def __call__(self, rule: Mapping[str, Any] | None = None, /, **fields: Any) -> "ScenarioRule":
        """Add one rule; the handle is also a context manager that removes it on exit."""
        return self._add(ScenarioRule, {**(rule or {}), **_fields(fields)})

    def hold_jobs(self, code: int = 1, seconds: float | None = None, progress: float | None = None,
                  **match: Any) -> "HeldJobs":
        """Hold the jobs matching ``match`` (bucket, key, fop, endpoint) at ``code`` 1 or 2."""
        hold: dict[str, Any] = {"code": code}
        if seconds is not None:
            hold["seconds"] = seconds
        if progress is not None:
            hold["progress"] = progress
        return self._add(HeldJobs, {**match, "hold": hold})

    def rules(self) -> list[dict[str, Any]]:
        """Every rule in force on the emulator, with its counts."""
        return self._call("GET", "/_emulator/scenarios")["scenarios"]

    def release(self, job_id: str) -> None:
        """Release one held job, whichever rule holds it."""
        self._call("POST", f"/_emulator/jobs/{job_id}/release")

    def clear(self) -> None:
        """Remove the rules this control added (the jobs they hold are released)."""
        while self._added:
            self._added.pop().remove()

    def _add(self, kind: type["ScenarioRule"], body: dict[str, Any]) -> Any:
        [added] = self._call("POST", "/_emulator/scenarios", json=body)["scenarios"]
        handle = kind(self, added)
        self._added.append(handle)
        return handle

    def _call(self, method: str, path: str, json: Any = None, missing_ok: bool = False) -> Any:
        headers = ADMIN_WRITE if method != "GET" else {}
        response = requests.request(method, self.url + path, json=json, headers=headers, timeout=self.timeout)
        if response.status_code == 404 and missing_ok:
            return None  # removed already (by /_emulator/reset, say)
        if response.status_code != 200:
            raise ScenarioError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()


class ScenarioRule:
    """One rule added by a test."""

    def __init__(self, control: ScenarioControl, added: dict[str, Any]) -> None:
        self._control = control
        self.id: str = added["id"]
        self._last = added

    @property
    def info(self) -> dict[str, Any]:
        """The rule as the emulator shows it now (after removal: as it was at removal)."""
        if self._last.get("removed"):
            return self._last
        found = self._control._call("GET", f"/_emulator/scenarios/{self.id}", missing_ok=True)
        self._last = found if found is not None else {**self._last, "removed": True}
        return self._last

    @property
    def hits(self) -> int:
        """How often the rule fired."""
        return int(self.info["hits"])

    @property
    def matched(self) -> int:
        """How often it matched (fired or not: spent, or the draw said no)."""
        return int(self.info["matched"])

    def remove(self) -> None:
        if self._last.get("removed"):
            return
        final = self._control._call("DELETE", f"/_emulator/scenarios/{self.id}", missing_ok=True)
        self._last = {**(final or self._last), "removed": True}
        if self in self._control._added:
            self._control._added.remove(self)

    def __enter__(self) -> "ScenarioRule":
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class HeldJobs(ScenarioRule):
    """A hold rule: :meth:`jobs` it holds now, :meth:`release` them."""

    def __enter__(self) -> "HeldJobs":
        return self

    def jobs(self) -> list[str]:
        return list(self.info.get("held", []))

    def release(self, job_id: str | None = None) -> list[str]:
        """Release one job, or (without an id) every held job and hold no more."""
        if job_id is not None:
            self._control.release(job_id)
            return [job_id]
        held = self.jobs()
        self.remove()
        return held


def _fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword fields, with ``<endpoint>=<answer>`` shorthand (``upload_form=599``)."""
    body: dict[str, Any] = {}
    for name, value in fields.items():
        if name in RULE_FIELDS:
            body[name] = value
        elif "endpoint" in body or "answer" in body:
            raise TypeError(f"{name}={value!r}: one <endpoint>=<answer> shorthand per rule")
        else:
            body["endpoint"], body["answer"] = name.replace("_", "."), value
    return body
