"""A small object's download carries the same caching and range headers whether or not the
request is conditional, and its Range and If-* answers still come out right."""

from __future__ import annotations

import http.client
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest

BODY = bytes(range(256)) * 4


@pytest.fixture
def stored(server):
    server.emulator.storage.put_bytes("demo-bucket", "small.txt", BODY, mime="text/plain")
    return server


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, "/_io/demo-bucket/small.txt", headers=headers or {})
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def test_plain_download_has_caching_and_range_headers(stored) -> None:
    status, headers, body = fetch(stored.url)
    assert status == 200 and body == BODY
    assert headers["accept-ranges"] == "bytes"
    assert headers["cache-control"] == "no-cache"
    assert headers["content-length"] == str(len(BODY))
    assert headers["etag"].startswith('"')
    assert parsedate_to_datetime(headers["date"])
    assert parsedate_to_datetime(headers["last-modified"])
    assert headers["content-disposition"] == "inline; filename=small.txt"


def test_head_has_the_same_headers_and_no_body(stored) -> None:
    _, plain, _ = fetch(stored.url)
    status, headers, body = fetch(stored.url, method="HEAD")
    assert status == 200 and body == b""
    for name in ("accept-ranges", "cache-control", "content-length", "etag", "last-modified"):
        assert headers[name] == plain[name]


def test_conditional_requests_still_answer_206_and_304(stored) -> None:
    _, plain, _ = fetch(stored.url)
    status, headers, body = fetch(stored.url, {"Range": "bytes=10-19"})
    assert status == 206 and body == BODY[10:20]
    assert headers["content-range"] == f"bytes 10-19/{len(BODY)}"
    assert headers["accept-ranges"] == "bytes" and headers["cache-control"] == "no-cache"
    status, _, body = fetch(stored.url, {"If-Modified-Since": plain["last-modified"]})
    assert status == 304 and body == b""
    status, _, body = fetch(stored.url, {"Range": "bytes=5000-6000"})
    assert status == 416
