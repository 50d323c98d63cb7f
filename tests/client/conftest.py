"""Fixtures for the client tests: a recording HTTP server and mock credentials."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from client_recording_server import AK, SK, RecordingServer
from qiniu_fop import Auth


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    srv = RecordingServer()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def auth() -> Auth:
    return Auth(AK, SK)
