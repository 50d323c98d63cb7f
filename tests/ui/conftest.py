"""Fixtures of the console tests: an emulator with a notify receiver, and sample media."""

from __future__ import annotations

from pathlib import Path

import pytest
from receiver import RecordingServer
from ui_support import jpeg, mp4


@pytest.fixture
def receiver():
    with RecordingServer() as server:
        yield server


@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    return mp4(tmp_path_factory.mktemp("ui-media") / "clip.mp4")


@pytest.fixture(scope="session")
def photo() -> bytes:
    return jpeg()
