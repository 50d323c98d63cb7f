"""A listening socket and the thread accepting on it; connections go to the server's hub."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from typing import TYPE_CHECKING

from .connection import Site

if TYPE_CHECKING:
    from .server import Hub

log = logging.getLogger("qiniu_emulator.httpd")

BACKLOG = 1024
_OUT_OF_RESOURCES = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (0 picks a free port); OSError when it is taken."""
    family, socktype, proto, _, sockaddr = socket.getaddrinfo(host or None, port, socket.AF_UNSPEC,
                                                              socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0]
    sock = socket.socket(family, socktype, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(sockaddr)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


class Listener:
    """One bound port serving one :class:`Site`."""

    def __init__(self, sock: socket.socket, site: Site, hub: Hub) -> None:
        self.sock = sock
        self.site = site
        self.hub = hub
        self.port = int(sock.getsockname()[1])
        self.closed = False
        self._thread = threading.Thread(target=self._accept_loop, name=f"qiniu-emulator-accept-{self.port}",
                                        daemon=True)

    def start(self) -> None:
        if not self.closed and not self._thread.is_alive():
            self._thread.start()

    def close(self) -> None:
        """Stop accepting: new connections are refused from now on; open ones go on."""
        if self.closed:
            return
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(5)
        self.sock.close()

    def _accept_loop(self) -> None:
        while not self.closed:
            try:
                sock, addr = self.sock.accept()
            except OSError as exc:
                if self.closed:
                    return
                if exc.errno in _OUT_OF_RESOURCES:
                    log.warning("port %d cannot accept a connection now: %s", self.port, exc)
                    time.sleep(0.1)
                continue
            self.hub.open_connection(sock, addr, self.site)
