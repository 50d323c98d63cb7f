"""More listening ports on the main waitress server: each with its own WSGI app, all sharing
one loop and one pool of worker threads (the admin origin, the bucket domains)."""

from __future__ import annotations

import socket
from typing import Any

from waitress.server import TcpWSGIServer


def add_listener(primary: Any, app: Any, host: str, port: int) -> Any:
    """Listen on ``host:port`` (0 picks a free port) beside ``primary``; returns the new
    listener (its ``effective_port`` is the bound port).

    It joins the primary's socket map, so the running loop picks it up on its next turn.
    """
    family, socktype, proto, _, sockaddr = socket.getaddrinfo(host or None, port, socket.AF_UNSPEC,
                                                              socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0]
    listener = TcpWSGIServer(app, map=primary._map, dispatcher=primary.task_dispatcher, adj=primary.adj,
                             sockinfo=(family, socktype, proto, sockaddr))
    listener.channel_class = primary.channel_class
    return listener


def busy(listener: Any) -> bool:
    """True while one of the listener's connections is receiving, or writing out an answer."""
    return any(channel.request is not None or channel.requests or channel.total_outbufs_len
               for channel in list(listener.active_channels.values()))
