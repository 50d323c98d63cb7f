"""Requests the emulator makes to other servers: notify deliveries, upload callbacks and
the URLs ops fetch.

One rule for all of them: a fresh connection per request (they are rare, and a shared
session is not safe across the worker threads that make them), and one deadline for the
whole exchange, connect to last byte. The deadline is enforced by shutting the socket
down when it passes, so a receiver that trickles a byte a second cannot hold a thread
past it. Answers larger than ``max_bytes`` are cut off with an error.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Mapping
from urllib.parse import urlsplit

CHUNK = 1 << 16


class OutboundError(Exception):
    """The exchange failed before a full answer arrived (refused, timed out, too large).

    ``refused`` marks a connection to an address the caller does not allow.
    """

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes = b""  # empty when the body went to a sink


@dataclass
class Outbound:
    """Makes one HTTP(S) request at a time under a deadline and a size cap."""

    timeout: float = 5.0
    max_bytes: int = 50 * 1024 * 1024
    # Made at the first https request: loading the system CA store takes tens of ms per context.
    tls: ssl.SSLContext | None = field(default=None, repr=False)

    def request(self, method: str, url: str, body: bytes = b"", headers: Mapping[str, str] | None = None,
                sink: BinaryIO | None = None, timeout: float | None = None,
                allow_address: Callable[[str], bool] | None = None) -> Answer:
        """Send one request; the answer's body goes to ``sink`` when given.

        ``allow_address`` is asked about the address actually connected to (after DNS),
        before anything is sent. Raises :class:`OutboundError` with a short reason on
        any transport failure.
        """
        seconds = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + seconds
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutboundError(f"not an http(s) URL: {url[:80]!r}")
        if allow_address is not None:
            _check_addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                             allow_address)
        conn = self._connection(parts.scheme, parts.hostname, parts.port, seconds)
        watchdog: threading.Timer | None = None
        expired = threading.Event()
        try:
            conn.connect()  # bounded by the socket timeout; the rest by the watchdog
            if allow_address is not None and conn.sock is not None \
                    and not allow_address(conn.sock.getpeername()[0]):
                raise OutboundError("address not allowed", refused=True)
            watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), _shut, args=(conn, expired))
            watchdog.daemon = True
            watchdog.start()
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request(method, target, body=body or None, headers=dict(headers or {}))
            response = conn.getresponse()
            data = self._read(response, sink, deadline)
            if expired.is_set():  # the socket was shut under the exchange: whatever arrived is cut short
                raise OutboundError(f"no complete answer within {seconds:g} s")
            return Answer(status=response.status, headers=dict(response.getheaders()), body=data)
        except OutboundError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            if time.monotonic() >= deadline:
                raise OutboundError(f"no complete answer within {seconds:g} s") from exc
            raise OutboundError(_reason(exc)) from exc
        finally:
            if watchdog is not None:
                watchdog.cancel()
            conn.close()

    def _connection(self, scheme: str, host: str, port: int | None,
                    seconds: float) -> http.client.HTTPConnection:
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=seconds, context=self._tls())
        return http.client.HTTPConnection(host, port, timeout=seconds)

    def _tls(self) -> ssl.SSLContext:
        if self.tls is None:  # two threads may both make one; either serves
            self.tls = ssl.create_default_context()
        return self.tls

    def _read(self, response: http.client.HTTPResponse, sink: BinaryIO | None, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read(CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise OutboundError(f"answer larger than {self.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise OutboundError("answer not finished in time")
            if sink is not None:
                sink.write(chunk)
            else:
                chunks.append(chunk)
        return b"".join(chunks)


def _check_addresses(host: str, port: int, allow: Callable[[str], bool]) -> None:
    """Refuse before connecting when the name resolves to an address the caller does not allow,
    so that whether something listens there never shows; the connected address is checked
    again after connecting (the name may resolve differently the second time)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise OutboundError("host not found") from exc
    if not infos or not all(allow(str(info[4][0])) for info in infos):
        raise OutboundError("address not allowed", refused=True)


def _shut(conn: http.client.HTTPConnection, expired: threading.Event) -> None:
    """Unblock whatever the request thread is waiting for: the deadline has passed."""
    expired.set()
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return "host not found"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    return type(exc).__name__
