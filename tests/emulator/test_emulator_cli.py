"""serve's start-up messages as a user meets them: a busy port, the buckets a data dir holds."""

from __future__ import annotations

import socket
import subprocess
import sys

from support import ServeProcess, free_port


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qiniu_emulator", *args], capture_output=True, text=True,
                          timeout=180, cwd=cwd)


def one_line_error(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr and "usage:" not in done.stderr, done.stderr
    return lines[0]


def test_a_busy_port_is_named_in_one_line(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = run_cli("serve", "--port", str(port), "--data", str(tmp_path / "data"))
    assert done.returncode == 1
    line = one_line_error(done)
    assert f"port {port} on 127.0.0.1 is in use" in line and "--port" in line


def test_a_port_held_by_an_emulator_says_so(tmp_path):
    first = ServeProcess(tmp_path / "one").start()
    try:
        done = run_cli("serve", "--port", str(first.port), "--data", str(tmp_path / "two"))
    finally:
        first.stop()
    assert done.returncode == 1
    assert "qiniu-emulator" in one_line_error(done) and "is already serving there" in done.stderr


def banner_buckets(*args: str) -> str:
    """The banner's buckets line of ``serve`` started with ``args``, then stopped."""
    proc = subprocess.Popen([sys.executable, "-m", "qiniu_emulator", "serve", "--port", str(free_port()), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.strip().startswith("buckets"):
                return line.split(":", 1)[1].strip()
        raise AssertionError("no buckets line in the banner")
    finally:
        proc.terminate()
        proc.wait(30)


def test_the_banner_lists_the_buckets_the_data_dir_holds(tmp_path):
    data = str(tmp_path / "data")
    assert banner_buckets("--data", data, "--bucket", "made-first") == "made-first"
    assert banner_buckets("--data", data, "--bucket", "made-later") == "made-first, made-later"
    assert banner_buckets("--data", data) == "made-first, made-later"
