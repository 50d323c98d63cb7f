"""Listing keys in byte order with prefix, delimiter, limit and continuation markers.

The scan is written against a ``fetch`` callable so the paging logic is independent of
SQL: ``fetch(start, inclusive, end, n)`` returns up to ``n`` keys (UTF-8 bytes, ascending)
that are ``>= start`` (or ``> start``) and ``< end`` (``end`` None: unbounded).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from ..encoding import b64_decode, b64_encode
from ..errors import QiniuError

MAX_LIMIT = 1000

Fetch = Callable[[bytes, bool, "bytes | None", int], list[bytes]]


@dataclass
class KeyPage:
    """The keys of one page, before they are turned into object records."""

    keys: list[str] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    marker: str = ""


def encode_marker(last: str) -> str:
    """Qiniu's marker format: url-safe base64 of ``{"c":0,"k":"<last key>"}``."""
    return b64_encode(json.dumps({"c": 0, "k": last}, ensure_ascii=False, separators=(",", ":")))


def decode_marker(marker: str) -> str:
    """The key a marker continues after; 640 for anything that is not one of ours."""
    try:
        data = json.loads(b64_decode(marker).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise QiniuError.invalid_marker() from exc
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        raise QiniuError.invalid_marker()
    return data["k"]


def check_limit(limit: int) -> int:
    """1..1000 as given; 0 means the default 1000; anything else is a 400."""
    if limit == 0:
        return MAX_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise QiniuError.bad_request(f"invalid limit {limit}: use 1 to {MAX_LIMIT}")
    return limit


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest byte string above every string starting with ``prefix`` (None: no bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


def common_prefix(key: str, prefix: str, delimiter: str) -> str | None:
    """The common prefix ``key`` rolls up into, or None when it is listed as an item."""
    if not delimiter or not key.startswith(prefix):
        return None
    cut = key.find(delimiter, len(prefix))
    if cut < 0:
        return None
    return key[: cut + len(delimiter)]


def scan(fetch: Fetch, prefix: str, marker: str, limit: int, delimiter: str) -> KeyPage:
    """One page of keys and common prefixes; each common prefix counts toward ``limit``."""
    limit = check_limit(limit)
    low = prefix.encode("utf-8")
    end = prefix_end(low) if low else None
    start, inclusive = _start_point(low, marker, prefix, delimiter)
    page = KeyPage()
    last = ""
    while start is not None and _count(page) < limit:
        wanted = limit - _count(page)
        batch = fetch(start, inclusive, end, wanted)
        for raw in batch:
            key = raw.decode("utf-8")
            group = common_prefix(key, prefix, delimiter)
            if group is None:
                page.keys.append(key)
                last, start, inclusive = key, raw, False
            else:
                page.common_prefixes.append(group)
                last, start, inclusive = group, prefix_end(group.encode("utf-8")), True
                break  # everything under the group is skipped: restart the scan past it
            if _count(page) >= limit:
                break
        else:
            if len(batch) < wanted:
                start = None
    if start is not None and fetch(start, inclusive, end, 1):
        page.marker = encode_marker(last)
    return page


def _count(page: KeyPage) -> int:
    return len(page.keys) + len(page.common_prefixes)


def _start_point(low: bytes, marker: str, prefix: str, delimiter: str) -> tuple[bytes | None, bool]:
    if not marker:
        return low, True
    after = decode_marker(marker)
    group = common_prefix(after, prefix, delimiter)
    if group is not None:
        start, inclusive = prefix_end(group.encode("utf-8")), True
    else:
        start, inclusive = after.encode("utf-8"), False
    if start is not None and start < low:
        return low, True
    return start, inclusive
