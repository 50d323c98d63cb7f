"""The emulated clock from a test: the ``qiniu_clock`` fixture moves the emulator's time
through ``/_emulator/clock`` and puts it back to real time when the test ends.

    def test_token_expires(qiniu_clock, ...):
        token = auth.upload_token(bucket, expires=60)
        qiniu_clock.advance(61)               # the token is now out of date
"""

from __future__ import annotations

from typing import Any

import requests

from .targets import ADMIN_WRITE, admin_origin


class ClockError(RuntimeError):
    """The emulator refused a clock request; the message is its answer."""


class ClockControl:
    """Moves the clock of the emulator at ``url`` (its service or admin origin)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = admin_origin(url, timeout) + "/_emulator/clock"  # the service URL names the admin origin
        self.timeout = timeout

    def now(self) -> float:
        """The emulated time, in unix seconds."""
        return float(self._answer(requests.get(self.url, timeout=self.timeout))["now"])

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (back when negative); returns the new emulated time."""
        return self._move({"advance": seconds})

    def set(self, epoch: float) -> float:
        """Make the emulated time ``epoch`` (unix seconds); returns it."""
        return self._move({"set": epoch})

    def reset(self) -> float:
        """Back to real time."""
        return self._move({"reset": True})

    def _move(self, body: dict[str, Any]) -> float:
        answer = requests.post(self.url, json=body, headers=ADMIN_WRITE, timeout=self.timeout)
        return float(self._answer(answer)["now"])

    @staticmethod
    def _answer(response: requests.Response) -> dict[str, Any]:
        if response.status_code != 200:
            raise ClockError(f"/_emulator/clock answered {response.status_code}: {response.text[:300]}")
        return response.json()
