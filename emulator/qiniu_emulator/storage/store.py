"""The storage service: buckets and objects in a data directory.

Layout::

    <data>/emulator.sqlite3        metadata (WAL)
    <data>/buckets/<bucket>/<key>  object bytes (readable path when the key allows)
    <data>/tmp/                    uploads in flight and job scratch space

Every write lands in ``tmp/``, is fsynced, renamed into place, and only then is its row
committed: a row never names bytes that are not on disk. Writes of different keys run
side by side (``write_locks.py``) and share their commits (``group_commit.py``).
"""

from __future__ import annotations

import secrets
import shutil
import sqlite3
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from ..clock import DAY, Clock
from ..errors import BucketExists, NoSuchBucket, NoSuchKey, QiniuError
from . import catalog, lifecycle, listing
from .blocks import BlockUploads
from .bucket_table import BucketTable
from .catalog import ObjectRow
from .conditions import ObjectCondition
from .copying import DATABASE_NAME, copy_data
from .durability import DURABLE, Durability
from .expiry import ExpiryFloor, earliest_expiry
from .group_commit import GroupCommit
from ..database import Database
from .housekeeping import sweep_tmp
from .lock import DataDirLock
from .multipart import MultipartUploads
from .names import check_bucket_name, check_mime, key_bytes
from .placement import Placement
from .resumable import ResumableUploads
from .schema import SCHEMA
from .records import BucketInfo, ListPage, ObjectInfo
from .tempfiles import TempFile
from .write_locks import KeyLocks, WriteGate

DEFAULT_MIME = "application/octet-stream"
STORAGE_TYPES = range(0, 5)  # standard, IA, archive, deep archive, archive IR
MAX_LIFECYCLE_DAYS = 36500
# Scratch untouched this long and owned by no live run is swept by the periodic clean.
SWEEP_AFTER_SECONDS = 6 * 3600


