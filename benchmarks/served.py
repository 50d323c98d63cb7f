"""A ``qiniu-emulator serve`` child process for the benchmarks that time whole requests."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ACCESS_KEY, SECRET_KEY = "bench-ak", "bench-sk"
BUCKET = "bench-bucket"
ADMIN_WRITE = {"X-Qiniu-Emulator": "1"}  # writes to the admin origin carry it


def free_port(span: int = 4) -> int:
    """A port whose next ``span`` - 1 ports are free too (the admin and S3 ports sit at +2 and +3).

    Taken below the kernel's ephemeral range, so the benchmark's own client connections
    cannot be holding one of them."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        if all(_bindable(port + offset) for offset in range(span)):
            return port
    raise SystemExit("no free block of ports between 20000 and 32000")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def admin_url(port: int) -> str:
    """The console and /_emulator/ endpoints of the emulator serving on ``port`` (``--port`` + 2)."""
    return f"http://127.0.0.1:{port + 2}"


def start(data: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """Serve ``data`` on ``port`` with the benchmark account and bucket (and ``extra`` flags);
    returns once healthy."""
    proc = subprocess.Popen([sys.executable, "-m", "qiniu_emulator", "serve", "--port", str(port),
                             "--data", str(data), "--account", f"{ACCESS_KEY}:{SECRET_KEY}",
                             "--bucket", BUCKET, "--log-level", "WARNING",
                             # kernel-chosen bucket ports: the block above a kernel-chosen port
                             # may be held by the benchmark's own client connections
                             "--bucket-ports", "auto", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{admin_url(port)}/_emulator/health", timeout=1).status_code == 200:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the emulator did not start")
