"""A ``qiniu-emulator serve`` child process for the benchmarks that time whole requests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ACCESS_KEY, SECRET_KEY = "bench-ak", "bench-sk"
BUCKET = "bench-bucket"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(data: Path, port: int, s3_port: int = 0) -> subprocess.Popen[bytes]:
    """Serve ``data`` on ``port`` (its S3 door on ``s3_port``, 0: any free port) with the benchmark
    account and bucket; returns once healthy."""
    proc = subprocess.Popen([sys.executable, "-m", "qiniu_emulator", "serve", "--port", str(port),
                             "--s3-port", str(s3_port), "--data", str(data),
                             "--account", f"{ACCESS_KEY}:{SECRET_KEY}", "--bucket", BUCKET, "--log-level", "WARNING"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_emulator/health", timeout=1).status_code == 200:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the emulator did not start")
