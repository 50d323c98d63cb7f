"""What a GetObject/HeadObject asks for beyond the key: a byte range, conditions, response-* overrides
(docs/s3.md §7)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Mapping

from werkzeug.datastructures import Headers

from ..s3_errors import S3Error

OVERRIDES = {
    "response-content-type": "Content-Type", "response-content-language": "Content-Language",
    "response-expires": "Expires", "response-cache-control": "Cache-Control",
    "response-content-disposition": "Content-Disposition", "response-content-encoding": "Content-Encoding",
}


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single ``bytes=`` range; None for no range or one S3 ignores (several ranges,
    another unit); 416 InvalidRange when it cannot be satisfied."""
    unit, _, spec = header.strip().partition("=")
    if not header or unit.strip() != "bytes" or "," in spec:
        return None
    start_text, dash, end_text = spec.strip().partition("-")
    if not dash or not (start_text.isdigit() or end_text.isdigit()):
        return None
    if not start_text:  # the last N bytes
        length = int(end_text)
        if length == 0 or size == 0:
            raise S3Error.invalid_range(size, header)
        return max(0, size - length), size - 1
    first = int(start_text)
    last = int(end_text) if end_text.isdigit() else size - 1
    if first >= size:
        raise S3Error.invalid_range(size, header)
    if last < first:
        return None
    return first, min(last, size - 1)


def _seconds(text: str) -> float | None:
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return "*" in tags or etag in tags


def precondition(headers: Headers, etag: str, modified: float) -> int:
    """200 to answer, 304 Not Modified, or 412 (raised) as S3 evaluates the four conditions."""
    modified = int(modified)  # Last-Modified has whole seconds
    if_match, if_none = headers.get("If-Match"), headers.get("If-None-Match")
    if if_match is not None and not _etag_matches(if_match, etag):
        raise S3Error.precondition_failed("If-Match")
    since = _seconds(headers.get("If-Unmodified-Since", ""))
    if if_match is None and since is not None and modified > since:
        raise S3Error.precondition_failed("If-Unmodified-Since")
    if if_none is not None and _etag_matches(if_none, etag):
        return 304
    since = _seconds(headers.get("If-Modified-Since", ""))
    if if_none is None and since is not None and modified <= since:
        return 304
    return 200


def overrides(query: Mapping[str, str]) -> dict[str, str]:
    """The response headers a signed GetObject asks to replace."""
    return {header: query[param] for param, header in OVERRIDES.items() if param in query}
