"""Helpers for the emulator tests: polling, ports, a server in a child process."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import requests

# Writes to the admin origin (console, /_emulator/) carry this header.
ADMIN_WRITE = {"X-Qiniu-Emulator": "1"}
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


def lines_then_kill(args: list[str], count: int) -> list[str]:
    """Start ``args``, read ``count`` lines of its output, then SIGKILL it (it has no chance
    to finish anything it was doing); the lines read."""
    import signal

    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        for line in child.stdout:
            lines.append(line.strip())
            if len(lines) == count:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return lines


def run_in_threads(work: Callable[[int], None], count: int) -> list[BaseException]:
    """Run ``work(0)`` .. ``work(count - 1)`` on threads of their own and wait for all;
    returns what they raised (an assertion in a thread would otherwise go unseen)."""
    import threading

    errors: list[BaseException] = []

    def guarded(n: int) -> None:
        try:
            work(n)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


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



def ramp(size: int, period: int = 256) -> bytes:
    """``size`` bytes counting 0, 1, ..., period - 1 and round again; one run repeated, as a
    generator over every byte takes ~0.3 s per 4 MiB (paid at each worker's collection)."""
    return (bytes(range(period)) * (size // period + 1))[:size]


def run_user_tests(folder: Path, files: dict[str, str], passed: int, *args: str,
                   drop_env: tuple[str, ...] = ("QINIU_CONTRACT", "QINIU_EMULATOR"), timeout: float = 280) -> str:
    """Write ``files`` into ``folder`` and run pytest there in a new process, as a user runs
    their own test files with only the installed plugin (environment variables starting
    with ``drop_env`` removed); fails with its output unless exactly ``passed`` tests pass.
    Returns its output."""
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    # The media cache only saves generating the same files again: the user's run keeps it.
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop_env) or k == "QINIU_CONTRACTS_MEDIA_CACHE"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files, *args],
                         cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(rf"\b{passed} passed\b", run.stdout), run.stdout[-3000:]
    return run.stdout


def shared_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A directory that ``build`` fills once per test run. Under pytest-xdist the workers
    share it: the first to ask builds it under a file lock, the others wait and reuse it."""
    import fcntl
    import shutil

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's directory, shared by its workers
    directory = root / f"shared-{name}"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / ".complete").exists():
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir()
            build(directory)
            (directory / ".complete").touch()
    return directory


# Ports for servers a test starts on a port it names. The kernel hands out ports of its
# own (port 0, outgoing connections) above 32768; a port it gave us and we closed can be
# taken again before the server binds it, by another xdist worker or an outgoing connection.
# So each worker counts through its own slice below that range, in strides that leave room
# for the listeners an emulator opens beside its port (https, admin, S3, bucket ports).
PORT_FLOOR, PORT_CEILING, PORT_STRIDE = 10000, 32000, 200
_BESIDE = (*range(0, 4), *range(10, 100))


def free_port() -> int:
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    workers = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")), worker + 1)
    width = (PORT_CEILING - PORT_FLOOR) // workers
    first = PORT_FLOOR + worker * width
    slots = width // PORT_STRIDE
    for _ in range(slots):
        port = first + next(_port_turns) % slots * PORT_STRIDE
        if all(_bindable(port + offset) for offset in _BESIDE):
            return port
    raise RuntimeError(f"no free port block left in {first}-{first + width}")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


_port_turns = itertools.count(os.getpid())


class ServeProcess:
    """``qiniu-emulator serve`` in a child process, for restart and signal tests."""

    def __init__(self, data: Path, *extra: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_port = free_port()
        self.admin_url = f"http://127.0.0.1:{self.admin_port}"
        self.args = [sys.executable, "-m", "qiniu_emulator", "serve", "--port", str(self.port),
                     "--admin-port", str(self.admin_port),
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
            return requests.get(f"{self.admin_url}/_emulator/health", timeout=1).status_code == 200
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


def npm_install(directory: Path, package: str) -> str:
    """``npm ci`` in ``directory`` unless ``package`` is installed at its pinned version;
    returns why it could not be installed, or "" when it is there."""
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        return f"{package} needs Node.js 18+ and npm (apt-get install nodejs npm)"
    version = json.loads((directory / "package.json").read_text())["dependencies"][package]
    installed = directory / "node_modules" / package / "package.json"
    if installed.is_file() and json.loads(installed.read_text())["version"] == version:
        return ""
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=directory, capture_output=True, text=True,
                          timeout=600)
    return "" if done.returncode == 0 else f"npm ci could not install {package} {version}: {done.stderr.strip()[-300:]}"
