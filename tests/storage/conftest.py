"""Fixtures for the storage layer tests: a fresh data directory with one bucket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qiniu_emulator.storage import Storage

BUCKET = "demo-bucket"


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    store = Storage(tmp_path / "data")
    store.create_bucket(BUCKET)
    yield store
    store.close()


@pytest.fixture
def bucket_dir(storage: Storage) -> Path:
    return storage.data_dir / "buckets" / BUCKET
