"""A waitress channel that sends a small answer's header and body in one ``send``.

waitress writes the status line and headers, then the body, each straight to the socket:
two sends, two TCP segments and two wake-ups of the client per answer, which was the
largest single cost of a small upload, stat or download. Here the task holds its header
until the first body bytes (or the end of the answer) and the channel sends both together;
a file body (``wsgi.file_wrapper``, as ``send_file`` answers) of up to ``SMALL_FILE``
bytes is read into that same send. The bytes on the wire are the same.
"""

from __future__ import annotations

from typing import Any

from waitress.buffers import ReadOnlyFileBasedBuffer
from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.task import WSGITask

SMALL_FILE = 64 * 1024


class HeaderWithBodyTask(WSGITask):
    """A WSGI task whose header write the channel holds for the body that follows."""

    channel: OneSendChannel

    def service(self) -> None:
        try:
            super().service()
        finally:
            self.channel.release_header()

    def write(self, data: bytes) -> None:
        if not self.wrote_header:
            self.channel.hold_next_write()
        super().write(data)


class OneSendChannel(HTTPChannel):
    """Sends a held header together with the body bytes written after it."""

    task_class = HeaderWithBodyTask
    _holding = False
    _held = b""

    def hold_next_write(self) -> None:
        self._holding = True

    def release_header(self) -> None:
        """Send a header no body followed (HEAD, 304, an empty body, an error)."""
        header, self._held, self._holding = self._held, b"", False
        if header and self.connected:
            try:
                super().write_soon(header)
            except ClientDisconnected:
                pass

    def write_soon(self, data: Any) -> int:
        if self._holding:
            self._holding = False
            self._held = bytes(data)
            return len(data)
        if not self._held:
            return int(super().write_soon(data))
        header, self._held = self._held, b""
        if isinstance(data, ReadOnlyFileBasedBuffer) and len(data) <= SMALL_FILE:
            body = data.get(len(data), skip=True)
            data.close()
            data = body
        if isinstance(data, bytes):
            return int(super().write_soon(header + data)) - len(header)
        super().write_soon(header)
        return int(super().write_soon(data))
