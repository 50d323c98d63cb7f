"""Reading from a connection: request heads, and request bodies streamed to the app as
``wsgi.input`` (a Content-Length body read as the app asks for it; a chunked body decoded,
and spooled so the app is told its length, as WSGI apps expect CONTENT_LENGTH)."""

from __future__ import annotations

import socket
import tempfile
from typing import IO, Callable

from werkzeug.exceptions import ClientDisconnected

from .parse import BAD_REQUEST, HttpError

RECV_SIZE = 64 * 1024
MAX_CHUNK_LINE = 4096
MAX_TRAILERS = 16 * 1024  # trailer bytes after a chunked body; an endless list would hold a thread
SPOOL_IN_MEMORY = 512 * 1024  # a decoded chunked body above this goes to a temp file
TOO_LARGE = "413 Payload Too Large"


class BodyIncomplete(ClientDisconnected):
    """The client stopped sending a body it announced (closed, or silent past the timeout).

    Raised inside the app's reads as werkzeug's :class:`ClientDisconnected`, so a Flask app
    answers it as a 400 of its own instead of an internal error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class SocketReader:
    """Buffered reads from a blocking socket; ``pending`` holds bytes received but not used."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = b""

    def fill(self) -> bool:
        """Receive more bytes; False at the end of the stream."""
        data = self.sock.recv(RECV_SIZE)
        if not data:
            return False
        self.pending = self.pending + data if self.pending else data
        return True

    def head(self, limit: int) -> bytes | None:
        """The next request head (without its blank line); None when the client closed
        between requests. :class:`HttpError` 431 past ``limit`` bytes."""
        start = 0
        while True:
            if self.pending[:2] == b"\r\n":  # empty lines before a request line are ignored
                self.pending = self.pending.lstrip(b"\r\n")
            end = self.pending.find(b"\r\n\r\n", start)
            if 0 <= end <= limit:
                head, self.pending = self.pending[:end], self.pending[end + 4:]
                return head
            if len(self.pending) > limit:
                raise HttpError("431 Request Header Fields Too Large", f"the request head exceeds {limit} bytes")
            start = max(0, len(self.pending) - 3)
            if not self.fill():
                return None

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes (at least one); b"" at the end of the stream."""
        if self.pending:
            data, self.pending = self.pending[:size], self.pending[size:]
            return data
        return self.sock.recv(min(size, 1 << 20))

    def read_exact(self, size: int) -> bytes:
        parts, wanted = [], size
        while wanted:
            data = self.read(wanted)
            if not data:
                raise BodyIncomplete("the client closed before the whole body arrived")
            parts.append(data)
            wanted -= len(data)
        return b"".join(parts)

    def line(self, limit: int) -> bytes:
        """One CRLF-ended line without its CRLF (chunk sizes, trailers)."""
        while True:
            end = self.pending.find(b"\r\n")
            if end >= 0:
                line, self.pending = self.pending[:end], self.pending[end + 2:]
                return line
            if len(self.pending) > limit:
                raise HttpError(BAD_REQUEST, "a chunk-size or trailer line is too long")
            if not self.fill():
                raise BodyIncomplete("the client closed inside a chunked body")


class LengthBody:
    """``wsgi.input`` for a body of Content-Length bytes: reads pass through to the socket,
    and the first one sends ``100 Continue`` when the client asked for it."""

    def __init__(self, reader: SocketReader, length: int, on_first_read: Callable[[], None] | None) -> None:
        self._reader = reader
        self.broken = False  # a read failed: the connection cannot carry another request
        self.remaining = length
        self._on_first_read = on_first_read
        self.continued = on_first_read is None

    def _begin(self) -> None:
        if not self.continued:
            self.continued = True
            if self._on_first_read is not None:
                self._on_first_read()

    def read(self, size: int | None = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        self._begin()
        if size is None or size < 0 or size >= self.remaining:
            data = self._read_some(self.remaining, exact=True)
        else:
            data = self._read_some(size, exact=False)
        self.remaining -= len(data)
        return data

    def _read_some(self, size: int, exact: bool) -> bytes:
        try:
            data = self._reader.read_exact(size) if exact else self._reader.read(size)
            if not data:
                raise BodyIncomplete("the client closed before the whole body arrived")
        except TimeoutError:
            self.broken = True
            raise BodyIncomplete("the client sent no body bytes within the timeout") from None
        except (OSError, BodyIncomplete):
            self.broken = True
            raise BodyIncomplete("the client closed before the whole body arrived") from None
        return data

    def readline(self, size: int | None = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        self._begin()
        reader = self._reader
        limit = self.remaining if size is None or size < 0 else min(size, self.remaining)
        while b"\n" not in reader.pending[:limit] and len(reader.pending) < limit:
            if not self._fill():
                self.broken = True
                raise BodyIncomplete("the client closed before the whole body arrived")
        end = reader.pending.find(b"\n", 0, limit)
        data = reader.read(limit if end < 0 else end + 1)
        self.remaining -= len(data)
        return data

    def _fill(self) -> bool:
        try:
            return self._reader.fill()
        except OSError:
            return False

    def readlines(self, hint: int = -1) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self) -> LengthBody:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def discard(self, limit: int) -> bool:
        """Read and drop what the app left unread, up to ``limit`` bytes; True when the
        connection is positioned at the next request."""
        if self.remaining <= 0:
            return not self.broken
        if self.broken or not self.continued or self.remaining > limit:
            return False
        try:
            while self.remaining > 0:
                self.read(min(self.remaining, RECV_SIZE))
        except BodyIncomplete:
            return False
        return True


def spool_chunked(reader: SocketReader, max_body: int) -> IO[bytes]:
    """Decode a chunked body (RFC 9112 §7.1) into a spooled file positioned at its start;
    :class:`HttpError` 400 for bad framing, 413 past ``max_body`` bytes."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (the app reads it)
    total = 0
    try:
        while True:
            size = _chunk_size(reader.line(MAX_CHUNK_LINE))
            if size == 0:
                break
            total += size
            if total >= max_body:
                raise HttpError(TOO_LARGE, f"the body exceeds {max_body} bytes")
            while size:
                data = reader.read(min(size, RECV_SIZE))
                if not data:
                    raise BodyIncomplete("the client closed inside a chunked body")
                spool.write(data)
                size -= len(data)
            if reader.line(MAX_CHUNK_LINE) != b"":
                raise HttpError(BAD_REQUEST, "a chunk is longer than its size says")
        trailers = 0
        while line := reader.line(MAX_CHUNK_LINE):  # trailer fields are read and dropped
            trailers += len(line)
            if trailers > MAX_TRAILERS:
                raise HttpError(BAD_REQUEST, f"the trailer fields exceed {MAX_TRAILERS} bytes")
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _chunk_size(line: bytes) -> int:
    digits = line.partition(b";")[0].strip(b" \t")
    if not digits or len(digits) > 15 or not all(c in b"0123456789abcdefABCDEF" for c in digits):
        raise HttpError(BAD_REQUEST, "malformed chunk size in a chunked body")
    return int(digits, 16)
