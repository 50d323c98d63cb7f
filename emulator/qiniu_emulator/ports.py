"""More listening ports on the main waitress server: each with its own WSGI app, all sharing
one loop and one pool of worker threads (the admin origin, the bucket domains)."""

from __future__ import annotations

import socket
from typing import Any

from waitress.server import TcpWSGIServer


def add_listener(primary: Any, app: Any, host: str, port: int) -> Any:
    """Listen on ``host:port`` (0 picks a free port) beside ``primary``; returns the new
    listener (its ``effective_port`` is the bound port). Raises OSError when the port is taken.

    The socket is bound before waitress sees it, and the listener (with its wake-up pipe)
    joins the running loop's map only once fully built: a half-made listener in the map
    would break the loop's next turn.
    """
    family, socktype, proto, _, sockaddr = socket.getaddrinfo(host or None, port, socket.AF_UNSPEC,
                                                              socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0]
    sock = socket.socket(family, socktype, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(sockaddr)
    except OSError:
        sock.close()
        raise
    staging: dict[int, Any] = {}
    listener = TcpWSGIServer(app, map=staging, _sock=sock, bind_socket=False, dispatcher=primary.task_dispatcher,
                             adj=primary.adj, sockinfo=(family, socktype, proto, sockaddr))
    listener.channel_class = primary.channel_class
    for fd, dispatcher in staging.items():
        dispatcher._map = primary._map
        primary._map[fd] = dispatcher
    return listener


def busy(listener: Any) -> bool:
    """True while one of the listener's connections is receiving, or writing out an answer."""
    return any(channel.request is not None or channel.requests or channel.total_outbufs_len
               for channel in list(listener.active_channels.values()))
