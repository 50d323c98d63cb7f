"""Objects outlive the process: reopening, SIGKILL mid-write, many threads, bounded memory."""

from __future__ import annotations

import io
import sys
import textwrap
import tracemalloc
from pathlib import Path

from qiniu_emulator.storage import Storage
from support import lines_then_kill, run_in_threads

BUCKET = "demo-bucket"
MIB = 1 << 20

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from qiniu_emulator.storage import Storage

    storage = Storage(Path(sys.argv[1]))
    storage.ensure_bucket("demo-bucket")
    for i in range(100000):
        key = f"dir{i % 3}/obj-{i}" if i % 2 else f"flat-{i}"
        storage.put_bytes("demo-bucket", key, (key * 50).encode(), mime="text/plain")
        print(key, flush=True)
    """
)


def test_objects_survive_reopening(storage: Storage) -> None:
    storage.put_bytes(BUCKET, "photos/a.jpg", b"jpeg bytes", mime="image/jpeg", meta={"m": "1"})
    storage.put_bytes(BUCKET, "", b"empty key", mime="text/plain")
    storage.create_bucket("private-bucket", region="z1", private=True)
    storage.close()
    reopened = Storage(storage.data_dir)
    try:
        info = reopened.stat(BUCKET, "photos/a.jpg")
        assert (info.mime, info.meta, info.path.read_bytes()) == ("image/jpeg", {"m": "1"}, b"jpeg bytes")
        assert reopened.stat(BUCKET, "").path.read_bytes() == b"empty key"
        bucket = reopened.get_bucket("private-bucket")
        assert (bucket.region, bucket.private) == ("z1", True)
    finally:
        reopened.close()


def test_objects_survive_sigkill_of_the_writer(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    confirmed = lines_then_kill([sys.executable, "-c", CHILD, str(data_dir)], 60)
    assert len(confirmed) == 60
    storage = Storage(data_dir)
    try:
        for key in confirmed:
            info = storage.stat(BUCKET, key)
            assert info.path.read_bytes() == (key * 50).encode(), key
        listed = [item.key for item in storage.list_objects(BUCKET).items]
        assert set(confirmed) <= set(listed)
        for key in listed:  # whatever was committed is whole, including a write cut short
            info = storage.stat(BUCKET, key)
            assert info.path.read_bytes() == (key * 50).encode()
    finally:
        storage.close()


def test_concurrent_writers_of_overlapping_keys(storage: Storage) -> None:
    keys = [f"{'/'.join('k' * depth)}" for depth in range(1, 6)] + [f"t{i}/x" for i in range(10)]
    def writer(worker: int) -> None:
        for key in keys[worker % 3:] + keys[: worker % 3]:
            storage.put_bytes(BUCKET, key, key.encode(), mime="text/plain")
            storage.stat(BUCKET, key)

    assert run_in_threads(writer, 8) == []
    paths = {storage.stat(BUCKET, key).path for key in keys}
    assert len(paths) == len(keys)
    for key in keys:
        assert storage.stat(BUCKET, key).path.read_bytes() == key.encode()


class PatternStream(io.RawIOBase):
    """A long request body produced on the fly, so the test holds none of it."""

    def __init__(self, size: int) -> None:
        self.remaining = size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.remaining if n < 0 else min(n, self.remaining)
        self.remaining -= n
        return b"\xab" * n


def test_large_uploads_stream_in_bounded_memory(storage: Storage) -> None:
    size = 64 * MIB
    tracemalloc.start()
    try:
        with storage.temp_file() as temp:
            temp.write_stream(PatternStream(size))
        info = storage.commit(BUCKET, "large.bin", temp, mime="application/octet-stream")
        upload = storage.init_multipart(BUCKET, "large-mp.bin")
        part = storage.put_part(BUCKET, upload.upload_id, 1, PatternStream(size), size, None)
        assembled = storage.complete_multipart(BUCKET, upload.upload_id, [(1, part.etag)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.fsize == size and assembled.size == size
    assert peak < 8 * MIB
    assembled.discard()


def test_crash_between_rename_and_commit_is_completed_on_reopen(tmp_path: Path, monkeypatch) -> None:
    from qiniu_emulator.encoding import etag_of_bytes
    from qiniu_emulator.storage import catalog

    first = Storage(tmp_path)
    first.ensure_bucket(BUCKET)
    first.put_bytes(BUCKET, "photo.jpg", b"old bytes", mime="image/jpeg")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed after the rename, before the commit")

    monkeypatch.setattr(catalog, "finish_write", crash)
    try:
        first.put_bytes(BUCKET, "photo.jpg", b"new bytes, longer", mime="image/jpeg")
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    first.close()

    reopened = Storage(tmp_path)
    info = reopened.stat(BUCKET, "photo.jpg")
    assert info.path.read_bytes() == b"new bytes, longer"
    assert (info.fsize, info.hash) == (17, etag_of_bytes(b"new bytes, longer"))
    reopened.close()


def test_a_lost_final_commit_is_redone_and_later_commits_stay_synced(tmp_path: Path, monkeypatch) -> None:
    """The commit that ends a write is the one not waited for: a power loss may drop it
    (simulated here by rolling it back), and the journal written before the rename redoes
    it on reopen. Every other commit is still synced (synchronous=FULL, 2)."""
    from qiniu_emulator.database import Database

    first = Storage(tmp_path)
    first.ensure_bucket(BUCKET)
    first.put_bytes(BUCKET, "kept.txt", b"synced before", mime="text/plain")
    real = Database.transaction

    def drop_unsynced(self, synced: bool = True):
        if synced:
            return real(self, synced)
        raise KeyboardInterrupt("power lost before the unsynced commit reached the disk")

    monkeypatch.setattr(Database, "transaction", drop_unsynced)
    try:
        first.put_bytes(BUCKET, "photo.jpg", b"acknowledged bytes", mime="image/jpeg")
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    first.put_bytes(BUCKET, "later.txt", b"a later write", mime="text/plain")
    assert first._db.conn().execute("PRAGMA synchronous").fetchone()[0] == 2
    first.close()

    reopened = Storage(tmp_path)
    assert reopened.stat(BUCKET, "photo.jpg").path.read_bytes() == b"acknowledged bytes"
    assert reopened.stat(BUCKET, "kept.txt").path.read_bytes() == b"synced before"
    assert reopened.stat(BUCKET, "later.txt").path.read_bytes() == b"a later write"
    reopened.close()
