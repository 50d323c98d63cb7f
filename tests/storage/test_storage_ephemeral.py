"""--ephemeral: the same answers on the wire, state in a temp dir that goes at exit, no fsync."""

from __future__ import annotations

import os

import pytest
import requests

from qiniu_emulator.storage import Storage
from qiniu_emulator.storage import durability as durability_module
from qiniu_emulator.storage.durability import DURABLE, EPHEMERAL


def test_an_ephemeral_server_stores_and_serves_outside_its_data_dir(start_emulator, sdk_for, tmp_path):
    unused = tmp_path / "not-created"
    server = start_emulator(ephemeral=True, data=unused)
    auth = sdk_for(server)
    import qiniu

    token = auth.upload_token("demo-bucket")
    ret, info = qiniu.put_data(token, "hello.txt", b"hello, ephemeral")
    assert info.status_code == 200, info
    stat, info = qiniu.BucketManager(auth).stat("demo-bucket", "hello.txt")
    assert info.status_code == 200 and stat["fsize"] == 16
    assert requests.get(f"{server.url}/_io/demo-bucket/hello.txt").content == b"hello, ephemeral"
    home = server.emulator.storage.data_dir
    assert home.is_dir() and not unused.exists()
    server.stop()
    assert not home.exists()


@pytest.mark.parametrize("policy, fsyncs", [(DURABLE, True), (EPHEMERAL, False)])
def test_only_the_durable_policy_fsyncs(tmp_path, monkeypatch, policy, fsyncs):
    calls: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(durability_module.os, "fsync", counting)
    storage = Storage(tmp_path / "data", durability=policy)
    try:
        storage.create_bucket("bkt")
        storage.put_bytes("bkt", "k", b"x" * 10, mime="text/plain")
        source = tmp_path / "src.bin"
        source.write_bytes(b"payload")
        storage.put_path("bkt", "k2", source, mime="text/plain")
        pragma = storage.database.query_one("PRAGMA synchronous")
    finally:
        storage.close()
    assert bool(calls) is fsyncs
    assert pragma is not None and pragma[0] == (2 if fsyncs else 0)  # FULL is 2, OFF is 0


def test_ephemeral_state_goes_to_a_memory_dir_with_room_unless_tmpdir_says_otherwise(tmp_path, monkeypatch):
    from qiniu_emulator.storage.durability import MEMORY_DIR_MIN_FREE, ephemeral_parent

    class Free:
        def __init__(self, free: int) -> None:
            self.f_bavail, self.f_frsize = free // 4096, 4096

    monkeypatch.setattr(durability_module.os, "statvfs", lambda path: Free(MEMORY_DIR_MIN_FREE))
    assert ephemeral_parent({}, tmp_path) == tmp_path
    assert ephemeral_parent({"TMPDIR": str(tmp_path)}, tmp_path) is None
    assert ephemeral_parent({}, tmp_path / "absent") is None
    monkeypatch.setattr(durability_module.os, "statvfs", lambda path: Free(64 << 20))  # Docker's default
    assert ephemeral_parent({}, tmp_path) is None
