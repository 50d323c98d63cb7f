"""The ``buckets`` table, each record kept in memory once read: every request names a
bucket, few change one, and only this process writes the data directory."""

from __future__ import annotations

import threading

from ..database import Database
from ..errors import QiniuError
from . import catalog
from .names import is_valid_bucket_name
from .records import BucketInfo

_COLUMNS = "name, region, private, created"


class BucketTable:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._known: dict[str, BucketInfo] = {}
        self._lock = threading.Lock()
        self._version = 0  # moves at every change, so a read racing one is not kept

    def insert(self, info: BucketInfo) -> None:
        """Add ``info``; 614 ``bucket exists`` if its name is taken."""
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM buckets WHERE name = ?", (info.name,)).fetchone():
                raise QiniuError.bucket_exists()
            conn.execute(f"INSERT INTO buckets ({_COLUMNS}) VALUES (?,?,?,?)",
                         (info.name, info.region, int(info.private), info.created))

    def get(self, name: str) -> BucketInfo:
        """The bucket ``name``; 631 ``no such bucket`` otherwise."""
        known = self._known.get(name)
        if known is not None:
            return known
        version = self._version
        row = None
        if is_valid_bucket_name(name):
            row = self._db.query_one(f"SELECT {_COLUMNS} FROM buckets WHERE name = ?", (name,))
        if row is None:
            raise QiniuError.no_such_bucket(name)
        info = catalog.bucket_from_row(row)
        with self._lock:
            if self._version == version:
                self._known[name] = info
        return info

    def all(self) -> list[BucketInfo]:
        rows = self._db.query(f"SELECT {_COLUMNS} FROM buckets ORDER BY name")
        return [catalog.bucket_from_row(r) for r in rows]

    def set_private(self, name: str, private: bool) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE buckets SET private = ? WHERE name = ?", (int(private), name))
        self.forget(name)

    def forget(self, name: str) -> None:
        """``name`` changed or went: read it from the database next time."""
        with self._lock:
            self._version += 1
            self._known.pop(name, None)
