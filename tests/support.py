"""Helpers for the emulator tests: polling, ports, a server in a child process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import requests

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"
BUCKETS = ["demo-bucket", "output-bucket"]

WORKFLOWS_YAML = """\
workflows:
  - id: workflow-template-123
    fops: "qhash/md5;qhash/sha1"
  - id: thumbs
    fops:
      - "qhash/sha1|saveas/b3V0cHV0LWJ1Y2tldDp3Zi9oYXNoLmpzb24="
"""


def wait_for(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.05,
             message: str = "condition") -> object:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)



def npm_installed(folder: Path, package: str, what: str) -> str:
    """``node``, once ``npm ci`` has installed ``folder``'s lockfile (when ``package`` is not at its
    pinned version yet). Without node and npm the test skips and says why; CI, with
    QINIU_REQUIRE_NODE=1, fails instead."""
    import json
    import shutil

    import pytest

    def unavailable(reason: str) -> None:
        if os.environ.get("QINIU_REQUIRE_NODE") == "1":
            pytest.fail(f"the {what} test must run here: {reason}")
        pytest.skip(reason)

    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        unavailable(f"Node.js and npm are not installed; install Node.js 18+ to run the {what} test")
    assert node is not None and npm is not None
    pinned = json.loads((folder / "package.json").read_text())["dependencies"][package]
    installed = folder / "node_modules" / package / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != pinned:
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            unavailable(f"npm ci could not install {package} {pinned}: {done.stderr.strip()[-300:]}")
    return node


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    """``qiniu-emulator serve`` in a child process, for restart and signal tests."""

    def __init__(self, data: Path, *extra: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [sys.executable, "-m", "qiniu_emulator", "serve", "--port", str(self.port),
                     "--data", str(data), "--account", f"{ACCESS_KEY}:{SECRET_KEY}",
                     *sum((["--bucket", b] for b in BUCKETS), []), *extra]
        self.proc: subprocess.Popen | None = None

    def start(self) -> "ServeProcess":
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        wait_for(self._healthy, timeout=30, message=f"emulator on {self.url}")
        return self

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"emulator exited early: {self.proc.stdout.read().decode()}")
        try:
            return requests.get(f"{self.url}/_emulator/health", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class JobGate:
    """Holds every job of an in-process emulator at code 2 until :meth:`release`.

    ``running`` is set once a job is held, so a test can act while the job is running
    without sleeping.
    """

    def __init__(self, emulator) -> None:
        import threading

        self.running = threading.Event()
        self._open = threading.Event()
        processor = emulator.jobs.processor
        original = processor.run_item

        def held(*args, **kwargs):
            self.running.set()
            self._open.wait(60)
            return original(*args, **kwargs)

        processor.run_item = held

    def release(self) -> None:
        self._open.set()
