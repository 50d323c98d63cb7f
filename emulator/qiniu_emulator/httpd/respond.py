"""Writing an answer: the status line and headers exactly as the app gave them (plus Date,
Server and the framing the connection needs), sent together with the first body bytes in
one ``sendall``; a file body sent with ``sendfile`` when large."""

from __future__ import annotations

import socket
import time
from email.utils import formatdate
from typing import Any, Callable

SMALL_FILE = 64 * 1024  # a file body up to this size is read into the header's send
JOIN_LIMIT = 256 * 1024  # a first body chunk up to this size is copied behind the header
READ_SIZE = 256 * 1024  # a file body sendfile cannot take is read and sent in pieces this large
SERVER_NAME = "qiniu-emulator"
_NO_BODY = ("1", "204", "304")


class FileWrapper:
    """``wsgi.file_wrapper``: iterates a file, and lets the server send it with ``sendfile``."""

    def __init__(self, file: Any, block_size: int = 32768) -> None:
        self.file = file
        self.block_size = block_size

    def __iter__(self) -> FileWrapper:
        return self

    def __next__(self) -> bytes:
        data = self.file.read(self.block_size)
        if not data:
            raise StopIteration
        return bytes(data)

    def seekable(self) -> bool:
        return bool(getattr(self.file, "seekable", lambda: False)())

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self.file.seek(offset, whence))

    def tell(self) -> int:
        return int(self.file.tell())

    def close(self) -> None:
        if hasattr(self.file, "close"):
            self.file.close()


def _stays_open() -> bool:
    return False


class DateHeader:
    """The Date header's value, formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def __call__(self) -> str:
        now = int(time.time())
        if now != self._second:
            self._second, self._value = now, formatdate(now, usegmt=True)
        return self._value


class Answer:
    """One answer on a connection: ``start_response`` and the writes that follow it."""

    def __init__(self, sock: socket.socket, version: str, method: str, keep_alive: bool,
                 date: Callable[[], str]) -> None:
        self.sock = sock
        self.version = version
        self.head_only = method == "HEAD"
        self.keep_alive = keep_alive
        self._date = date
        self.status = ""
        self.headers: list[tuple[str, str]] = []
        self.decided = False  # the header is built (``_pending`` holds it until it is sent)
        self._pending = b""
        self.chunked = False
        self.has_body = True
        self.length: int | None = None  # the Content-Length the app gave
        self.written = 0
        # True when the connection ends after this answer: the server drains, or the
        # request's body is unread and was never asked for (100-continue), so what follows
        # on the connection is unknown.
        self.closing: Callable[[], bool] = _stays_open

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info is not None and self.decided:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status, self.headers = status, list(headers)
        return self.write

    @property
    def body_allowed(self) -> bool:
        return self.has_body and not self.head_only

    def decide(self, guessed_length: int | None = None) -> None:
        """Build the status line and headers; choose the framing and whether the connection stays."""
        self.decided = True
        self.has_body = not self.status.startswith(_NO_BODY)
        lines = [f"HTTP/{self.version} {self.status}"]
        seen_date = seen_server = False
        for name, value in self.headers:
            lowered = name.lower()
            if lowered == "content-length":
                self.length = int(value) if value.isdigit() else None
            elif lowered == "date":
                seen_date = True
            elif lowered == "server":
                seen_server = True
            elif lowered == "connection":  # the connection is the server's: it writes that header
                self.keep_alive = self.keep_alive and value.lower() != "close"
                continue
            elif lowered == "transfer-encoding":
                continue  # the server frames the body itself
            lines.append(f"{name}: {value}")
        if self.length is None and guessed_length is not None and self.body_allowed:
            self.length = guessed_length
            lines.append(f"Content-Length: {guessed_length}")
        if self.closing():
            self.keep_alive = False
        self._framing(lines)
        if not seen_date:
            lines.append("Date: " + self._date())
        if not seen_server:
            lines.append("Server: " + SERVER_NAME)
        self._pending = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _framing(self, lines: list[str]) -> None:
        if self.length is None and self.body_allowed:
            if self.version == "1.1":
                self.chunked = True
                lines.append("Transfer-Encoding: chunked")
            else:
                self.keep_alive = False
        if not self.keep_alive:
            lines.append("Connection: close")
        elif self.version == "1.0":
            lines.append("Connection: Keep-Alive")

    def write(self, data: bytes) -> None:
        """Send body bytes; the first ones go out in the header's send."""
        if not self.decided:
            self.decide()
        if not self.body_allowed:
            data = b""
        if self.length is not None and self.written + len(data) > self.length:
            data = data[:self.length - self.written]  # never more than the announced length
        self.written += len(data)
        if self.chunked and data:
            data = b"%x\r\n%b\r\n" % (len(data), data)
        self._send(data)

    def _send(self, data: bytes) -> None:
        header, self._pending = self._pending, b""
        if header and len(data) <= JOIN_LIMIT:
            self.sock.sendall(header + data)
            return
        if header:
            self.sock.sendall(header)
        if data:
            self.sock.sendall(data)

    def finish(self) -> None:
        """End the answer: a header no body followed, the last chunk."""
        if not self.decided:
            self.decide(0)
        self._send(b"0\r\n\r\n" if self.chunked else b"")
        if self.length is not None and self.written < self.length and self.body_allowed:
            self.keep_alive = False  # the client waits for bytes that will never come

    def send_file(self, wrapper: FileWrapper) -> None:
        """Send a file body: read into the header's send when small, else with ``sendfile``
        from a file on disk to a plain socket, else read and sent in large pieces."""
        if not self.decided:
            self.decide()
        length = self.length
        if not self.body_allowed:
            self._send(b"")
        elif length is not None and length <= SMALL_FILE:
            self.write(wrapper.file.read(length) or b"")
        elif length is None or not wrapper.seekable():
            for chunk in wrapper:
                self.write(chunk)
        elif type(self.sock) is socket.socket and _descriptor(wrapper.file) is not None:
            self._send(b"")
            self.written += self.sock.sendfile(wrapper.file, wrapper.tell(), length)
        else:  # in memory, or over TLS: large reads, each sent whole
            while self.written < length and (data := wrapper.file.read(min(length - self.written, READ_SIZE))):
                self.write(data)


def _descriptor(file: Any) -> int | None:
    try:
        return int(file.fileno())
    except (AttributeError, OSError, ValueError):
        return None
