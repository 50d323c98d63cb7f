"""The emulator on the HTTP server: the admin origin answers health while every service
thread is taken (tests/origins/test_bucket_ports.py covers ports opened at runtime)."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from rawhttp import connect


def test_health_answers_while_every_service_thread_is_busy(start_emulator) -> None:
    server = start_emulator(threads=1)
    port = urlsplit(server.url).port
    size = 200_000  # streamed to the app, which waits inside its read for the rest
    with connect(port) as upload:
        upload.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                       f"Content-Length: {size}\r\n\r\n".encode() + b"--b\r\n" + b"x" * 1000)
        health = requests.get(f"{server.admin_url}/_emulator/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        upload.close()
    assert requests.get(f"{server.url}/_io/demo-bucket/missing", timeout=10).status_code == 404
