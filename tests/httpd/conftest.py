"""Servers of ``qiniu_emulator.httpd`` over small WSGI apps, spoken to with raw sockets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import pytest

from qiniu_emulator.httpd.server import Limits, Server, gate


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[Server, int]]]:
    """Start a server over an app on a free loopback port: ``serve(app, threads=4, limits=...)``."""
    servers: list[Server] = []

    def start(app: Any, threads: int = 4, limits: Limits | None = None,
              request_cpus: frozenset[int] | None = None, **options: Any) -> tuple[Server, int]:
        server = Server(limits, request_cpus)
        listener = server.listen(app, "127.0.0.1", 0, gate(threads), **options)
        server.start()
        servers.append(server)
        return server, listener.port

    yield start
    for server in servers:
        server.drain(5)
