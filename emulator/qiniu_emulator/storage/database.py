"""The SQLite metadata file: schema, one connection per thread, short write transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Keys are BLOBs of UTF-8 so that ORDER BY and range scans follow byte order and keys
# with NUL survive intact. Paths are relative to the data directory.
SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
    name     TEXT PRIMARY KEY,
    region   TEXT NOT NULL,
    private  INTEGER NOT NULL,
    created  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
    bucket    TEXT NOT NULL,
    key       BLOB NOT NULL,
    path      TEXT NOT NULL,
    fsize     INTEGER NOT NULL,
    hash      TEXT NOT NULL,
    mime      TEXT NOT NULL,
    put_time  INTEGER NOT NULL,
    type      INTEGER NOT NULL DEFAULT 0,
    status    INTEGER NOT NULL DEFAULT 0,
    md5       TEXT NOT NULL,
    end_user  TEXT NOT NULL DEFAULT '',
    meta      TEXT NOT NULL DEFAULT '{}',
    expires_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS objects_by_path ON objects (path);
CREATE INDEX IF NOT EXISTS objects_by_expiry ON objects (expires_at) WHERE expires_at > 0;
CREATE TABLE IF NOT EXISTS pending_writes (
    tmp_path  TEXT PRIMARY KEY,
    row       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS upload_blocks (
    id          TEXT PRIMARY KEY,
    ctx         TEXT NOT NULL,
    block_size  INTEGER NOT NULL,
    offset      INTEGER NOT NULL,
    expired_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS upload_block_chunks (
    block_id  TEXT NOT NULL,
    offset    INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    path      TEXT NOT NULL,
    PRIMARY KEY (block_id, offset)
);
CREATE TABLE IF NOT EXISTS multipart_uploads (
    upload_id  TEXT PRIMARY KEY,
    bucket     TEXT NOT NULL,
    key        BLOB,
    created    INTEGER NOT NULL,
    expire_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS multipart_parts (
    upload_id    TEXT NOT NULL,
    part_number  INTEGER NOT NULL,
    size         INTEGER NOT NULL,
    etag         TEXT NOT NULL,
    md5          TEXT NOT NULL,
    put_time     INTEGER NOT NULL,
    path         TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
"""


class Database:
    """Thread-safe access to the metadata file: each thread gets its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        conn = self.conn()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; use :meth:`transaction` to write)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        with self._lock:
            if self._closed:
                raise RuntimeError(f"storage database {self.path} is closed")
            conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            # FULL: a committed row is on disk as surely as the fsynced file it names.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._connections.append(conn)
        self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front, so it never deadlocks."""
        conn = self.conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return self.conn().execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        return self.conn().execute(sql, params).fetchone()

    def close(self) -> None:
        """Close every thread's connection; later use raises."""
        with self._lock:
            self._closed = True
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
