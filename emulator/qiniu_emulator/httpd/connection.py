"""One client connection on a thread of its own: read a request, call the app (at most the
gate's number of requests are in the apps at once, taking turns as ``turns.py`` says), write
the answer, and keep the connection for the next request while the client wants it."""

from __future__ import annotations

import io
import logging
import select
import socket
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from ..cpu_affinity import every_cpu
from . import CLIENT_GONE
from .body import TOO_LARGE, BodyIncomplete, LengthBody, SocketReader, spool_chunked
from .parse import Head, HttpError, parse_head
from .respond import Answer, FileWrapper

if TYPE_CHECKING:
    import ssl

    from .server import Hub

log = logging.getLogger("qiniu_emulator.httpd")

TLS_HANDSHAKE = 0x16  # the first byte of a TLS record that opens a handshake
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
PREREAD = 64 * 1024  # bodies up to this size are read whole before the app is called
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL | getattr(select, "POLLRDHUP", 0)


@dataclass
class Site:
    """What a listener serves: the app, the gate its requests pass, and the environ keys
    every request on it shares."""

    app: Any
    gate: threading.Semaphore
    base: dict[str, Any] = field(default_factory=dict)
    tls: ssl.SSLContext | None = None
    tls_refusal: bytes = b""  # a plain port's answer to a TLS handshake (empty: just close)
    # Requests on the request CPU taking turns (cpu_affinity.py, turns.py): throughput. The
    # admin port's run anywhere at once instead, so health answers promptly while ops load
    # every core.
    pinned: bool = True


