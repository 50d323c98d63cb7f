"""Resumable uploads: v1 blocks (mkblk/bput/mkfile) and v2 multipart sessions."""

from __future__ import annotations

import hashlib
import io
import zlib

import pytest
from support import ramp

from qiniu_emulator.encoding import etag_of_bytes
from qiniu_emulator.errors import QiniuError
from qiniu_emulator.storage import Storage

BUCKET = "demo-bucket"
MIB = 1 << 20
BLOCK = 4 * MIB


def error_of(call, *args) -> QiniuError:
    with pytest.raises(QiniuError) as caught:
        call(*args)
    return caught.value


def body(data: bytes) -> tuple[io.BytesIO, int]:
    return io.BytesIO(data), len(data)


# v1 -----------------------------------------------------------------------------------------
def test_block_flow_reports_per_chunk_crc_and_builds_the_file(storage: Storage) -> None:
    data = ramp(BLOCK + 3 * MIB, 251)
    first, second = data[:BLOCK], data[BLOCK:]
    state1 = storage.mkblk(BLOCK, *body(first))
    assert (state1.offset, state1.crc32) == (BLOCK, zlib.crc32(first))
    head, tail = second[:MIB], second[MIB:]
    state2 = storage.mkblk(len(second), *body(head))
    assert (state2.offset, state2.crc32) == (MIB, zlib.crc32(head))
    state2 = storage.bput(state2.ctx, MIB, *body(tail))
    assert (state2.offset, state2.crc32) == (len(second), zlib.crc32(tail))
    for ctx in (state1.ctx, state2.ctx):
        assert "/" not in ctx and "," not in ctx
    temp = storage.mkfile_assemble([state1.ctx, state2.ctx], len(data))
    info = storage.commit(BUCKET, "big.bin", temp, mime="application/octet-stream")
    assert info.hash == etag_of_bytes(data)
    assert info.path.read_bytes() == data
    storage.release_blocks([state1.ctx, state2.ctx])
    assert error_of(storage.mkfile_assemble, [state1.ctx], BLOCK).status == 701


def test_crc_of_hello_world(storage: Storage) -> None:
    assert storage.mkblk(11, *body(b"hello world")).crc32 == 222957957


@pytest.mark.parametrize("ctx", ["", "garbage", "abc.def", "a/b,c"])
def test_unknown_ctx_is_701(storage: Storage, ctx: str) -> None:
    assert error_of(storage.bput, ctx, 0, *body(b"x")).status == 701
    assert error_of(storage.mkfile_assemble, [ctx], 1).status == 701


def test_stale_ctx_and_wrong_offset_are_701(storage: Storage) -> None:
    old = storage.mkblk(10, *body(b"abc"))
    assert error_of(storage.bput, old.ctx, 2, *body(b"d")).status == 701
    new = storage.bput(old.ctx, 3, *body(b"def"))
    assert error_of(storage.bput, old.ctx, 3, *body(b"g")).status == 701
    assert storage.bput(new.ctx, 6, *body(b"ghij")).offset == 10


def test_mkfile_size_mismatch_and_incomplete_block_are_400(storage: Storage) -> None:
    done = storage.mkblk(5, *body(b"hello"))
    assert error_of(storage.mkfile_assemble, [done.ctx], 6).status == 400
    partial = storage.mkblk(10, *body(b"hello"))
    err = error_of(storage.mkfile_assemble, [done.ctx, partial.ctx], 15)
    assert err.status == 400 and "incomplete" in err.message
    assert list((storage.data_dir / "tmp").glob("mkfile-*")) == []


def test_chunk_larger_than_the_block_is_400(storage: Storage) -> None:
    assert error_of(storage.mkblk, 4, *body(b"hello")).status == 400
    assert error_of(storage.mkblk, BLOCK + 1, *body(b"x")).status == 400


def test_short_body_is_400(storage: Storage) -> None:
    err = error_of(storage.mkblk, 10, io.BytesIO(b"abc"), 10)
    assert err.status == 400 and "3 of 10" in err.message


def test_blocks_survive_a_restart(storage: Storage) -> None:
    state = storage.mkblk(11, *body(b"hello"))
    storage.close()
    reopened = Storage(storage.data_dir)
    try:
        state = reopened.bput(state.ctx, 5, *body(b" world"))
        temp = reopened.mkfile_assemble([state.ctx], 11)
        assert temp.etag == "FiqubDXJT8-0FdvpX0CLnOke6Ebt"
        temp.discard()
    finally:
        reopened.close()


# v2 -----------------------------------------------------------------------------------------
def upload_parts(storage: Storage, upload_id: str, parts: list[bytes]) -> list[tuple[int, str]]:
    listed = []
    for number, data in enumerate(parts, start=1):
        info = storage.put_part(BUCKET, upload_id, number, io.BytesIO(data), len(data), hashlib.md5(data).hexdigest())
        assert (info.size, info.md5) == (len(data), hashlib.md5(data).hexdigest())
        listed.append((number, info.etag))
    return listed


