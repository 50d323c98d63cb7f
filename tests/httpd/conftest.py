"""Servers of ``qiniu_emulator.httpd`` over small WSGI apps, spoken to with raw sockets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from qiniu_emulator.httpd.server import Limits, Server, gate


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, raw_head: bytes) -> None:
        self.status, self.headers, self.body, self.raw_head = status, headers, body, raw_head


def read_answer(reader: Any, head_only: bool = False) -> Answer:
    """One answer from a socket's file: framed by Content-Length, chunks, or the close."""
    status_line = reader.readline()
    assert status_line, "the server closed without answering"
    raw = [status_line]
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        raw.append(line)
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    status = int(status_line.split()[1])
    if head_only or status in (100, 204, 304):
        body = b""
    elif "content-length" in headers:
        body = reader.read(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        parts = []
        while (size := int(reader.readline().strip(), 16)):
            parts.append(reader.read(size))
            reader.readline()
        reader.readline()
        body = b"".join(parts)
    else:
        body = reader.read()
    return Answer(status, headers, body, b"".join(raw))


def closed(sock: socket.socket) -> bool:
    """True once the server has closed the connection (waits up to the socket's timeout)."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[Server, int]]]:
    """Start a server over an app on a free loopback port: ``serve(app, threads=4, limits=...)``."""
    servers: list[Server] = []

    def start(app: Any, threads: int = 4, limits: Limits | None = None, **options: Any) -> tuple[Server, int]:
        server = Server(limits)
        listener = server.listen(app, "127.0.0.1", 0, gate(threads), **options)
        server.start()
        servers.append(server)
        return server, listener.port

    yield start
    for server in servers:
        server.drain(5)


def connect(port: int, timeout: float = 10) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)
