"""Answers leave in one send where they can, and every answer still reads back intact:
bodies small and large, HEAD, 304, ranges, error answers, and requests pipelined on one
connection."""

from __future__ import annotations

import os
import socket
from email.utils import formatdate
from urllib.parse import urlsplit

import pytest

SMALL, LARGE = os.urandom(1024), os.urandom(300 * 1024)


@pytest.fixture
def stored(server):
    storage = server.emulator.storage
    storage.put_bytes("demo-bucket", "small.bin", SMALL, mime="application/octet-stream")
    storage.put_bytes("demo-bucket", "large.bin", LARGE, mime="application/octet-stream")
    storage.put_bytes("demo-bucket", "empty.bin", b"", mime="application/octet-stream")
    return server


def exchange(url: str, requests: list[bytes]) -> list[tuple[int, dict[str, str], bytes]]:
    """Send ``requests`` pipelined on one connection; read each answer by its Content-Length."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(b"".join(requests))
        reader = sock.makefile("rb")
        answers = []
        for request in requests:
            status = int(reader.readline().split()[1])
            headers = {}
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            length = 0 if request.startswith(b"HEAD") or status == 304 else int(headers["content-length"])
            answers.append((status, headers, reader.read(length)))
    return answers


def get(path: str, method: str = "GET", extra: str = "") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()


def test_pipelined_downloads_of_every_shape_read_back_intact(stored) -> None:
    later = formatdate(2_000_000_000, usegmt=True)
    answers = exchange(stored.url, [
        get("/_io/demo-bucket/small.bin"),
        get("/_io/demo-bucket/large.bin"),
        get("/_io/demo-bucket/small.bin", "HEAD"),
        get("/_io/demo-bucket/empty.bin"),
        get("/_io/demo-bucket/small.bin"),
        get("/_io/demo-bucket/large.bin", extra="Range: bytes=100-199\r\n"),
        get("/_io/demo-bucket/missing.bin"),
        # A 304 has no body: the connection stays open after it.
        get("/_io/demo-bucket/small.bin", extra=f"If-Modified-Since: {later}\r\n"),
    ])
    assert [status for status, _, _ in answers] == [200, 200, 200, 200, 200, 206, 404, 304]
    assert answers[0][2] == SMALL and answers[4][2] == SMALL
    assert answers[1][2] == LARGE
    assert answers[2][1]["content-length"] == str(len(SMALL)) and answers[2][2] == b""
    assert answers[3][2] == b""
    assert answers[5][2] == LARGE[100:200]
    assert b"Document not found" in answers[6][2]
    assert all(headers.get("x-reqid") for _, headers, _ in answers)
