"""Validation of bucket names and object keys, with messages that say what to change."""

from __future__ import annotations

import re

from ..errors import QiniuError

MAX_KEY_BYTES = 750

_BUCKET_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]")


def is_valid_bucket_name(name: object) -> bool:
    return isinstance(name, str) and _BUCKET_NAME.fullmatch(name) is not None


def check_bucket_name(name: object) -> str:
    """Return ``name`` if Qiniu would accept it as a bucket name, else raise 400."""
    if not is_valid_bucket_name(name):
        raise QiniuError.bad_request(
            f"invalid bucket name {name!r}: use 3-63 characters of lowercase letters, digits"
            " and '-', starting and ending with a letter or digit"
        )
    return name  # type: ignore[return-value]


def key_bytes(key: object) -> bytes:
    """The UTF-8 bytes of a key Qiniu would accept (at most 750 bytes); 400 otherwise."""
    if not isinstance(key, str):
        raise QiniuError.bad_request(f"object key must be a string, got {type(key).__name__}")
    try:
        raw = key.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QiniuError.key_not_utf8() from exc
    if len(raw) > MAX_KEY_BYTES:
        raise QiniuError.bad_request(
            f"key too long: {len(raw)} bytes of UTF-8, Qiniu allows at most {MAX_KEY_BYTES}"
        )
    return raw


def check_mime(mime: str) -> str:
    """A MIME type that can go into a Content-Type header: printable ASCII, ``type/subtype``."""
    if len(mime) > 255 or "/" not in mime or not (mime.isascii() and mime.isprintable()):
        raise QiniuError.bad_request(f"invalid mime type {mime[:60]!r}")
    return mime
