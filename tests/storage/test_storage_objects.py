"""Buckets and object management: stat, delete, copy, move, insert-only, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from qiniu_emulator.errors import QiniuError
from qiniu_emulator.storage import Storage
from qiniu_emulator.wire import stat_json

BUCKET = "demo-bucket"
OTHER = "other-bucket"


def status_of(call, *args, **kwargs) -> tuple[int, str]:
    with pytest.raises(QiniuError) as caught:
        call(*args, **kwargs)
    return caught.value.status, caught.value.message


# buckets -------------------------------------------------------------------------------
def test_bucket_lifecycle(storage: Storage) -> None:
    created = storage.create_bucket(OTHER, region="z2", private=True)
    assert (created.name, created.region, created.private) == (OTHER, "z2", True)
    assert [b.name for b in storage.list_buckets()] == [BUCKET, OTHER]
    assert status_of(storage.create_bucket, OTHER) == (614, "bucket exists")
    assert storage.ensure_bucket(OTHER).region == "z2"
    storage.set_private(OTHER, False)
    assert storage.get_bucket(OTHER).private is False
    storage.put_bytes(OTHER, "k", b"x", mime="text/plain")
    storage.drop_bucket(OTHER)
    assert status_of(storage.get_bucket, OTHER) == (631, "no such bucket")
    assert not (storage.data_dir / "buckets" / OTHER).exists()


def test_unknown_bucket_is_631_everywhere(storage: Storage) -> None:
    for call, args in [
        (storage.stat, ("nope-bucket", "k")),
        (storage.put_bytes, ("nope-bucket", "k", b"x")),
        (storage.delete, ("nope-bucket", "k")),
        (storage.list_objects, ("nope-bucket",)),
        (storage.get_bucket, ("Not A Bucket!",)),
        (storage.init_multipart, ("nope-bucket", "k")),
    ]:
        kwargs = {"mime": "text/plain"} if call == storage.put_bytes else {}
        assert status_of(call, *args, **kwargs)[0] == 631


# stat / delete --------------------------------------------------------------------------
def test_stat_and_delete(storage: Storage) -> None:
    info = storage.put_bytes(BUCKET, "docs/a.txt", b"hello world", mime="text/plain")
    stat = storage.stat(BUCKET, "docs/a.txt")
    assert (stat.fsize, stat.mime, stat.md5) == (11, "text/plain", "5eb63bbbe01eeed093cb22bb8f5acdc3")
    assert storage.exists(BUCKET, "docs/a.txt")
    storage.delete(BUCKET, "docs/a.txt")
    assert not info.path.exists()
    assert not storage.exists(BUCKET, "docs/a.txt")
    assert status_of(storage.stat, BUCKET, "docs/a.txt") == (612, "no such file or directory")
    assert status_of(storage.delete, BUCKET, "docs/a.txt")[0] == 612


def test_empty_mime_defaults_to_octet_stream(storage: Storage) -> None:
    assert storage.put_bytes(BUCKET, "m", b"x", mime="").mime == "application/octet-stream"


def test_change_mime_and_type(storage: Storage) -> None:
    storage.put_bytes(BUCKET, "k", b"x", mime="text/plain")
    storage.change_mime(BUCKET, "k", "image/png")
    storage.change_type(BUCKET, "k", 1)
    stat = storage.stat(BUCKET, "k")
    assert (stat.mime, stat.type) == ("image/png", 1)
    assert status_of(storage.change_type, BUCKET, "k", 9)[0] == 400
    assert status_of(storage.change_mime, BUCKET, "missing", "a/b")[0] == 612


# insert-only --------------------------------------------------------------------------------
def test_insert_only_accepts_identical_content_and_refuses_different(storage: Storage) -> None:
    first = storage.put_bytes(BUCKET, "k", b"same", mime="text/plain")
    again = storage.put_bytes(BUCKET, "k", b"same", mime="text/plain", overwrite=False)
    assert again.hash == first.hash and again.put_time == first.put_time
    assert status_of(storage.put_bytes, BUCKET, "k", b"other", mime="text/plain", overwrite=False) == (614, "file exists")
    assert storage.stat(BUCKET, "k").path.read_bytes() == b"same"
    assert list((storage.data_dir / "tmp").iterdir()) == []


def test_a_failed_commit_leaves_the_temp_file_to_its_owner(storage: Storage) -> None:
    storage.put_bytes(BUCKET, "k", b"one", mime="text/plain")
    with pytest.raises(QiniuError):
        with storage.temp_file() as temp:
            temp.write(b"two")
            storage.commit(BUCKET, "k", temp, mime="text/plain", overwrite=False)
    assert not temp.path.exists()


# copy / move --------------------------------------------------------------------------------
def test_copy_keeps_the_source_and_its_attributes(storage: Storage) -> None:
    storage.create_bucket(OTHER)
    src = storage.put_bytes(BUCKET, "src", b"payload", mime="image/png", meta={"a": "1"}, end_user="u")
    copied = storage.copy(BUCKET, "src", OTHER, "dst/copy.png")
    assert copied.path == storage.data_dir / "buckets" / OTHER / "dst" / "copy.png"
    assert copied.path.read_bytes() == b"payload" == src.path.read_bytes()
    assert (copied.hash, copied.mime, copied.meta, copied.end_user) == (src.hash, "image/png", {"a": "1"}, "u")
    assert storage.exists(BUCKET, "src")


def test_copy_and_move_refuse_an_existing_destination_without_force(storage: Storage) -> None:
    storage.put_bytes(BUCKET, "a", b"A", mime="text/plain")
    storage.put_bytes(BUCKET, "b", b"B", mime="text/plain")
    assert status_of(storage.copy, BUCKET, "a", BUCKET, "b") == (614, "file exists")
    assert status_of(storage.move, BUCKET, "a", BUCKET, "b") == (614, "file exists")
    assert storage.stat(BUCKET, "b").path.read_bytes() == b"B"
    storage.copy(BUCKET, "a", BUCKET, "b", force=True)
    assert storage.stat(BUCKET, "b").path.read_bytes() == b"A"


def test_missing_source_is_612(storage: Storage) -> None:
    assert status_of(storage.copy, BUCKET, "missing", BUCKET, "x")[0] == 612
    assert status_of(storage.move, BUCKET, "missing", BUCKET, "x")[0] == 612


def test_onto_itself_with_force_succeeds(storage: Storage) -> None:
    storage.put_bytes(BUCKET, "self", b"me", mime="text/plain")
    assert storage.copy(BUCKET, "self", BUCKET, "self", force=True).path.read_bytes() == b"me"
    assert storage.move(BUCKET, "self", BUCKET, "self", force=True).path.read_bytes() == b"me"
    assert status_of(storage.move, BUCKET, "self", BUCKET, "self")[0] == 614
    assert storage.stat(BUCKET, "self").fsize == 2


def test_move_renames_bytes_and_row(storage: Storage, bucket_dir: Path) -> None:
    storage.create_bucket(OTHER)
    src = storage.put_bytes(BUCKET, "dir/a.txt", b"moving", mime="text/plain", meta={"k": "v"})
    moved = storage.move(BUCKET, "dir/a.txt", OTHER, "b.txt")
    assert moved.path == storage.data_dir / "buckets" / OTHER / "b.txt"
    assert moved.path.read_bytes() == b"moving"
    assert (moved.hash, moved.put_time, moved.meta) == (src.hash, src.put_time, {"k": "v"})
    assert not src.path.exists() and not (bucket_dir / "dir").exists()
    assert status_of(storage.stat, BUCKET, "dir/a.txt")[0] == 612


def test_move_with_force_replaces_destination(storage: Storage) -> None:
    storage.put_bytes(BUCKET, "a", b"A", mime="text/plain")
    storage.put_bytes(BUCKET, "b", b"B", mime="text/plain")
    storage.move(BUCKET, "a", BUCKET, "b", force=True)
    assert storage.stat(BUCKET, "b").path.read_bytes() == b"A"
    assert not storage.exists(BUCKET, "a")
    assert [i.key for i in storage.list_objects(BUCKET).items] == ["b"]


def test_move_a_key_under_its_own_name(storage: Storage) -> None:
    storage.put_bytes(BUCKET, "a", b"A", mime="text/plain")
    moved = storage.move(BUCKET, "a", BUCKET, "a/b")
    assert moved.path.read_bytes() == b"A"
    storage.put_bytes(BUCKET, "a", b"new", mime="text/plain")
    assert storage.stat(BUCKET, "a").path.read_bytes() == b"new"
    assert storage.stat(BUCKET, "a/b").path.read_bytes() == b"A"


# put_path / scratch / reset ------------------------------------------------------------------
def test_put_path_copies_or_moves_a_scratch_file(storage: Storage) -> None:
    scratch = storage.scratch_dir()
    assert scratch.parent == storage.data_dir / "tmp"
    src = scratch / "out.bin"
    src.write_bytes(b"hello world")
    copied = storage.put_path(BUCKET, "copied", src, mime="application/octet-stream")
    assert src.exists() and copied.hash == "FiqubDXJT8-0FdvpX0CLnOke6Ebt"
    moved = storage.put_path(BUCKET, "moved", src, mime="application/octet-stream", move=True)
    assert not src.exists()
    assert moved.path.read_bytes() == b"hello world"
    assert moved.hash == copied.hash and moved.md5 == copied.md5


def test_reset_clears_objects_but_keeps_buckets(storage: Storage) -> None:
    storage.create_bucket(OTHER)
    storage.put_bytes(BUCKET, "a/b", b"1", mime="text/plain")
    storage.put_bytes(OTHER, "c", b"2", mime="text/plain")
    storage.reset(BUCKET)
    assert storage.list_objects(BUCKET).items == []
    assert storage.exists(OTHER, "c")
    storage.reset()
    assert storage.list_objects(OTHER).items == []
    assert [b.name for b in storage.list_buckets()] == [BUCKET, OTHER]
    assert storage.put_bytes(BUCKET, "a", b"3", mime="text/plain").path.read_bytes() == b"3"


def test_lifecycle_expiry_deletes_the_object(tmp_path) -> None:
    import time

    storage = Storage(tmp_path)
    storage.ensure_bucket("life-bucket")
    info = storage.put_bytes("life-bucket", "short.txt", b"x", mime="text/plain", delete_after_days=2)
    assert abs(info.expiration - (time.time() + 2 * 86400)) < 60
    assert stat_json(storage.stat("life-bucket", "short.txt"))["expiration"] == info.expiration
    storage.put_bytes("life-bucket", "kept.txt", b"y", mime="text/plain")
    assert "expiration" not in stat_json(storage.stat("life-bucket", "kept.txt"))
    path = info.path
    assert storage.purge_expired(now=time.time() + 3 * 86400) == 1
    with pytest.raises(QiniuError) as gone:
        storage.stat("life-bucket", "short.txt")
    assert gone.value.status == 612
    assert not path.exists()
    assert [o.key for o in storage.list_objects("life-bucket").items] == ["kept.txt"]
    storage.set_delete_after_days("life-bucket", "kept.txt", 1)
    storage.set_delete_after_days("life-bucket", "kept.txt", 0)
    assert storage.purge_expired(now=time.time() + 10 * 86400) == 0
    storage.close()


def test_a_bucket_made_private_reads_private_at_once(storage: Storage) -> None:
    assert storage.get_bucket("demo-bucket").private is False
    storage.set_private("demo-bucket", True)
    assert storage.get_bucket("demo-bucket").private is True
    storage.drop_bucket("demo-bucket")
    with pytest.raises(QiniuError) as caught:
        storage.get_bucket("demo-bucket")
    assert caught.value.status == 631


def test_lifecycles_run_out_when_the_clock_passes_them_whenever_they_were_set(storage: Storage) -> None:
    storage.put_bytes("demo-bucket", "soon", b"1", mime="text/plain", delete_after_days=1)
    storage.put_bytes("demo-bucket", "later", b"2", mime="text/plain", delete_after_days=3)
    storage.put_bytes("demo-bucket", "kept", b"3", mime="text/plain")
    assert storage.stat("demo-bucket", "soon").fsize == 1
    storage.clock.advance(86_400 + 1)
    with pytest.raises(QiniuError) as gone:
        storage.stat("demo-bucket", "soon")
    assert gone.value.status == 612
    assert storage.stat("demo-bucket", "later").fsize == 1  # the next deadline known is "later"'s
    storage.set_delete_after_days("demo-bucket", "kept", 1)  # sooner than that one
    storage.clock.advance(86_400 + 1)
    assert [item.key for item in storage.list_objects("demo-bucket").items] == ["later"]
