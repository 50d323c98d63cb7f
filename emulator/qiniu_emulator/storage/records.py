"""The records the storage layer hands out: buckets, objects, list pages, upload state."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BucketInfo:
    """A bucket. Its download domain is the API layer's business, not stored here."""

    name: str
    region: str
    private: bool
    created: int  # unix seconds


@dataclass
class ObjectInfo:
    """One stored object and where its bytes are on disk."""

    bucket: str
    key: str
    fsize: int
    hash: str
    mime: str
    put_time: int  # units of 100 ns since the epoch, as Qiniu reports putTime
    type: int
    status: int
    md5: str
    end_user: str
    meta: dict[str, str]
    path: Path  # absolute path of the bytes
    expiration: int = 0  # unix seconds when lifecycle deletes it; 0 = never

    def stat_json(self) -> dict:
        """The body of ``/stat``: optional fields appear only when they carry a value."""
        body = {
            "fsize": self.fsize,
            "hash": self.hash,
            "mimeType": self.mime,
            "putTime": self.put_time,
            "type": self.type,
            "status": self.status,
            "md5": self.md5,
        }
        if self.end_user:
            body["endUser"] = self.end_user
        if self.meta:
            body["x-qn-meta"] = dict(self.meta)
        if self.expiration:
            body["expiration"] = self.expiration
        return body

    def list_json(self) -> dict:
        """One entry of ``items`` in a ``/list`` response."""
        return {
            "key": self.key,
            "hash": self.hash,
            "fsize": self.fsize,
            "mimeType": self.mime,
            "putTime": self.put_time,
            "type": self.type,
            "status": self.status,
            "md5": self.md5,
            "endUser": self.end_user,
        }


@dataclass
class ListPage:
    """One page of a listing; ``marker`` is empty when nothing remains."""

    items: list[ObjectInfo] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    marker: str = ""


@dataclass
class BlockState:
    """The reply to ``mkblk``/``bput``: the block's new context and the chunk's checksums."""

    ctx: str
    checksum: str
    crc32: int  # CRC-32 of the bytes received by this call, unsigned
    offset: int  # bytes of this block received so far
    host: str
    expired_at: int  # unix seconds

    def to_json(self) -> dict:
        return {
            "ctx": self.ctx,
            "checksum": self.checksum,
            "crc32": self.crc32,
            "offset": self.offset,
            "host": self.host,
            "expired_at": self.expired_at,
        }


@dataclass
class MultipartUpload:
    """A v2 multipart upload session."""

    upload_id: str
    bucket: str
    key: str | None
    created: int  # unix seconds
    expire_at: int  # unix seconds


@dataclass
class PartInfo:
    """One uploaded part of a multipart upload."""

    part_number: int
    etag: str
    md5: str
    size: int
    put_time: int  # unix seconds

    def to_json(self) -> dict:
        return {"size": self.size, "etag": self.etag, "partNumber": self.part_number, "putTime": self.put_time}
