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
