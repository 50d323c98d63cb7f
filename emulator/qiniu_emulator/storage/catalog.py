"""SQL for the ``buckets`` and ``objects`` tables, and rows turned into records."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .records import BucketInfo, ObjectInfo


@dataclass
class ObjectRow:
    """The values written for one object (key as UTF-8 bytes, path relative to the data dir)."""

    bucket: str
    key: bytes
    path: str
    fsize: int
    hash: str
    mime: str
    put_time: int
    type: int
    status: int
    md5: str
    end_user: str
    meta: dict[str, str]
    expires_at: int = 0  # unix seconds; 0 = kept until deleted


_OBJECT_COLUMNS = "bucket, key, path, fsize, hash, mime, put_time, type, status, md5, end_user, meta, expires_at"


def bucket_from_row(row: sqlite3.Row) -> BucketInfo:
    return BucketInfo(name=row["name"], region=row["region"], private=bool(row["private"]), created=row["created"])


def object_from_row(row: sqlite3.Row, data_dir: Path) -> ObjectInfo:
    return object_info(row_values(row), data_dir)


def row_values(row: sqlite3.Row) -> ObjectRow:
    """A database row as the values it holds."""
    return ObjectRow(
        bucket=row["bucket"], key=bytes(row["key"]), path=row["path"], fsize=row["fsize"],
        hash=row["hash"], mime=row["mime"], put_time=row["put_time"], type=row["type"],
        status=row["status"], md5=row["md5"], end_user=row["end_user"], meta=_meta(row["meta"]),
        expires_at=row["expires_at"],
    )


def _meta(text: str) -> dict[str, str]:
    return {} if text == "{}" else json.loads(text)  # most objects have no x-qn-meta


def object_info(row: ObjectRow, data_dir: Path) -> ObjectInfo:
    return ObjectInfo(
        bucket=row.bucket, key=row.key.decode("utf-8"), fsize=row.fsize, hash=row.hash,
        mime=row.mime, put_time=row.put_time, type=row.type, status=row.status, md5=row.md5,
        end_user=row.end_user, meta=dict(row.meta), path=data_dir / row.path,
        expiration=row.expires_at,
    )


def select_object(conn: sqlite3.Connection, bucket: str, key: bytes) -> sqlite3.Row | None:
    return conn.execute(
        f"SELECT {_OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key = ?", (bucket, key)
    ).fetchone()


def select_objects(conn: sqlite3.Connection, bucket: str, keys: list[bytes]) -> list[sqlite3.Row]:
    """The rows of ``keys`` in byte order of key (missing keys are skipped)."""
    marks = ",".join("?" * len(keys))
    return conn.execute(
        f"SELECT {_OBJECT_COLUMNS} FROM objects WHERE bucket = ? AND key IN ({marks}) ORDER BY key",
        (bucket, *keys),
    ).fetchall()


def write_object(conn: sqlite3.Connection, row: ObjectRow) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO objects ({_OBJECT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (row.bucket, row.key, row.path, row.fsize, row.hash, row.mime, row.put_time,
         row.type, row.status, row.md5, row.end_user, json.dumps(row.meta, sort_keys=True),
         row.expires_at),
    )


def journal_write(conn: sqlite3.Connection, tmp_path: Path, row: ObjectRow) -> None:
    """Record that ``tmp_path`` is about to be renamed to ``row.path`` (see ``finish_write``)."""
    values = {**vars(row), "key": row.key.hex()}  # the fields in order (asdict would deep-copy them)
    conn.execute("INSERT OR REPLACE INTO pending_writes (tmp_path, row) VALUES (?, ?)",
                 (str(tmp_path), json.dumps(values)))


def finish_write(conn: sqlite3.Connection, tmp_path: Path, row: ObjectRow) -> None:
    """The rename happened: the object row and the end of its journal entry, in one transaction."""
    write_object(conn, row)
    conn.execute("DELETE FROM pending_writes WHERE tmp_path = ?", (str(tmp_path),))


def pending_writes(conn: sqlite3.Connection) -> list[tuple[Path, ObjectRow]]:
    rows = conn.execute("SELECT tmp_path, row FROM pending_writes").fetchall()
    out = []
    for tmp_path, text in rows:
        values = json.loads(text)
        values["key"] = bytes.fromhex(values["key"])
        out.append((Path(tmp_path), ObjectRow(**values)))
    return out


def forget_write(conn: sqlite3.Connection, tmp_path: Path) -> None:
    conn.execute("DELETE FROM pending_writes WHERE tmp_path = ?", (str(tmp_path),))


def expired_objects(conn: sqlite3.Connection, now: int) -> list[sqlite3.Row]:
    return conn.execute(
        f"SELECT {_OBJECT_COLUMNS} FROM objects WHERE expires_at > 0 AND expires_at <= ?", (now,)
    ).fetchall()


def delete_object(conn: sqlite3.Connection, bucket: str, key: bytes) -> None:
    conn.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key))


def path_claimed(conn: sqlite3.Connection, path: str) -> bool:
    return conn.execute("SELECT 1 FROM objects WHERE path = ?", (path,)).fetchone() is not None


def list_keys(
    conn: sqlite3.Connection, bucket: str, start: bytes, inclusive: bool, end: bytes | None, n: int
) -> list[bytes]:
    """Up to ``n`` keys of ``bucket`` from ``start`` below ``end``, in byte order."""
    sql = f"SELECT key FROM objects WHERE bucket = ? AND key {'>=' if inclusive else '>'} ?"
    params: list = [bucket, start]
    if end is not None:
        sql += " AND key < ?"
        params.append(end)
    sql += " ORDER BY key LIMIT ?"
    params.append(n)
    return [bytes(r[0]) for r in conn.execute(sql, params).fetchall()]
