"""Resumable upload v2: multipart sessions, parts as fsynced temp files, assembly.

A part's etag is the qetag of its bytes, which is exactly what the v2 object etag is
built from when the parts are not all 4 MiB.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..encoding import BLOCK_SIZE, etag_v2
from ..clock import Clock
from ..errors import QiniuError
from ..database import Database
from .records import MultipartUpload, PartInfo
from .tempfiles import TempFile

UPLOAD_TTL_SECONDS = 7 * 24 * 3600
MAX_PART_NUMBER = 10000
MAX_PART_SIZE = 1 << 30
MAX_LIST_PARTS = 1000


class MultipartUploads:
    """The v2 session store. Bucket existence and key validity are checked by the caller."""

    def __init__(self, db: Database, new_temp: Callable[[str], TempFile], data_dir: Path, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._new_temp = new_temp
        self._data_dir = data_dir

    def init(self, bucket: str, key: str | None) -> MultipartUpload:
        now = int(self._clock.now())
        upload = MultipartUpload(
            upload_id=secrets.token_urlsafe(18), bucket=bucket, key=key,
            created=now, expire_at=now + UPLOAD_TTL_SECONDS,
        )
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO multipart_uploads (upload_id, bucket, key, created, expire_at) VALUES (?,?,?,?,?)",
                (upload.upload_id, bucket, None if key is None else key.encode("utf-8"),
                 upload.created, upload.expire_at),
            )
        return upload

    def get(self, bucket: str, upload_id: str) -> MultipartUpload:
        """The live session ``upload_id`` of ``bucket``; 612 ``no such uploadId`` otherwise."""
        row = self._db.query_one(
            "SELECT upload_id, bucket, key, created, expire_at FROM multipart_uploads WHERE upload_id = ?",
            (upload_id,),
        )
        if row is None or row["bucket"] != bucket or row["expire_at"] < self._clock.now():
            raise QiniuError.no_such_upload()
        key = None if row["key"] is None else bytes(row["key"]).decode("utf-8")
        return MultipartUpload(row["upload_id"], row["bucket"], key, row["created"], row["expire_at"])

    def live(self, bucket: str) -> list[MultipartUpload]:
        """The sessions of ``bucket`` that have not expired, oldest first."""
        rows = self._db.query(
            "SELECT upload_id, bucket, key, created, expire_at FROM multipart_uploads"
            " WHERE bucket = ? AND expire_at >= ? ORDER BY created, upload_id", (bucket, int(self._clock.now())),
        )
        return [MultipartUpload(r["upload_id"], r["bucket"], None if r["key"] is None else bytes(r["key"]).decode(),
                                r["created"], r["expire_at"]) for r in rows]

    def put_part(
        self, bucket: str, upload_id: str, part_number: int, stream: IO[bytes],
        content_length: int | None, content_md5: str | None,
    ) -> PartInfo:
        """Store part ``part_number`` (replacing an earlier upload of the same number)."""
        self.get(bucket, upload_id)
        if not 1 <= part_number <= MAX_PART_NUMBER:
            raise QiniuError.bad_request(f"invalid partNumber {part_number}: use 1 to {MAX_PART_NUMBER}")
        with self._new_temp("part-") as temp:
            temp.write_body(stream, content_length, MAX_PART_SIZE)
            temp.close()
            if content_md5 and not _md5_matches(content_md5, temp.md5_hex):
                raise QiniuError.bad_request(
                    f"Content-MD5 {content_md5} does not match the part body (md5 {temp.md5_hex})"
                )
            part = PartInfo(part_number=part_number, etag=temp.etag, md5=temp.md5_hex,
                            size=temp.size, put_time=int(self._clock.now()))
            replaced = self._record_part(upload_id, part, temp.path)
            temp.detach()
        if replaced:
            (self._data_dir / replaced).unlink(missing_ok=True)
        return part

    def list_parts(self, bucket: str, upload_id: str, max_parts: int = 1000, marker: int = 0) -> list[PartInfo]:
        """Parts numbered above ``marker``, ascending, at most ``max_parts`` (1..1000)."""
        self.get(bucket, upload_id)
        if not 1 <= max_parts <= MAX_LIST_PARTS:
            raise QiniuError.bad_request(f"invalid max-parts {max_parts}: use 1 to {MAX_LIST_PARTS}")
        rows = self._db.query(
            "SELECT part_number, etag, md5, size, put_time FROM multipart_parts"
            " WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
            (upload_id, marker, max_parts),
        )
        return [PartInfo(**dict(r)) for r in rows]

    def abort(self, bucket: str, upload_id: str) -> None:
        self.get(bucket, upload_id)
        self.finish(upload_id)

    def complete(self, bucket: str, upload_id: str, parts: list[tuple[int, str]]) -> TempFile:
        """Concatenate the listed parts into a new temp file whose etag follows Qiniu's v2 rule."""
        self.get(bucket, upload_id)
        stored = self._stored_parts(upload_id)
        chosen = _check_part_list(parts, stored)
        temp = self._new_temp("mp-")
        try:
            for number, _ in parts:
                temp.copy_from(self._data_dir / stored[number][1])
            temp.close()
        except FileNotFoundError as exc:  # aborted or re-uploaded while assembling
            temp.discard()
            raise QiniuError.no_such_upload() from exc
        except BaseException:
            temp.discard()
            raise
        sizes = [part.size for part in chosen]
        if not _is_plain_qetag_layout(sizes):
            temp.override_etag(etag_v2([part.etag for part in chosen]))
        return temp

    def finish(self, upload_id: str) -> None:
        """Forget a session and delete its part files."""
        with self._db.transaction() as conn:
            paths = [r["path"] for r in conn.execute(
                "SELECT path FROM multipart_parts WHERE upload_id = ?", (upload_id,)
            )]
            conn.execute("DELETE FROM multipart_parts WHERE upload_id = ?", (upload_id,))
            conn.execute("DELETE FROM multipart_uploads WHERE upload_id = ?", (upload_id,))
        for relpath in paths:
            (self._data_dir / relpath).unlink(missing_ok=True)

    def purge(self, bucket: str | None = None, expired_before: int | None = None) -> int:
        """Drop sessions of ``bucket`` (all buckets if None) and/or expired before a time."""
        sql, params = "SELECT upload_id FROM multipart_uploads WHERE 1=1", list[object]()
        if bucket is not None:
            sql += " AND bucket = ?"
            params.append(bucket)
        if expired_before is not None:
            sql += " AND expire_at < ?"
            params.append(expired_before)
        ids = [r["upload_id"] for r in self._db.query(sql, tuple(params))]
        for upload_id in ids:
            self.finish(upload_id)
        return len(ids)

    # internals -----------------------------------------------------------------
    def _record_part(self, upload_id: str, part: PartInfo, path: Path) -> str | None:
        """Insert the part row; returns the path of the part it replaced, if any."""
        relpath = path.relative_to(self._data_dir).as_posix()
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM multipart_uploads WHERE upload_id = ?", (upload_id,)).fetchone() is None:
                raise QiniuError.no_such_upload()  # aborted while the part was streaming
            old = conn.execute(
                "SELECT path FROM multipart_parts WHERE upload_id = ? AND part_number = ?",
                (upload_id, part.part_number),
            ).fetchone()
            conn.execute(
                "INSERT OR REPLACE INTO multipart_parts"
                " (upload_id, part_number, size, etag, md5, put_time, path) VALUES (?,?,?,?,?,?,?)",
                (upload_id, part.part_number, part.size, part.etag, part.md5, part.put_time, relpath),
            )
        return old["path"] if old else None

    def _stored_parts(self, upload_id: str) -> dict[int, tuple[PartInfo, str]]:
        rows = self._db.query(
            "SELECT part_number, etag, md5, size, put_time, path FROM multipart_parts WHERE upload_id = ?",
            (upload_id,),
        )
        return {
            r["part_number"]: (PartInfo(r["part_number"], r["etag"], r["md5"], r["size"], r["put_time"]), r["path"])
            for r in rows
        }


