"""Speaking HTTP over raw sockets: reading one answer, noticing a close."""

from __future__ import annotations

import socket
from typing import Any


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


def connect(port: int, timeout: float = 10) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def ends(sock: socket.socket) -> bool:
    """True once the server closes the connection, whatever it sends before (a TLS alert)."""
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    return True
