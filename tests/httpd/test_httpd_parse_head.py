"""The request head parser: every malformed head is a 400 however often it is seen, and
well-formed headers land in the environ under their CGI names."""

from __future__ import annotations

import pytest

from qiniu_emulator.httpd.parse import HttpError, parse_head


@pytest.mark.parametrize("head, reason", [
    (b"GET /a\x01b HTTP/1.1\r\nHost: x", "control characters"),
    (b"GET /a\x7fb HTTP/1.1\r\nHost: x", "control characters"),
    (b"GET /a\tb HTTP/1.1\r\nHost: x", "control characters"),
    (b"GET / HTTP/1.1\r\nHost: x\nX-A: 1", "bare CR or LF"),
    (b"GET / HTTP/1.1\r\nHost: x\rX-A: 1", "bare CR or LF"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1", "malformed header line"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n: empty", "malformed header line"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nNo-Colon", "malformed header line"),
])
def test_a_malformed_head_is_a_400_every_time(head: bytes, reason: str) -> None:
    for _ in range(2):  # a name seen before is still checked
        with pytest.raises(HttpError) as caught:
            parse_head(head)
        assert caught.value.status.startswith("400") and reason in caught.value.reason


def test_headers_land_under_their_cgi_names() -> None:
    head = (b"POST /p?q=1 HTTP/1.1\r\nHost: h\r\ncontent-type: text/plain\r\nContent-Length: 3\r\n"
            b"X-Multi: a\r\nx-multi: b\r\nX-Folded: one\r\n two\r\nX_Under: dropped\r\nX-Forwarded-For: 1.2.3.4")
    for _ in range(2):
        environ = parse_head(head).environ
        assert environ["CONTENT_TYPE"] == "text/plain" and environ["CONTENT_LENGTH"] == "3"
        assert environ["HTTP_X_MULTI"] == "a, b"
        assert environ["HTTP_X_FOLDED"] == "one two"
        assert "HTTP_X_UNDER" not in environ and "HTTP_X_FORWARDED_FOR" not in environ
        assert environ["PATH_INFO"] == "/p" and environ["QUERY_STRING"] == "q=1"
