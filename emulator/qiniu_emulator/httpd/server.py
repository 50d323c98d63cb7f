"""The server: listeners opened and closed at any time, the open connections, and drain."""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..cpu_affinity import pin
from .connection import Connection, Site
from .listener import Listener, bind
from .respond import DateHeader, FileWrapper
from .turns import Turns
from .workers import Workers

BUSY_ANSWER = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nConnection: close\r\n"
               b"Retry-After: 1\r\nContent-Length: 36\r\n\r\ntoo many open connections: try again\n")


@dataclass(frozen=True)
class Limits:
    """What one server accepts; the defaults are what every port of the emulator uses."""

    max_head: int = 256 * 1024  # request line and headers
    max_body: int = 1024 ** 3
    idle_timeout: float = 120.0  # between requests on a kept connection, and inside one
    max_connections: int = 1000


class Hub:
    """The open connections of one server, and whether it is draining."""

    def __init__(self, limits: Limits, request_cpus: frozenset[int] | None = None) -> None:
        self.limits = limits
        self.date = DateHeader()
        self.workers = Workers(on_start=lambda: pin(request_cpus))
        self.turns = Turns()
        self.draining = False
        self._lock = threading.Lock()
        self._open: set[Connection] = set()
        self._empty = threading.Condition(self._lock)

    def open_connection(self, sock: socket.socket, addr: Any, site: Site) -> None:
        connection = Connection(sock, addr, site, self)
        with self._lock:
            refused = self.draining or len(self._open) >= self.limits.max_connections
            if not refused:
                self._open.add(connection)
        if not refused:
            try:
                self.workers.run(connection.run)
                return
            except RuntimeError:  # no thread to be had: answered like a connection too many
                self.forget(connection)
        _refuse(sock)

    def forget(self, connection: Connection) -> None:
        with self._lock:
            self._open.discard(connection)
            if not self._open:
                self._empty.notify_all()

    def mark_idle(self, connection: Connection) -> bool:
        """Mark a connection as waiting for its next request; False when draining (it ends)."""
        with self._lock:
            if self.draining and not connection.reader.pending:
                return False
            connection.idle = True
            return True

    def begin_drain(self) -> None:
        """No new requests: idle connections are closed, busy ones close after their answer."""
        with self._lock:
            self.draining = True
            for connection in self._open:
                if connection.idle:
                    connection.wake()

    def wait_empty(self, timeout: float) -> bool:
        with self._lock:
            return self._empty.wait_for(lambda: not self._open, timeout)

    def close_all(self) -> None:
        with self._lock:
            for connection in self._open:
                connection.wake()

    def count(self) -> int:
        with self._lock:
            return len(self._open)


def _refuse(sock: socket.socket) -> None:
    try:
        sock.settimeout(1.0)
        sock.sendall(BUSY_ANSWER)
    except OSError:
        pass
    finally:
        sock.close()


class Server:
    """Listeners over WSGI apps, sharing one hub of connections; started once, drained once."""

    def __init__(self, limits: Limits | None = None, request_cpus: frozenset[int] | None = None) -> None:
        """``request_cpus``: where connection threads run (``cpu_affinity.py``); None: anywhere."""
        self.hub = Hub(limits or Limits(), request_cpus)
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._started = False
        self.stopped = threading.Event()

    def listen(self, app: Any, host: str, port: int, gate: threading.Semaphore, *, scheme: str = "http",
               tls: Any = None, tls_refusal: bytes = b"", pinned: bool = True) -> Listener:
        """Serve ``app`` on ``host:port`` (0 picks a free port); OSError when it is taken.
        Accepting begins at :meth:`start`, or at once when the server already runs."""
        if self.hub.draining:
            raise OSError(errno.ESHUTDOWN, "the server is stopping")
        sock = bind(host, port)
        bound = int(sock.getsockname()[1])
        base = {"SERVER_NAME": _server_name(host), "SERVER_PORT": str(bound), "SERVER_SOFTWARE": "qiniu-emulator",
                "wsgi.url_scheme": scheme, "wsgi.version": (1, 0), "wsgi.errors": sys.stderr,
                "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
                "wsgi.input_terminated": True, "wsgi.file_wrapper": FileWrapper}
        site = Site(app=app, gate=gate, base=base, tls=tls, tls_refusal=tls_refusal, pinned=pinned)
        listener = Listener(sock, site, self.hub)
        with self._lock:
            self._listeners.append(listener)
            if self._started:
                listener.start()
        return listener

    def start(self) -> None:
        with self._lock:
            self._started = True
            for listener in self._listeners:
                listener.start()

    def remove(self, listener: Listener) -> None:
        """Stop accepting on one listener; its open connections go on."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)
        listener.close()

    def close_listeners(self) -> None:
        with self._lock:
            listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener.close()

    def drain(self, timeout: float) -> None:
        """Stop accepting, let requests in flight finish (at most ``timeout`` seconds), close
        idle connections, then end."""
        # Draining first: once a port refuses connections, an answer in flight already says
        # ``Connection: close``.
        self.hub.begin_drain()
        self.close_listeners()
        deadline = time.monotonic() + timeout
        if not self.hub.wait_empty(timeout):
            self.hub.close_all()
            self.hub.wait_empty(max(0.5, deadline - time.monotonic()))
        self.hub.workers.stop()
        self.stopped.set()

    def wait(self) -> None:
        """Block until :meth:`drain` has ended (signals are still handled meanwhile)."""
        while not self.stopped.wait(0.5):
            pass


def _server_name(host: str) -> str:
    return "localhost" if host in ("", "0.0.0.0", "::") else host


def gate(size: int) -> threading.Semaphore:
    """At most ``size`` requests of the listeners sharing it in their apps at once."""
    return threading.BoundedSemaphore(size)