def test_v2_parts_of_odd_sizes_give_the_v2_etag(storage: Storage) -> None:
    upload = storage.init_multipart(BUCKET, "hw.txt")
    assert upload.key == "hw.txt" and upload.expire_at > upload.created
    parts = upload_parts(storage, upload.upload_id, [b"hello", b"world"])
    temp = storage.complete_multipart(BUCKET, upload.upload_id, parts)
    assert temp.etag == "ns56DcSIfBFUENXjdhsJTIvl3Rcu"
    info = storage.commit(BUCKET, "hw.txt", temp, mime="text/plain")
    assert info.hash == "ns56DcSIfBFUENXjdhsJTIvl3Rcu"
    assert info.path.read_bytes() == b"helloworld"
    storage.finish_multipart(BUCKET, upload.upload_id)
    assert error_of(storage.get_multipart, BUCKET, upload.upload_id).message == "no such uploadId"


def test_v2_4mib_parts_give_the_ordinary_qetag(storage: Storage) -> None:
    data = b"\0" * BLOCK + b"0"
    upload = storage.init_multipart(BUCKET, None)
    assert upload.key is None
    parts = upload_parts(storage, upload.upload_id, [data[:BLOCK], data[BLOCK:]])
    temp = storage.complete_multipart(BUCKET, upload.upload_id, parts)
    assert temp.etag == "ljF323utglY3GI6AvLgawSJ4_dgk"
    temp.discard()


def test_v2_complete_uses_only_listed_parts_in_order(storage: Storage) -> None:
    upload = storage.init_multipart(BUCKET, "k")
    parts = upload_parts(storage, upload.upload_id, [b"one", b"two", b"three"])
    temp = storage.complete_multipart(BUCKET, upload.upload_id, [parts[0], parts[2]])
    assert temp.path.read_bytes() == b"onethree"
    temp.discard()
    for bad in ([parts[1], parts[0]], [parts[0], parts[0]], [(1, "wrong-etag")], [(9, parts[0][1])], []):
        assert error_of(storage.complete_multipart, BUCKET, upload.upload_id, bad).status == 400


def test_v2_reuploading_a_part_replaces_it(storage: Storage) -> None:
    upload = storage.init_multipart(BUCKET, "k")
    upload_parts(storage, upload.upload_id, [b"first"])
    replaced = upload_parts(storage, upload.upload_id, [b"second"])
    listed = storage.list_parts(BUCKET, upload.upload_id)
    assert [(p.part_number, p.etag, p.size) for p in listed] == [(1, replaced[0][1], 6)]
    assert len(list((storage.data_dir / "tmp").glob("part-*"))) == 1


def test_v2_list_parts_pages(storage: Storage) -> None:
    upload = storage.init_multipart(BUCKET, "k")
    upload_parts(storage, upload.upload_id, [b"a", b"b", b"c", b"d"])
    assert [p.part_number for p in storage.list_parts(BUCKET, upload.upload_id, max_parts=2)] == [1, 2]
    assert [p.part_number for p in storage.list_parts(BUCKET, upload.upload_id, max_parts=2, marker=2)] == [3, 4]
    assert error_of(storage.list_parts, BUCKET, upload.upload_id, 0).status == 400


def test_v2_md5_mismatch_and_bad_part_number_are_400(storage: Storage) -> None:
    upload = storage.init_multipart(BUCKET, "k")
    err = error_of(storage.put_part, BUCKET, upload.upload_id, 1, io.BytesIO(b"data"), 4, "0" * 32)
    assert err.status == 400 and "Content-MD5" in err.message
    for number in (0, 10001):
        assert error_of(storage.put_part, BUCKET, upload.upload_id, number, io.BytesIO(b"x"), 1, None).status == 400
    assert storage.list_parts(BUCKET, upload.upload_id) == []
    assert list((storage.data_dir / "tmp").glob("part-*")) == []


def test_v2_unknown_or_aborted_upload_is_612(storage: Storage) -> None:
    assert error_of(storage.get_multipart, BUCKET, "nope").status == 612
    upload = storage.init_multipart(BUCKET, "k")
    upload_parts(storage, upload.upload_id, [b"x"])
    storage.create_bucket("other-bucket")
    assert error_of(storage.get_multipart, "other-bucket", upload.upload_id).status == 612
    storage.abort_multipart(BUCKET, upload.upload_id)
    for call, args in [
        (storage.get_multipart, (BUCKET, upload.upload_id)),
        (storage.put_part, (BUCKET, upload.upload_id, 2, io.BytesIO(b"y"), 1, None)),
        (storage.list_parts, (BUCKET, upload.upload_id)),
        (storage.complete_multipart, (BUCKET, upload.upload_id, [(1, "x")])),
        (storage.abort_multipart, (BUCKET, upload.upload_id)),
    ]:
        err = error_of(call, *args)
        assert (err.status, err.message) == (612, "no such uploadId")
    assert list((storage.data_dir / "tmp").iterdir()) == []


def test_v2_session_survives_a_restart(storage: Storage) -> None:
    upload = storage.init_multipart(BUCKET, "k")
    parts = upload_parts(storage, upload.upload_id, [b"hello"])
    storage.close()
    reopened = Storage(storage.data_dir)
    try:
        parts += [(2, reopened.put_part(BUCKET, upload.upload_id, 2, io.BytesIO(b"world"), 5, None).etag)]
        temp = reopened.complete_multipart(BUCKET, upload.upload_id, parts)
        assert temp.etag == "ns56DcSIfBFUENXjdhsJTIvl3Rcu"
        temp.discard()
    finally:
        reopened.close()
