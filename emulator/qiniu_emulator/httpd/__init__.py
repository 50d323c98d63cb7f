"""A small HTTP/1.1 server for the emulator's WSGI apps: a thread per connection, blocking
sockets, requests parsed with plain bytes operations, bodies streamed to the app, and an
answer's header and small body written in one send.

``parse`` reads a request head, ``body`` the request bodies, ``respond`` writes answers,
``connection`` serves one connection, ``listener`` and ``server`` accept and drain.
"""

from __future__ import annotations

# The environ key of a callable that answers True once the client has disconnected.
CLIENT_GONE = "qiniu_emulator.client_disconnected"
