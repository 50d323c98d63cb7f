"""Hashes recorded on write: qetag vectors, MD5 and CRC-32, and streaming limits."""

from __future__ import annotations

import io
import time
import zlib

import pytest
from support import ramp

from qiniu_emulator.errors import QiniuError
from qiniu_emulator.storage import Storage
from qiniu_emulator.wire import list_item_json, stat_json

BUCKET = "demo-bucket"
MIB = 1 << 20


@pytest.mark.parametrize(
    ("data", "etag"),
    [
        (b"", "Fto5o-5ea0sNMlW_75VgGJCv2AcJ"),
        (b"hello world", "FiqubDXJT8-0FdvpX0CLnOke6Ebt"),
        (b"hello retry!", "FlYu0iBR1WpvYi4whKXiBuQpyLLk"),
        (b"\0" * (MIB - 1) + b"0", "FnlAdmDasGTQOIgrU1QIZaGDv_1D"),
        (b"\0" * (4 * MIB) + b"0", "ljF323utglY3GI6AvLgawSJ4_dgk"),
        (ramp(4 * MIB + 1), "lvZaaqqoPggoRo61yE2jdqWTRxML"),
    ],
    ids=["empty", "hello-world", "hello-retry", "1MiB", "4MiB+1-zeros", "4MiB+1-ramp"],
)
def test_stored_objects_carry_the_qetag(storage: Storage, data: bytes, etag: str) -> None:
    info = storage.put_bytes(BUCKET, "obj", data, mime="application/octet-stream")
    assert info.hash == etag
    assert info.fsize == len(data)
    assert stat_json(storage.stat(BUCKET, "obj"))["hash"] == etag


def test_temp_file_hashes_a_stream(storage: Storage) -> None:
    data = b"hello world"
    with storage.temp_file() as temp:
        assert temp.write_stream(io.BytesIO(data)) == len(data)
    assert temp.etag == "FiqubDXJT8-0FdvpX0CLnOke6Ebt"
    assert temp.md5_hex == "5eb63bbbe01eeed093cb22bb8f5acdc3"
    assert temp.crc32 == 222957957 == zlib.crc32(data)
    assert temp.path.read_bytes() == data
    temp.discard()
    assert not temp.path.exists()


def test_stream_over_the_limit_is_a_413_and_leaves_no_file(storage: Storage) -> None:
    with pytest.raises(QiniuError) as caught:
        with storage.temp_file() as temp:
            temp.write_stream(io.BytesIO(b"x" * 2 * MIB), limit=MIB)
    assert caught.value.status == 413
    assert not temp.path.exists()


def test_stat_json_shows_optional_fields_only_when_set(storage: Storage) -> None:
    plain = stat_json(storage.put_bytes(BUCKET, "plain", b"x", mime="text/plain"))
    assert set(plain) == {"fsize", "hash", "mimeType", "putTime", "type", "status", "md5"}
    rich = storage.put_bytes(BUCKET, "rich", b"x", mime="text/plain", end_user="u1", meta={"color": "red"})
    body = stat_json(storage.stat(BUCKET, "rich"))
    assert body["endUser"] == "u1"
    assert body["x-qn-meta"] == {"color": "red"}
    assert list_item_json(rich)["endUser"] == "u1"
    assert set(list_item_json(rich)) == {"key", "hash", "fsize", "mimeType", "putTime", "type", "status", "md5", "endUser"}


def test_put_time_is_in_100ns_units(storage: Storage) -> None:
    before = time.time_ns() // 100
    info = storage.put_bytes(BUCKET, "t", b"x", mime="text/plain")
    assert before <= info.put_time <= time.time_ns() // 100
    assert len(str(info.put_time)) == 17