def _check_part_list(parts: list[tuple[int, str]], stored: dict[int, tuple[PartInfo, str]]) -> list[PartInfo]:
    if not parts:
        raise QiniuError.bad_request("parts must list at least one uploaded part")
    chosen: list[PartInfo] = []
    previous = 0
    for number, etag in parts:
        if not isinstance(number, int) or number <= previous:
            raise QiniuError.bad_request("parts must be listed by strictly ascending partNumber")
        previous = number
        if number not in stored:
            raise QiniuError.bad_request(f"part {number} has not been uploaded")
        part = stored[number][0]
        if etag != part.etag:
            raise QiniuError.bad_request(f"etag {etag!r} of part {number} does not match the uploaded part")
        chosen.append(part)
    return chosen


def _is_plain_qetag_layout(sizes: list[int]) -> bool:
    """Every part but the last is exactly one qetag block and the last fits in one."""
    return all(size == BLOCK_SIZE for size in sizes[:-1]) and sizes[-1] <= BLOCK_SIZE


def _md5_matches(given: str, actual_hex: str) -> bool:
    """Content-MD5 as Qiniu's SDKs send it (hex), or the RFC 1864 base64 form."""
    given = given.strip()
    if given.lower() == actual_hex:
        return True
    try:
        return base64.b64decode(given, validate=True).hex() == actual_hex
    except (binascii.Error, ValueError):
        return False