class Storage(ResumableUploads):
    """Buckets, objects and resumable uploads under one data directory. Thread-safe."""

    def __init__(self, data_dir: Path, clock: Clock | None = None, durability: Durability = DURABLE,
                 remove_on_close: bool = False) -> None:
        self.clock = clock or Clock()  # what lifecycles, upload expiry and put times follow
        self.durability = durability
        self._remove_on_close = remove_on_close  # --ephemeral: the temp dir goes at close
        self.data_dir = Path(data_dir).resolve()
        self.tmp_dir = self.data_dir / "tmp"
        (self.data_dir / "buckets").mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self.lock = DataDirLock(self.data_dir)
        self.lock.acquire()
        self._db = Database(self.data_dir / DATABASE_NAME, durability.sqlite_synchronous)
        self._db.apply_schema(SCHEMA + lifecycle.SCHEMA)
        self._placement = Placement(self.data_dir, durability)
        # Held briefly around choosing (and reserving) a path, a rename into place and a
        # directory prune, so concurrent writers never pick one free path nor race a prune.
        self._place_lock = threading.RLock()
        self._keys, self._gate, self._commits = KeyLocks(), WriteGate(), GroupCommit(self._db)
        self._expiry_floor = ExpiryFloor(lambda: earliest_expiry(self._db.conn()))
        self._buckets = BucketTable(self._db)
        self._blocks = BlockUploads(self._db, self._new_temp, self.data_dir, self.clock)
        self._multipart = MultipartUploads(self._db, self._new_temp, self.data_dir, self.clock)
        self._recover_writes()
        self.purge_expired()
        now = int(self.clock.now())
        self._blocks.purge_expired(now)
        self._multipart.purge(expired_before=now)
        # Nothing else can be using the scratch area now: the data directory is locked.
        self._live_scratch: set[Path] = set()
        self._scratch_lock = threading.Lock()
        sweep_tmp(self.tmp_dir, self._referenced_tmp_paths(), stale_after=0)

    @property
    def database(self) -> Database:
        """The data directory's database file, shared with the job store."""
        return self._db

    def close(self) -> None:
        """Close the database connections of every thread and release the data directory."""
        self._db.close()
        self.lock.release()
        if self._remove_on_close:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def export_files(self, target: Path) -> int:
        """The database and every object's file into ``target`` (object writes wait meanwhile)."""
        with self._gate.exclusive(), self._place_lock:
            return copy_data(self._db, self.data_dir, target)

    def housekeep(self) -> int:
        """Periodic cleaning: expired objects and uploads, lifecycle moves that came due, and
        scratch that no live run owns and nobody has touched for a while. Returns how many
        tmp entries went."""
        now = int(self.clock.now())
        self.purge_expired()
        with self._db.transaction() as conn:
            lifecycle.apply_due(conn, self.clock.now())
        self._expiry_floor.forget()
        self._blocks.purge_expired(now)
        self._multipart.purge(expired_before=now)
        with self._scratch_lock:
            keep = self._referenced_tmp_paths() | self._live_scratch
        return sweep_tmp(self.tmp_dir, keep, stale_after=SWEEP_AFTER_SECONDS)

    # buckets ---------------------------------------------------------------------
    def create_bucket(self, name: str, region: str = "z0", private: bool = False) -> BucketInfo:
        """Create a bucket; 400 for an invalid name, 614 ``bucket exists`` if taken."""
        check_bucket_name(name)
        info = BucketInfo(name=name, region=region, private=private, created=int(self.clock.now()))
        self._buckets.insert(info)
        self._placement.bucket_dir(name).mkdir(parents=True, exist_ok=True)
        return info

    def ensure_bucket(self, name: str, region: str = "z0", private: bool = False) -> BucketInfo:
        """The bucket ``name``, created with these settings if it does not exist yet."""
        try:
            return self.create_bucket(name, region, private)
        except BucketExists:
            return self.get_bucket(name)

    def get_bucket(self, name: str) -> BucketInfo:
        """The bucket ``name``; 631 ``no such bucket`` otherwise."""
        return self._buckets.get(name)

    def list_buckets(self) -> list[BucketInfo]:
        return self._buckets.all()

    def set_private(self, name: str, private: bool) -> None:
        self.get_bucket(name)
        self._buckets.set_private(name, private)

    def drop_bucket(self, name: str) -> None:
        """Delete a bucket with all its objects and upload sessions."""
        self.get_bucket(name)
        self.reset(name)
        with self._gate.exclusive(), self._place_lock:
            with self._db.transaction() as conn:
                conn.execute("DELETE FROM buckets WHERE name = ?", (name,))
                shutil.rmtree(self._placement.bucket_dir(name), ignore_errors=True)
                self._placement.forget_bucket(name)
            self._buckets.forget(name)  # once committed: a read meanwhile saw the row still there

    # writing ---------------------------------------------------------------------
    def temp_file(self) -> TempFile:
        """A new temp file under ``<data>/tmp`` to stream an upload into, then :meth:`commit`."""
        return self._new_temp("up-")

    def scratch_dir(self, prefix: str = "job") -> Path:
        """A fresh directory under ``<data>/tmp``, owned by a live run until :meth:`remove_scratch`."""
        path = Path(tempfile.mkdtemp(dir=self.tmp_dir, prefix=f"{prefix}-"))
        with self._scratch_lock:
            self._live_scratch.add(path)
        return path

    def remove_scratch(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)
        with self._scratch_lock:
            self._live_scratch.discard(path)

    def commit(
        self, bucket: str, key: str, temp: TempFile, *, mime: str, end_user: str = "",
        meta: dict | None = None, overwrite: bool = True, delete_after_days: int = 0, type_: int = 0,
    ) -> ObjectInfo:
        """Store the temp file's bytes as ``bucket``/``key`` and return the new object.

        With ``overwrite=False`` an existing key is a 614, except when it already holds
        the same content, which succeeds and returns the existing object. On success the
        temp file is consumed; on error it is left for the caller to discard.
        ``delete_after_days`` > 0 gives the object a lifecycle (see :meth:`set_delete_after_days`);
        ``type_`` is its storage class (0 standard .. 4 archive IR).
        """
        if type_ not in STORAGE_TYPES:
            raise QiniuError.bad_request(f"invalid storage type {type_}: use 0 to 4")
        mode = "replace" if overwrite else "insert"
        return self._commit(bucket, key, temp, mime=mime, end_user=end_user, meta=meta or {}, mode=mode,
                            expires_at=self._expiry(delete_after_days), type_=type_)

    def put_bytes(self, bucket: str, key: str, data: bytes, *, mime: str, **kw) -> ObjectInfo:
        """Store ``data`` as an object (keyword options as for :meth:`commit`)."""
        with self.temp_file() as temp:
            temp.write(data)
            temp.close()
            return self.commit(bucket, key, temp, mime=mime, **kw)

    def put_path(self, bucket: str, key: str, src: Path, *, mime: str, move: bool = False, **kw) -> ObjectInfo:
        """Store the file at ``src``. ``move=True`` renames it into place instead of copying
        (when it is on the data directory's filesystem)."""
        src = Path(src)
        if move and src.stat().st_dev == self.tmp_dir.stat().st_dev:
            return self.commit(bucket, key, TempFile.adopt(src, self.durability), mime=mime, **kw)
        with self.temp_file() as temp:
            temp.copy_from(src)
            temp.close()
            info = self.commit(bucket, key, temp, mime=mime, **kw)
        if move:
            src.unlink(missing_ok=True)
        return info

    # reading and managing ----------------------------------------------------------
    def stat(self, bucket: str, key: str) -> ObjectInfo:
        """The object ``bucket``/``key``; 631 for an unknown bucket, 612 for a missing key."""
        raw = key_bytes(key)
        self.get_bucket(bucket)
        self.purge_expired()
        row = catalog.select_object(self._db.conn(), bucket, raw)
        if row is None:
            raise QiniuError.no_such_key()
        return catalog.object_from_row(row, self.data_dir)

    def exists(self, bucket: str, key: str) -> bool:
        try:
            self.stat(bucket, key)
        except (NoSuchKey, NoSuchBucket):
            return False
        return True

    def delete(self, bucket: str, key: str) -> None:
        """Delete an object; 612 if it does not exist."""
        raw = key_bytes(key)
        self.get_bucket(bucket)
        with self._gate.shared(), self._keys.hold((bucket, raw)):
            row = catalog.select_object(self._db.conn(), bucket, raw)
            if row is None:
                raise QiniuError.no_such_key()
            self._commits.run(lambda conn: catalog.delete_object(conn, bucket, raw))
            # The file outlives its row a moment: its readable path is not free meanwhile.
            with self._place_lock:
                self._placement.remove(row["path"], bucket)

    def copy(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str, force: bool = False) -> ObjectInfo:
        """Copy an object; 612 if the source is missing, 614 if the destination exists and not ``force``."""
        src = self.stat(src_bucket, src_key)
        self.get_bucket(dst_bucket)
        if not force and self.exists(dst_bucket, dst_key):
            raise QiniuError.file_exists()
        if (src_bucket, src_key) == (dst_bucket, dst_key):
            return src
        with self.temp_file() as temp:
            try:
                temp.copy_from(src.path)
            except FileNotFoundError as exc:  # deleted while we were copying it
                raise QiniuError.no_such_key() from exc
            temp.close()
            info = self._commit(dst_bucket, dst_key, temp, mime=src.mime, end_user=src.end_user,
                                meta=src.meta, mode="replace" if force else "fail", type_=src.type)
        return info

    def move(self, src_bucket: str, src_key: str, dst_bucket: str, dst_key: str, force: bool = False) -> ObjectInfo:
        """Rename an object; 612 if the source is missing, 614 if the destination exists and not ``force``."""
        src_raw, dst_raw = key_bytes(src_key), key_bytes(dst_key)
        self.get_bucket(src_bucket)
        self.get_bucket(dst_bucket)
        with self._gate.shared(), self._keys.hold((src_bucket, src_raw), (dst_bucket, dst_raw)), self._place_lock:
            conn = self._db.conn()
            src = catalog.select_object(conn, src_bucket, src_raw)
            if src is None:
                raise QiniuError.no_such_key()
            dst = catalog.select_object(conn, dst_bucket, dst_raw)
            if dst is not None and not force:
                raise QiniuError.file_exists()
            if (src_bucket, src_raw) == (dst_bucket, dst_raw):
                return catalog.object_from_row(src, self.data_dir)
            return self._move_locked(src, dst, dst_bucket, dst_key)

    def change_mime(self, bucket: str, key: str, mime: str) -> None:
        """Set an object's MIME type; 612 if it does not exist."""
        self._update_column(bucket, key, "mime", check_mime(mime))

    def change_type(self, bucket: str, key: str, type_: int) -> None:
        """Set an object's storage type (0 standard .. 4 archive IR); 612 if it does not exist."""
        if type_ not in STORAGE_TYPES:
            raise QiniuError.bad_request(f"invalid storage type {type_}: use 0 to 4")
        self._update_column(bucket, key, "type", type_)

    def change_status(self, bucket: str, key: str, status: int, cond: ObjectCondition | None = None) -> None:
        """Enable (0) or disable (1) an object.

        612 if it does not exist, 613 ``cond not match`` when ``cond`` does not hold,
        400 ``already enabled``/``already disabled`` when it has that status already.
        """
        if status not in (0, 1):
            raise QiniuError.bad_request(f"invalid status {status}: use 0 or 1")
        raw = key_bytes(key)
        with self._db.transaction() as conn:
            row = self._row_where(conn, bucket, raw, cond)
            if row["status"] == status:
                raise QiniuError.status_unchanged(disabled=bool(status))
            conn.execute("UPDATE objects SET status = ? WHERE bucket = ? AND key = ?", (status, bucket, raw))

    def set_delete_after_days(self, bucket: str, key: str, days: int) -> None:
        """Delete the object ``days`` days from now (0 keeps it for good); 612 if it does not exist."""
        if not 0 <= days <= MAX_LIFECYCLE_DAYS:
            raise QiniuError.bad_request(f"invalid deleteAfterDays {days}: use 0 to {MAX_LIFECYCLE_DAYS}")
        expires_at = self._expiry(days)
        self._update_column(bucket, key, "expires_at", expires_at)
        self._expiry_floor.lowered(expires_at)

    def _expiry(self, days: int) -> int:
        """Unix seconds by the clock ``days`` days from now; 0 (no lifecycle) for 0 days."""
        return int(self.clock.now()) + days * DAY if days > 0 else 0

    def set_lifecycle(self, bucket: str, key: str, change: lifecycle.LifecycleChange,
                      cond: ObjectCondition | None = None) -> None:
        """Schedule (or cancel) an object's moves to other storage classes and its deletion;
        612 if it does not exist, 613 when ``cond`` does not hold."""
        self.purge_expired()
        with self._db.transaction() as conn:
            lifecycle.schedule(conn, self._row_where(conn, bucket, key_bytes(key), cond), change, self.clock.now())
        self._expiry_floor.forget()

    def _row_where(self, conn: sqlite3.Connection, bucket: str, raw: bytes,
                   cond: ObjectCondition | None) -> sqlite3.Row:
        """The object's row; 631 for no bucket, 612 for no object, 613 when ``cond`` does not hold."""
        self.get_bucket(bucket)
        row = catalog.select_object(conn, bucket, raw)
        if row is None:
            raise QiniuError.no_such_key()
        if cond is not None and not cond.matches(catalog.object_from_row(row, self.data_dir)):
            raise QiniuError.condition_not_met()
        return row

    def purge_expired(self, now: float | None = None) -> int:
        """Delete objects whose lifecycle has run out; returns how many went."""
        now = int(self.clock.now() if now is None else now)
        if not self._expiry_floor.due(now):
            return 0
        with self._gate.exclusive(), self._place_lock:
            with self._db.transaction() as conn:
                rows = catalog.expired_objects(conn, now)
                for row in rows:
                    catalog.delete_object(conn, row["bucket"], bytes(row["key"]))
            self._expiry_floor.forget()
            for row in rows:
                self._placement.remove(row["path"], row["bucket"])
        return len(rows)

    def list_objects(self, bucket: str, prefix: str = "", marker: str = "", limit: int = 1000,
                     delimiter: str = "") -> ListPage:
        """One page of objects in byte order of key (see :func:`listing.scan` for paging rules)."""
        key_bytes(prefix)
        self.get_bucket(bucket)
        self.purge_expired()
        conn = self._db.conn()

        def fetch(start: bytes, inclusive: bool, end: bytes | None, n: int) -> list[bytes]:
            return catalog.list_keys(conn, bucket, start, inclusive, end, n)

        keys = listing.scan(fetch, prefix, marker, limit, delimiter)
        rows = catalog.select_objects(conn, bucket, [k.encode("utf-8") for k in keys.keys]) if keys.keys else []
        items = [catalog.object_from_row(r, self.data_dir) for r in rows]
        return ListPage(items=items, common_prefixes=keys.common_prefixes, marker=keys.marker)

    def reset(self, bucket: str | None = None) -> None:
        """Delete every object (of one bucket) and pending uploads; buckets stay."""
        names = [self.get_bucket(bucket).name] if bucket is not None else [b.name for b in self.list_buckets()]
        with self._gate.exclusive(), self._place_lock:
            for name in names:
                with self._db.transaction() as conn:
                    conn.execute("DELETE FROM objects WHERE bucket = ?", (name,))
                bucket_dir = self._placement.bucket_dir(name)
                shutil.rmtree(bucket_dir, ignore_errors=True)
                bucket_dir.mkdir(parents=True, exist_ok=True)
        self._multipart.purge(bucket)
        if bucket is None:
            self._blocks.reset()

    # internals -----------------------------------------------------------------------
    def _new_temp(self, prefix: str) -> TempFile:
        return TempFile(self.tmp_dir, prefix, self.durability)

    def _commit(
        self, bucket: str, key: str, temp: TempFile, *, mime: str, end_user: str,
        meta: dict, mode: str, type_: int = 0, expires_at: int = 0,
    ) -> ObjectInfo:
        raw = key_bytes(key)
        if mime:
            check_mime(mime)
        self.get_bucket(bucket)
        temp.close()
        with self._gate.shared(), self._keys.hold((bucket, raw)):
            existing = catalog.select_object(self._db.conn(), bucket, raw)
            if existing is not None and mode != "replace":
                if mode == "insert" and existing["hash"] == temp.etag:
                    temp.discard()
                    return catalog.object_from_row(existing, self.data_dir)
                raise QiniuError.file_exists()
            with self._place_lock:
                relpath = existing["path"] if existing is not None else self._placement.choose(
                    self._db.conn(), bucket, key)
                self._placement.reserve(relpath)
            row = ObjectRow(
                bucket=bucket, key=raw, path=relpath, fsize=temp.size, hash=temp.etag,
                mime=mime or DEFAULT_MIME, put_time=self.clock.now_ns() // 100, type=type_, status=0,
                md5=temp.md5_hex, end_user=end_user, meta={str(k): str(v) for k, v in meta.items()},
                expires_at=expires_at,
            )
            try:
                self._place(temp, row)
            finally:
                with self._place_lock:
                    self._placement.release(relpath)
        self._expiry_floor.lowered(expires_at)
        return catalog.object_info(row, self.data_dir)

    def _place(self, temp: TempFile, row: ObjectRow) -> None:
        """Journal, rename, commit: a crash between the rename and the commit is completed
        by _recover_writes, so the row always describes the bytes. Ephemeral state is never
        reopened, so it needs no journal."""
        source = temp.path
        durable = self.durability.sync
        if durable:
            self._commits.run(lambda txn: catalog.journal_write(txn, source, row))
        try:
            with self._place_lock:
                target = self._placement.rename_into(source, row.path)
        except BaseException:
            if durable:  # never renamed: the journal entry must not finish it at the next start
                self._commits.run(lambda txn: catalog.forget_write(txn, source))
            raise
        temp.detach()
        self.durability.fsync_dir(target.parent)
        # Not synced: the journal and the rename are on disk, so a power loss that drops
        # this commit is redone by _recover_writes; a later synced commit covers it.
        self._commits.run(lambda txn: catalog.finish_write(txn, source, row) if durable
                          else catalog.write_object(txn, row), synced=False)

    def _recover_writes(self) -> int:
        """Finish or forget writes a crash interrupted; returns how many were finished."""
        finished = 0
        with self._db.transaction() as txn:
            for source, row in catalog.pending_writes(txn):
                if source.exists():  # never renamed: the old object (if any) is intact
                    catalog.forget_write(txn, source)
                else:
                    catalog.finish_write(txn, source, row)
                    finished += 1
        return finished

    def _move_locked(self, src: sqlite3.Row, dst: sqlite3.Row | None, dst_bucket: str, dst_key: str) -> ObjectInfo:
        conn = self._db.conn()
        relpath = dst["path"] if dst is not None else self._placement.choose(conn, dst_bucket, dst_key)
        moved = replace(catalog.row_values(src), bucket=dst_bucket, key=dst_key.encode("utf-8"), path=relpath)
        # Link first, commit, then unlink: a crash at any point leaves the source readable.
        scratch = self.tmp_dir / f"mv-{secrets.token_hex(8)}"
        self._placement.link_or_move(self._placement.absolute(src["path"]), relpath, scratch)
        with self._db.transaction() as txn:
            catalog.delete_object(txn, src["bucket"], bytes(src["key"]))
            catalog.write_object(txn, moved)
        self._placement.remove(src["path"], src["bucket"])
        return catalog.object_info(moved, self.data_dir)

    def _update_column(self, bucket: str, key: str, column: str, value: object) -> None:
        raw = key_bytes(key)
        self.get_bucket(bucket)
        with self._db.transaction() as conn:
            updated = conn.execute(
                f"UPDATE objects SET {column} = ? WHERE bucket = ? AND key = ?", (value, bucket, raw)
            ).rowcount
        if updated != 1:
            raise QiniuError.no_such_key()

    def _referenced_tmp_paths(self) -> set[Path]:
        rows = self._db.query("SELECT path FROM upload_block_chunks UNION SELECT path FROM multipart_parts")
        return {self.data_dir / r["path"] for r in rows}
