"""Qiniu's encodings: URL-safe base64, EncodedEntryURI and the qetag."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import BinaryIO

from .errors import QiniuError

BLOCK_SIZE = 4 * 1024 * 1024


def b64_encode(data: bytes | str) -> str:
    """URL-safe base64 with the ``=`` padding kept, as every official SDK emits it."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii")


def b64_decode(text: str) -> bytes:
    """Decode URL-safe base64, padded or not; ``ValueError`` on anything else."""
    text = text.strip()
    if not text or any(c not in _B64_ALPHABET for c in text.rstrip("=")):
        raise ValueError(f"not url-safe base64: {text[:40]!r}")
    text = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not url-safe base64: {text[:40]!r}") from exc


_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64_decode_text(text: str) -> str:
    """Decode URL-safe base64 that must carry UTF-8 text."""
    try:
        return b64_decode(text).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("base64 value is not UTF-8 text") from exc


def decode_entry(encoded: str) -> tuple[str, str | None]:
    """Decode an EncodedEntryURI into ``(bucket, key)``; key is None for a bucket-only entry.

    Splits on the first ``:`` only, so keys may contain colons.
    """
    try:
        raw = b64_decode(encoded)
    except ValueError as exc:
        raise QiniuError.invalid_entry() from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QiniuError.key_not_utf8() from exc
    bucket, sep, key = text.partition(":")
    if not bucket:
        raise QiniuError.invalid_entry()
    return bucket, (key if sep else None)


class EtagHasher:
    """Incremental qetag: SHA-1 per 4 MiB block, combined as the spec describes."""

    def __init__(self) -> None:
        self._block_digests: list[bytes] = []
        self._current = hashlib.sha1()
        self._current_len = 0

    def update(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            room = BLOCK_SIZE - self._current_len
            chunk = view[:room]
            self._current.update(chunk)
            self._current_len += len(chunk)
            view = view[len(chunk):]
            if self._current_len == BLOCK_SIZE:
                self._block_digests.append(self._current.digest())
                self._current = hashlib.sha1()
                self._current_len = 0

    def hexdigest(self) -> str:
        blocks = list(self._block_digests)
        if self._current_len or not blocks:
            blocks.append(self._current.digest())
        if len(blocks) == 1:
            return b64_encode(b"\x16" + blocks[0])
        return b64_encode(b"\x96" + hashlib.sha1(b"".join(blocks)).digest())


def etag_of_bytes(data: bytes) -> str:
    hasher = EtagHasher()
    hasher.update(data)
    return hasher.hexdigest()


def etag_of_stream(stream: BinaryIO, chunk_size: int = 1 << 20) -> str:
    hasher = EtagHasher()
    while chunk := stream.read(chunk_size):
        hasher.update(chunk)
    return hasher.hexdigest()


def etag_v2(part_etags: list[str]) -> str:
    """The multipart (v2) etag over parts whose sizes are not all 4 MiB."""
    digests = b"".join(b64_decode(e)[1:] for e in part_etags)
    return b64_encode(b"\x9e" + hashlib.sha1(digests).digest())
