"""The Qiniu etag ("qetag") of bytes, streams and files, and the multipart (v2) etag."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable, Sequence
from typing import BinaryIO

from .ops import urlsafe_b64encode

BLOCK_SIZE = 4 * 1024 * 1024
_SMALL, _LARGE, _V2 = b"\x16", b"\x96", b"\x9e"


class QetagHasher:
    """Incremental qetag: SHA-1 of every 4 MiB block, combined once there are several."""

    def __init__(self) -> None:
        self._blocks: list[bytes] = []
        self._current = hashlib.sha1()
        self._filled = 0

    def update(self, data: bytes) -> None:
        """Feed the next bytes of the content."""
        view = memoryview(data)
        while view:
            chunk = view[: BLOCK_SIZE - self._filled]
            self._current.update(chunk)
            self._filled += len(chunk)
            view = view[len(chunk):]
            if self._filled == BLOCK_SIZE:
                self._blocks.append(self._current.digest())
                self._current, self._filled = hashlib.sha1(), 0

    def digest(self) -> bytes:
        """The 21 raw bytes: prefix byte, then a SHA-1."""
        blocks = list(self._blocks)
        if self._filled or not blocks:
            blocks.append(self._current.digest())
        if len(blocks) == 1:
            return _SMALL + blocks[0]
        return _LARGE + hashlib.sha1(b"".join(blocks)).digest()

    def hexdigest(self) -> str:
        """The qetag text (28 url-safe base64 characters)."""
        return urlsafe_b64encode(self.digest())


def qetag(data: bytes) -> str:
    """The qetag of in-memory content."""
    hasher = QetagHasher()
    hasher.update(data)
    return hasher.hexdigest()


def qetag_stream(stream: BinaryIO, chunk_size: int = 1 << 20) -> str:
    """The qetag of everything left in a binary stream."""
    hasher = QetagHasher()
    while chunk := stream.read(chunk_size):
        hasher.update(chunk)
    return hasher.hexdigest()


def qetag_file(path: str | os.PathLike[str]) -> str:
    """The qetag of a file on disk."""
    with open(path, "rb") as stream:
        return qetag_stream(stream)


def qetag_v2(part_etags: Iterable[str]) -> str:
    """The v2 etag of a multipart upload, from the qetag of each part in order."""
    digests = b"".join(_decode(tag)[1:] for tag in part_etags)
    return urlsafe_b64encode(_V2 + hashlib.sha1(digests).digest())


def multipart_etag(part_sizes: Sequence[int], part_etags: Sequence[str]) -> str:
    """The hash the service reports after a multipart upload of these parts.

    Parts of exactly 4 MiB (the last one at most 4 MiB) add up to the ordinary qetag;
    any other layout gets the v2 etag.
    """
    if len(part_sizes) != len(part_etags) or not part_sizes:
        raise ValueError("need one etag per part, and at least one part")
    block_aligned = all(size == BLOCK_SIZE for size in part_sizes[:-1]) and part_sizes[-1] <= BLOCK_SIZE
    if not block_aligned:
        return qetag_v2(part_etags)
    if len(part_etags) == 1:
        return part_etags[0]
    digests = b"".join(_decode(tag)[1:] for tag in part_etags)
    return urlsafe_b64encode(_LARGE + hashlib.sha1(digests).digest())


def _decode(tag: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(tag + "=" * (-len(tag) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(f"not a qetag: {tag!r}") from None
    if len(raw) != 21:
        raise ValueError(f"not a qetag: {tag!r}")
    return raw
