"""Putting object files in place under ``<data>/buckets`` and taking them away again.

Callers hold the storage's placement lock while they choose a path and reserve it, and
while they rename into it or prune directories; a path stays reserved until its row is
committed, so two writers never pick the same free path (nor one a path below the other's
file) and a prune never takes a directory a rename is about to use.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import QiniuError
from . import catalog
from .paths import hashed_relpath, is_child_inside, is_free, is_inside, readable_relpath
from .durability import Durability


KNOWN_BUCKET_DIRS = 10_000


class Placement:
    """Maps keys to paths (relative to the data dir) and moves files there."""

    def __init__(self, data_dir: Path, durability: Durability) -> None:
        self.data_dir = data_dir
        self.durability = durability
        self.buckets_dir = data_dir / "buckets"
        self._reserved: set[str] = set()  # paths chosen by writes whose rows are not committed yet
        self._bucket_dirs: dict[str, Path] = {}

    def bucket_dir(self, bucket: str) -> Path:
        known = self._bucket_dirs.get(bucket)
        if known is not None:
            return known
        if not is_child_inside(self.buckets_dir, bucket):
            raise QiniuError.bad_request(f"invalid bucket name {bucket!r}")
        path = self.buckets_dir / bucket
        if len(self._bucket_dirs) < KNOWN_BUCKET_DIRS and os.path.isdir(path) and not os.path.islink(path):
            self._bucket_dirs[bucket] = path  # a real directory the emulator made: checked once
        return path

    def forget_bucket(self, bucket: str) -> None:
        """The bucket's directory is gone: whatever takes its name later is checked again."""
        self._bucket_dirs.pop(bucket, None)

    def reserve(self, relpath: str) -> None:
        self._reserved.add(relpath)

    def release(self, relpath: str) -> None:
        self._reserved.discard(relpath)

    def _reserved_near(self, relpath: str) -> bool:
        """``relpath``, a directory above it or a path below it is reserved by a write under way."""
        if relpath in self._reserved:
            return True
        below = relpath + "/"
        return any(other.startswith(below) or relpath.startswith(other + "/") for other in self._reserved)

    def choose(self, conn: sqlite3.Connection, bucket: str, key: str) -> str:
        """A path for a new object: the key itself when safe and free, else the hashed path."""
        base = self.bucket_dir(bucket)
        readable = readable_relpath(key)
        if readable is not None and is_free(base, readable):
            relpath = f"buckets/{bucket}/{readable}"
            if not self._reserved_near(relpath) and not catalog.path_claimed(conn, relpath):
                return relpath
        hashed = base / hashed_relpath(key)
        if not is_inside(base, hashed):
            raise QiniuError.server_error(f"bucket directory {base} is not usable")
        relpath = self._relative(hashed)
        if relpath in self._reserved or catalog.path_claimed(conn, relpath):
            raise QiniuError.server_error(f"storage path {relpath} is already in use")
        return relpath

    def absolute(self, relpath: str) -> Path:
        return self.data_dir / relpath

    def install(self, src: Path, relpath: str) -> Path:
        """Rename the (fsynced) file ``src`` to ``relpath``, replacing what is there, and sync
        the directory entry."""
        target = self.rename_into(src, relpath)
        self.durability.fsync_dir(target.parent)
        return target

    def rename_into(self, src: Path, relpath: str) -> Path:
        """Rename ``src`` to ``relpath`` (its directory's entry is the caller's to sync)."""
        target = self.absolute(relpath)
        try:
            os.replace(src, target)
        except FileNotFoundError:  # the first object of its directory
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, target)
        return target

    def link_or_move(self, src: Path, relpath: str, scratch: Path) -> Path:
        """Give ``src``'s bytes a second name at ``relpath`` (hard link), or move them if links fail."""
        try:
            os.link(src, scratch)
        except OSError:
            return self.install(src, relpath)
        return self.install(scratch, relpath)

    def remove(self, relpath: str, bucket: str) -> None:
        """Delete an object file and the directories its removal left empty."""
        target = self.absolute(relpath)
        target.unlink(missing_ok=True)
        self.prune(target.parent, self.bucket_dir(bucket))

    @staticmethod
    def prune(directory: Path, stop: Path) -> None:
        """Remove empty directories from ``directory`` up to, not including, ``stop``."""
        while directory != stop and directory.is_relative_to(stop):
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.data_dir).as_posix()
