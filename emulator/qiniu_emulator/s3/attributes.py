"""What S3 keeps about an object that Kodo's native rows do not: the multipart ETag and the
response headers given at upload (Content-Disposition, Content-Encoding, Cache-Control, ...),
and the headers of a multipart upload until it completes.

They live in their own tables of the data directory's database. An object's row is tied to
the object's ``put_time``: when the native door replaces or deletes the object, the row no
longer matches and is ignored (an ETag falls back to the object's MD5, as S3 computes it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..database import Database
from ..storage.records import ObjectInfo

SCHEMA = """
CREATE TABLE IF NOT EXISTS s3_objects (
    bucket    TEXT NOT NULL,
    key       BLOB NOT NULL,
    put_time  INTEGER NOT NULL,
    etag      TEXT NOT NULL,
    headers   TEXT NOT NULL,
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS s3_uploads (
    upload_id  TEXT PRIMARY KEY,
    mime       TEXT NOT NULL,
    meta       TEXT NOT NULL,
    headers    TEXT NOT NULL
);
"""
# Response headers an upload may set and GetObject/HeadObject answer with.
STORED_HEADERS = ("Content-Disposition", "Content-Encoding", "Content-Language", "Cache-Control", "Expires")


@dataclass(frozen=True)
class ObjectHeaders:
    """What an upload says about the object besides its bytes."""

    mime: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # x-amz-meta-* names without the prefix
    headers: dict[str, str] = field(default_factory=dict)  # STORED_HEADERS given


@dataclass(frozen=True)
class S3View:
    """An object as the S3 door presents it."""

    info: ObjectInfo
    etag: str
    headers: dict[str, str]


class Attributes:
    """The S3-only tables."""

    def __init__(self, db: Database) -> None:
        self._db = db
        db.apply_schema(SCHEMA)

    def view(self, info: ObjectInfo) -> S3View:
        row = self._db.query_one("SELECT put_time, etag, headers FROM s3_objects WHERE bucket = ? AND key = ?",
                                 (info.bucket, info.key.encode("utf-8")))
        if row is None or row["put_time"] != info.put_time:
            return S3View(info, info.md5, {})
        return S3View(info, row["etag"] or info.md5, json.loads(row["headers"]))

    def remember(self, info: ObjectInfo, headers: dict[str, str], etag: str = "") -> S3View:
        """Record an object's S3 headers (and a multipart ETag) right after it was stored."""
        if not headers and not etag:
            # A stale row (another put_time) is ignored anyway; deleting it only when one
            # exists keeps a plain PUT to the storage layer's own writes.
            if self._db.query_one("SELECT 1 FROM s3_objects WHERE bucket = ? AND key = ?",
                                  (info.bucket, info.key.encode("utf-8"))) is not None:
                self.forget(info.bucket, info.key)
            return S3View(info, info.md5, {})
        with self._db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO s3_objects (bucket, key, put_time, etag, headers)"
                         " VALUES (?,?,?,?,?)", (info.bucket, info.key.encode("utf-8"), info.put_time, etag,
                                                 json.dumps(headers, sort_keys=True)))
        return S3View(info, etag or info.md5, dict(headers))

    def forget(self, bucket: str, key: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM s3_objects WHERE bucket = ? AND key = ?", (bucket, key.encode("utf-8")))

    def forget_bucket(self, bucket: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM s3_objects WHERE bucket = ?", (bucket,))

    # multipart uploads ------------------------------------------------------------
    def open_upload(self, upload_id: str, given: ObjectHeaders) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO s3_uploads (upload_id, mime, meta, headers) VALUES (?,?,?,?)",
                         (upload_id, given.mime, json.dumps(given.meta), json.dumps(given.headers)))

    def upload_headers(self, upload_id: str) -> ObjectHeaders:
        row = self._db.query_one("SELECT mime, meta, headers FROM s3_uploads WHERE upload_id = ?", (upload_id,))
        if row is None:
            return ObjectHeaders()
        return ObjectHeaders(row["mime"], json.loads(row["meta"]), json.loads(row["headers"]))

    def close_upload(self, upload_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM s3_uploads WHERE upload_id = ?", (upload_id,))
