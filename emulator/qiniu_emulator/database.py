"""The emulator's one SQLite file: one connection per thread, one durability policy,
short write transactions. Storage and jobs each apply their own schema to it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import QiniuError

class Database:
    """Thread-safe access to the database file: each thread gets its own connection."""

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        self.path = path
        self.synchronous = synchronous
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        self.conn().execute("PRAGMA journal_mode=WAL")

    def apply_schema(self, script: str) -> None:
        """Create the tables and indexes of ``script`` that do not exist yet."""
        self.conn().executescript(script)

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
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA busy_timeout=30000")
            self._connections.append(conn)
        self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self, synced: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front, so it never deadlocks.

        ``synced=False`` commits without waiting for the disk (WAL with ``synchronous=NORMAL``):
        only for a transaction a journal already on disk can redo after a power loss. Any
        later synced commit makes it durable too, since the WAL is synced as a whole.
        """
        conn = self.conn()
        relaxed = not synced and self.synchronous == "FULL"
        if relaxed:
            conn.execute("PRAGMA synchronous=NORMAL")
        try:
            with self._committing(conn) as txn:
                yield txn
        finally:
            if relaxed:
                conn.execute(f"PRAGMA synchronous={self.synchronous}")

    @contextmanager
    def _committing(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError:
                if conn.in_transaction:  # a COMMIT that failed (a full disk) may leave it open
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            if "full" in str(exc):  # SQLITE_FULL: "database or disk is full"
                raise QiniuError.disk_full("writing the database") from exc
            raise

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