class Connection:
    def __init__(self, sock: socket.socket, addr: Any, site: Site, hub: Hub) -> None:
        self.sock = sock
        self.addr = addr
        self.site = site
        self.hub = hub
        self.idle = False  # waiting for the first byte of a request: drain may close it
        self.reader = SocketReader(sock)
        self._fd = sock.fileno()
        self._linger = False  # closing with request bytes unread: let the client read the answer first
        self._check_tls = site.tls is None and bool(site.tls_refusal)

    def run(self) -> None:
        try:
            if not self.hub.mark_idle(self):  # a TLS handshake counts as waiting: drain ends it
                return
            self._setup()
            with nullcontext() if self.site.pinned else every_cpu():
                while self._serve_one():
                    pass
        except (OSError, ValueError, BodyIncomplete):
            pass  # the client went away or stopped sending, or its TLS handshake failed
        except Exception:  # noqa: BLE001 (a connection's failure must not end the server)
            log.exception("connection from %s failed", self.addr)
        finally:
            self.hub.forget(self)  # first: the hub never wakes a descriptor closed (and reused) since
            self._close()

    def wake(self) -> None:
        """Make a blocked read return, also inside a TLS handshake: the connection ends (used
        by drain, under the hub's lock while the connection is open)."""
        handle = socket.socket(fileno=self._fd)  # the descriptor, whichever object wraps it now
        try:
            handle.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        finally:
            handle.detach()

    def client_gone(self) -> bool:
        """True once the client has closed or reset the connection (for the app, while it works)."""
        poller = select.poll()
        poller.register(self._fd, select.POLLIN | _GONE)
        return any(events & _GONE for _, events in poller.poll(0))

    def _setup(self) -> None:
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(self.hub.limits.idle_timeout)
        if self.site.tls is not None:
            self.sock = self.site.tls.wrap_socket(self.sock, server_side=True)
            self.reader.sock = self.sock

    def _next_head(self) -> bytes | None:
        if not self.hub.mark_idle(self):
            return None
        try:
            if self._check_tls:  # the connection's first bytes: a TLS handshake is refused
                self._check_tls = False
                if not self.reader.fill():
                    return None
                if self.reader.pending[0] == TLS_HANDSHAKE:
                    self._refuse_tls()
                    return None
            return self.reader.head(self.hub.limits.max_head)
        except TimeoutError:
            return None
        finally:
            self.idle = False

    def _serve_one(self) -> bool:
        """Serve one request; True when the connection stays open for another."""
        version = "1.1"
        try:
            raw = self._next_head()
            if raw is None:
                return False
            head = parse_head(raw)
            version = head.version
            environ = self._environ(head)
            body = self._body(head, environ)
        except HttpError as error:
            self._answer_error(error, version)
            return False
        answer = Answer(self.sock, head.version, head.method, head.keep_alive, self.hub.date)
        hub = self.hub
        if isinstance(body, LengthBody):
            answer.closing = lambda: hub.draining or body.broken or (not body.continued and body.remaining > 0)
        else:
            answer.closing = lambda: hub.draining
        try:
            with self.site.gate:
                # A body still coming from the client takes no turn: a slow client would hold it.
                takes_turn = self.site.pinned and not isinstance(body, LengthBody)
                if not self._call(environ, answer, takes_turn):
                    return False
        finally:
            if body is not None and not isinstance(body, LengthBody):
                body.close()
        if isinstance(body, LengthBody) and not body.discard(self.hub.limits.max_body):
            self._linger = True
            return False
        return answer.keep_alive and not self.hub.draining

    def _environ(self, head: Head) -> dict[str, Any]:
        environ = head.environ
        environ.update(self.site.base)
        host = self.addr[0] if isinstance(self.addr, tuple) else ""
        environ["REMOTE_ADDR"] = environ["REMOTE_HOST"] = host
        environ["REMOTE_PORT"] = str(self.addr[1]) if isinstance(self.addr, tuple) else ""
        environ[CLIENT_GONE] = self.client_gone
        return environ

    def _body(self, head: Head, environ: dict[str, Any]) -> LengthBody | IO[bytes] | None:
        """Set ``wsgi.input``; the spooled file or the streaming body it is (None when empty)."""
        limits = self.hub.limits
        if head.chunked:
            if head.expect_continue:
                self.sock.sendall(CONTINUE)
            try:
                spool = spool_chunked(self.reader, limits.max_body)
            except TimeoutError:
                raise BodyIncomplete("the client sent no body bytes within the timeout") from None
            environ["CONTENT_LENGTH"] = str(spool.seek(0, io.SEEK_END))
            spool.seek(0)
            environ["wsgi.input"] = spool
            return spool
        if head.content_length >= limits.max_body:
            raise HttpError(TOO_LARGE, f"the body exceeds {limits.max_body} bytes")
        if head.content_length and head.content_length <= PREREAD and not head.expect_continue:
            # A small body is read before the request waits at the gate: a client trickling
            # it in holds no app thread meanwhile.
            try:
                data = self.reader.read_exact(head.content_length)
            except TimeoutError:
                raise BodyIncomplete("the client sent no body bytes within the timeout") from None
            environ["wsgi.input"] = io.BytesIO(data)
            return None
        if head.content_length:
            on_read = (lambda: self.sock.sendall(CONTINUE)) if head.expect_continue else None
            body = LengthBody(self.reader, head.content_length, on_read)
            environ["wsgi.input"] = body
            return body
        environ["wsgi.input"] = io.BytesIO()
        return None

    def _call(self, environ: dict[str, Any], answer: Answer, takes_turn: bool) -> bool:
        """Run the app and write its answer; False when the connection must end."""
        result: Any = None
        try:
            turn = takes_turn and self.hub.turns.take()
            try:
                # A body still streaming in is read and hashed alongside the others: every CPU.
                with nullcontext() if takes_turn else every_cpu():
                    result = self.site.app(environ, answer.start_response)
            finally:
                if turn:
                    self.hub.turns.give_back()
            if type(result) is FileWrapper:
                answer.send_file(result)
            else:
                if not answer.decided and type(result) is list and len(result) == 1:
                    answer.decide(len(result[0]))
                for chunk in result:
                    if chunk:
                        answer.write(chunk)
            answer.finish()
            return True
        except (OSError, ValueError, BodyIncomplete):
            return False  # the client went away (or stopped sending its body)
        except Exception:  # noqa: BLE001 (an app's failure is answered, not raised)
            log.exception("the app failed on %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            if not answer.decided:
                self._answer_error(HttpError("500 Internal Server Error", "the server failed"), answer.version)
            return False
        finally:
            if hasattr(result, "close"):
                result.close()

    def _answer_error(self, error: HttpError, version: str) -> None:
        """The server's own answer to a request it cannot serve; the connection then closes."""
        body = f"{error.status.partition(' ')[2]}\r\n\r\n{error.reason}\r\n".encode()
        head = (f"HTTP/{version} {error.status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\nDate: {self.hub.date()}\r\n"
                f"Server: qiniu-emulator\r\n\r\n").encode()
        self._linger = True
        try:
            self.sock.sendall(head + body)
        except OSError:
            pass

    def _refuse_tls(self) -> None:
        body = self.site.tls_refusal
        answer = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        self._linger = True
        self.sock.sendall(answer)

    def _close(self) -> None:
        """Close; after an answer sent with request bytes unread, first read and drop what the
        client still sends for a moment, so its answer is not lost to a reset."""
        try:
            if self._linger:
                socket.socket.shutdown(self.sock, socket.SHUT_WR)
                self.sock.settimeout(1.0)
                for _ in range(64):
                    if not self.sock.recv(65536):
                        break
        except (OSError, ValueError):
            pass
        finally:
            self.sock.close()
