"""Concurrent writes: shared commits, keys that wait only for themselves, and kill -9 in the
middle of them losing nothing that was acknowledged."""

from __future__ import annotations

import sys
import textwrap
import threading
from pathlib import Path

from qiniu_emulator.database import Database
from qiniu_emulator.errors import QiniuError
from qiniu_emulator.storage import Storage
from qiniu_emulator.storage.group_commit import GroupCommit
from support import lines_then_kill, run_in_threads

BUCKET = "demo-bucket"

# Eight threads write (and rewrite) keys, some sharing directories, and print each key
# with the version it stored once put_bytes has returned: what a client would have had
# acknowledged.
CONCURRENT_CHILD = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from qiniu_emulator.storage import Storage

    storage = Storage(Path(sys.argv[1]))
    storage.ensure_bucket("demo-bucket")
    out = threading.Lock()

    def writer(worker):
        for i in range(100000):
            key = f"w{worker}/{i % 40}" if i % 3 else f"shared/{worker}-{i % 25}"
            storage.put_bytes("demo-bucket", key, f"{key} v{i}|".encode() * 20, mime="text/plain")
            with out:
                print(key, i, flush=True)

    for worker in range(8):
        threading.Thread(target=writer, args=(worker,), daemon=True).start()
    threading.Event().wait()
    """
)


def test_concurrent_writers_killed_lose_nothing_acknowledged(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    acknowledged: dict[str, int] = {}  # key -> the newest version acknowledged
    # 400 acknowledgements in, the other writers are mid-write
    for line in lines_then_kill([sys.executable, "-c", CONCURRENT_CHILD, str(data_dir)], 400):
        key, version = line.split()
        acknowledged[key] = max(acknowledged.get(key, -1), int(version))
    assert len(acknowledged) > 100
    storage = Storage(data_dir)
    try:
        for key, version in acknowledged.items():
            stored = storage.stat(BUCKET, key).path.read_bytes()
            first = stored.split(b"|")[0].decode()
            # A rewrite under way at the kill may have landed too: never an older version.
            stored_key, _, stored_version = first.rpartition(" v")
            assert stored_key == key and int(stored_version) >= version, (key, first, version)
            assert stored == f"{first}|".encode() * 20
        for item in storage.list_objects(BUCKET).items:  # every row names whole bytes
            stored = storage.stat(BUCKET, item.key).path.read_bytes()
            assert (len(stored), item.fsize) == (item.fsize, len(stored))
    finally:
        storage.close()


def test_concurrent_writes_of_one_key_keep_one_file(storage: Storage) -> None:
    def writer(worker: int) -> None:
        for i in range(30):
            storage.put_bytes(BUCKET, "same/key", f"{worker}-{i}".encode(), mime="text/plain")
            storage.put_bytes(BUCKET, f"same/key/{worker}", b"below", mime="text/plain")

    assert run_in_threads(writer, 6) == []
    info = storage.stat(BUCKET, "same/key")
    assert info.path.read_bytes().split(b"-")[1] == b"29"
    files = [p for p in (storage.data_dir / "buckets").rglob("*") if p.is_file()]
    # one file per object: no rewrite left a second copy behind
    assert len(files) == len(storage.list_objects(BUCKET).items) == 7


def test_a_failing_piece_of_a_group_commit_fails_alone(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    db.apply_schema("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    commits = GroupCommit(db)
    start = threading.Barrier(8)
    outcomes: dict[int, str] = {}

    def piece(n: int) -> None:
        def work(conn) -> None:
            conn.execute("INSERT INTO t VALUES (?)", (n,))
            if n % 2:
                raise QiniuError.bad_request(f"piece {n} refused")
        start.wait()
        try:
            commits.run(work)
            outcomes[n] = "committed"
        except QiniuError as exc:
            outcomes[n] = exc.message

    assert run_in_threads(piece, 8) == []
    assert outcomes == {n: "committed" if n % 2 == 0 else f"piece {n} refused" for n in range(8)}
    assert [r[0] for r in db.query("SELECT n FROM t ORDER BY n")] == [0, 2, 4, 6]
    db.close()



def test_a_reset_during_writes_leaves_no_row_without_its_file_nor_a_file_without_its_row(storage: Storage) -> None:
    written: list[str] = []  # list.append is atomic: the writers' progress
    late: list[str] = []  # keys whose write began after the last reset
    writing, resets_done = threading.Event(), threading.Event()

    def work(worker: int) -> None:
        if worker == 0:
            try:
                writing.wait()
                while len(written) < 400:  # resets while the writers are under way, then stops
                    storage.reset()
            finally:
                resets_done.set()
            return
        for i in range(120):
            if i == 100:  # 400 written: the resets stop, the last 20 of each come after them
                resets_done.wait()
            key = f"w{worker}/{i % 7}/{i}"
            after_resets = resets_done.is_set()
            storage.put_bytes(BUCKET, key, key.encode(), mime="text/plain")
            written.append(key)
            if after_resets:
                late.append(key)
            writing.set()

    assert run_in_threads(work, 5) == []
    listed = {item.key: item for item in storage.list_objects(BUCKET).items}
    assert len(late) >= 80 and set(late) <= set(listed)
    for key, item in listed.items():
        assert item.path.read_bytes() == key.encode()
    files = {p for p in (storage.data_dir / "buckets" / BUCKET).rglob("*") if p.is_file()}
    assert files == {item.path for item in listed.values()}
