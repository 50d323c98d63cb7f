"""The HTTP server at the wire: keep-alive, pipelining, request bodies (Content-Length,
chunked, 100-continue), answers' framing, and clear errors for malformed requests."""

from __future__ import annotations

import io
import json
import os
import socket
import tempfile

import httpd_apps as apps
import pytest
from rawhttp import closed, connect, read_answer

from qiniu_emulator.httpd.server import Limits


def get(path: str, extra: str = "", version: str = "1.1", method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/{version}\r\nHost: x\r\n{extra}\r\n".encode()


def test_keep_alive_serves_requests_in_turn_on_one_connection(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        reader = sock.makefile("rb")
        for n in range(3):
            sock.sendall(get(f"/n{n}?q={n}"))
            answer = read_answer(reader)
            assert answer.status == 200 and json.loads(answer.body)["path"] == f"/n{n}"
            assert json.loads(answer.body)["query"] == f"q={n}"


def test_pipelined_requests_are_answered_in_order(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(get("/a") + b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + get("/c"))
        reader = sock.makefile("rb")
        seen = [json.loads(read_answer(reader).body) for _ in range(3)]
    assert [s["path"] for s in seen] == ["/a", "/b", "/c"]
    assert seen[1]["body"] == "hello" and seen[1]["length"] == "5"


def test_http_1_0_closes_unless_kept_alive(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(get("/a", version="1.0"))
        reader = sock.makefile("rb")
        answer = read_answer(reader)
        assert answer.raw_head.startswith(b"HTTP/1.0 200") and answer.headers["connection"] == "close"
        assert closed(sock)
    with connect(port) as sock:
        sock.sendall(get("/a", "Connection: keep-alive\r\n", version="1.0"))
        reader = sock.makefile("rb")
        assert read_answer(reader).headers["connection"].lower() == "keep-alive"
        sock.sendall(get("/b", version="1.0"))
        assert json.loads(read_answer(reader).body)["path"] == "/b"


def test_connection_close_is_honoured(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(get("/a", "Connection: close\r\n"))
        assert read_answer(sock.makefile("rb")).headers["connection"] == "close"
        assert closed(sock)


def test_the_target_is_decoded_and_kept_raw(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(get("//a%20b/%E8%A7%86?x=%2F#frag", "X-Forwarded-For: 1.2.3.4\r\nX_Under: 1\r\n"))
        seen = json.loads(read_answer(sock.makefile("rb")).body)
    assert seen["path"] == "/a b/" + "视".encode().decode("latin-1")
    assert (seen["query"], seen["uri"]) == ("x=%2F", "//a%20b/%E8%A7%86?x=%2F#frag")
    assert seen["headers"] == ["HTTP_HOST"]  # proxy headers and names with "_" are dropped


def test_a_chunked_body_is_decoded_and_its_length_given(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(b"PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n" + get("/next"))
        reader = sock.makefile("rb")
        seen = json.loads(read_answer(reader).body)
        assert (seen["body"], seen["length"]) == ("hello world", "11")
        assert json.loads(read_answer(reader).body)["path"] == "/next"


@pytest.mark.parametrize("chunks", [b"zz\r\nhello\r\n0\r\n\r\n", b"5\r\nhello world\r\n0\r\n\r\n",
                                    b"-5\r\nhello\r\n0\r\n\r\n"])
def test_bad_chunked_encoding_is_400(serve, chunks: bytes) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(b"PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
        answer = read_answer(sock.makefile("rb"))
    assert answer.status == 400 and b"chunk" in answer.body


def test_endless_trailer_fields_after_a_chunked_body_are_400(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(b"PUT /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
        try:
            for _ in range(10_000):  # 200 KB of trailers, far past the limit
                sock.sendall(b"X-Trailer: " + b"t" * 8 + b"\r\n")
        except OSError:
            pass  # the server answered and closed while we were still sending
        answer = read_answer(sock.makefile("rb"))
    assert answer.status == 400 and b"trailer" in answer.body


def test_100_continue_is_sent_when_the_app_reads_the_body(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        reader = sock.makefile("rb")
        assert read_answer(reader).status == 100
        sock.sendall(b"hello")
        assert json.loads(read_answer(reader).body)["body"] == "hello"


def test_an_empty_body_with_expect_continue_is_answered_at_once(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n")
        answer = read_answer(sock.makefile("rb"))
    assert answer.status == 200 and json.loads(answer.body)["body"] == ""


def test_a_body_the_app_never_asked_for_is_not_continued_and_the_connection_closes(serve) -> None:
    _, port = serve(apps.ignores_body)
    with connect(port) as sock:
        sock.sendall(b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\nExpect: 100-continue\r\n\r\n")
        answer = read_answer(sock.makefile("rb"))
        assert answer.status == 401 and answer.headers["connection"] == "close"


def test_an_unread_body_sent_without_expect_is_skipped_and_the_connection_kept(serve) -> None:
    _, port = serve(apps.ignores_body)
    with connect(port) as sock:
        sock.sendall(b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n" + b"x" * 300000 + get("/again"))
        reader = sock.makefile("rb")
        assert [read_answer(reader).status for _ in range(2)] == [401, 401]


def test_an_answer_without_length_is_chunked_on_1_1_and_closed_on_1_0(serve) -> None:
    _, port = serve(apps.streamed)
    with connect(port) as sock:
        sock.sendall(get("/s"))
        answer = read_answer(sock.makefile("rb"))
        assert answer.headers["transfer-encoding"] == "chunked" and answer.body == b"one two three"
    with connect(port) as sock:
        sock.sendall(get("/s", version="1.0"))
        answer = read_answer(sock.makefile("rb"))
        assert "transfer-encoding" not in answer.headers and answer.body == b"one two three"


def test_head_sends_headers_only_and_names_keep_the_apps_case(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(get("/h", method="HEAD") + get("/after"))
        reader = sock.makefile("rb")
        head = read_answer(reader, head_only=True)
        assert int(head.headers["content-length"]) > 0 and b"\r\nx-amz-meta-color: red\r\n" in head.raw_head
        assert json.loads(read_answer(reader).body)["path"] == "/after"


def test_file_bodies_small_and_large_arrive_intact(serve) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    with tempfile.NamedTemporaryFile() as stored:
        stored.write(data)
        stored.flush()

        def send(environ, start_response):
            size = int(environ["QUERY_STRING"])
            start_response("200 OK", [("Content-Length", str(size))])
            return environ["wsgi.file_wrapper"](open(stored.name, "rb"))

        _, port = serve(send)
        with connect(port) as sock:
            sock.sendall(get("/f?1000") + get("/f?" + str(len(data))) + get("/f?1000"))
            reader = sock.makefile("rb")
            bodies = [read_answer(reader).body for _ in range(3)]
    assert bodies == [data[:1000], data, data[:1000]]


@pytest.mark.parametrize("request_bytes, status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"get / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    (b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    # framing a proxy could read another way (request smuggling)
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400),
])
def test_malformed_requests_get_a_clear_error_and_the_server_goes_on(serve, request_bytes: bytes,
                                                                     status: int) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.sendall(request_bytes)
        answer = read_answer(sock.makefile("rb"))
        assert answer.status == status and answer.headers["connection"] == "close"
        assert closed(sock)
    with connect(port) as sock:
        sock.sendall(get("/fine"))
        assert read_answer(sock.makefile("rb")).status == 200


def test_an_oversize_head_is_431(serve) -> None:
    _, port = serve(apps.echo, limits=Limits(max_head=4096))
    with connect(port) as sock:
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8192 + b"\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before the whole head is sent
        answer = read_answer(sock.makefile("rb"))
    assert answer.status == 431


def test_a_body_over_the_limit_is_413_before_it_is_read(serve) -> None:
    _, port = serve(apps.echo, limits=Limits(max_body=1000))
    with connect(port) as sock:
        sock.sendall(b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
        assert read_answer(sock.makefile("rb")).status == 413
    with connect(port) as sock:
        sock.sendall(b"PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + b"400\r\n" + b"a" * 1024
                     + b"\r\n")
        assert read_answer(sock.makefile("rb")).status == 413


def test_a_tls_handshake_on_a_plain_port_is_refused_at_once(serve) -> None:
    _, port = serve(apps.echo, tls_refusal=b"plain HTTP only\n")
    with connect(port) as sock:
        sock.sendall(bytes([0x16, 0x03, 0x01, 0x00, 0x05]) + b"hello")
        answer = read_answer(sock.makefile("rb"))
    assert answer.status == 400 and answer.body == b"plain HTTP only\n"


def test_a_request_split_across_many_sends_is_read_whole(serve) -> None:
    _, port = serve(apps.echo)
    with connect(port) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc":
            sock.sendall(bytes([byte]))
        seen = json.loads(read_answer(sock.makefile("rb")).body)
    assert (seen["path"], seen["body"]) == ("/slow", "abc")


def test_the_server_owns_the_connection_header(serve) -> None:
    def closing(environ, start_response):
        start_response("200 OK", [("Connection", "close"), ("Content-Length", "2")])
        return [b"ok"]

    _, port = serve(closing)
    with connect(port) as sock:
        sock.sendall(get("/c"))
        answer = read_answer(sock.makefile("rb"))
        assert answer.raw_head.lower().count(b"connection:") == 1 and answer.headers["connection"] == "close"
        assert closed(sock)


def test_a_large_in_memory_file_body_arrives_intact(serve) -> None:
    data = os.urandom(1024 * 1024 + 3)

    def send(environ, start_response):
        start_response("200 OK", [("Content-Length", str(len(data)))])
        return environ["wsgi.file_wrapper"](io.BytesIO(data), 8192)

    _, port = serve(send)
    with connect(port) as sock:
        sock.sendall(get("/m") + get("/m"))
        reader = sock.makefile("rb")
        assert [read_answer(reader).body for _ in range(2)] == [data, data]
