"""Copying a data directory's database and object files, for snapshots (``snapshot.py``)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from ..database import Database
from .paths import is_inside

DATABASE_NAME = "emulator.sqlite3"
# Uploads in progress name scratch files that a snapshot does not carry: they are left out.
UNFINISHED = ("pending_writes", "upload_block_chunks", "upload_blocks", "multipart_parts", "multipart_uploads")


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` with ``source``'s bytes: a hard link (object files are replaced by rename,
    never written in place), or a copy across file systems."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def copy_data(db: Database, data_dir: Path, target: Path) -> int:
    """The database (a consistent copy) and every object's file into ``target``; returns how
    many files. The caller keeps object writes out meanwhile."""
    copied_db = target / DATABASE_NAME
    with closing(sqlite3.connect(copied_db)) as dest:
        db.conn().backup(dest)
        for table in UNFINISHED:
            dest.execute(f"DELETE FROM {table}")
        dest.commit()
        paths = [row[0] for row in dest.execute("SELECT path FROM objects")]
    for relpath in paths:
        source, copy = data_dir / relpath, target / relpath
        if not is_inside(target, copy):
            raise ValueError(f"object path {relpath!r} leaves the data directory")
        link_or_copy(source, copy)
    return len(paths)


def restore_data(snapshot: Path, data_dir: Path) -> int:
    """The snapshot's database and object files into the (empty) ``data_dir``; returns how
    many files (:func:`check_object_paths` first: a snapshot may come from anyone)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(snapshot / DATABASE_NAME, data_dir / DATABASE_NAME)
    count = 0
    for source in sorted((snapshot / "buckets").rglob("*")) if (snapshot / "buckets").is_dir() else []:
        if source.is_file() and not source.is_symlink():
            link_or_copy(source, data_dir / source.relative_to(snapshot))
            count += 1
    return count


def check_object_paths(database: Path, data_dir: Path) -> None:
    """Raise ValueError unless every object row of ``database`` names a file below
    ``data_dir/buckets`` (the emulator reads, serves and deletes the file a row names)."""
    buckets = data_dir / "buckets"
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            paths = [row[0] for row in db.execute("SELECT path FROM objects")]
    except sqlite3.Error as exc:
        raise ValueError(f"{database.name} is not a readable emulator database: {exc}") from None
    for relpath in paths:
        if not isinstance(relpath, str) or not is_inside(buckets, data_dir / relpath):
            raise ValueError(f"object path {relpath!r} leaves the data directory's buckets/")


def holds_data(data_dir: Path) -> bool:
    """Whether ``data_dir`` has a database or object files (an import would replace them)."""
    buckets = data_dir / "buckets"
    return (data_dir / DATABASE_NAME).exists() or (buckets.is_dir() and any(buckets.iterdir()))


def clear_data(data_dir: Path) -> None:
    """Remove the database, its journal files, the objects and the scratch area."""
    for name in (DATABASE_NAME, DATABASE_NAME + "-wal", DATABASE_NAME + "-shm"):
        (data_dir / name).unlink(missing_ok=True)
    for folder in ("buckets", "tmp"):
        shutil.rmtree(data_dir / folder, ignore_errors=True)
