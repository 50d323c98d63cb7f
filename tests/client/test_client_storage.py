"""Uploads, object management and download URLs against a real local HTTP server."""

from __future__ import annotations

import base64
import email.parser
import hashlib
import json
import zlib
from urllib.parse import parse_qsl, urlsplit

import pytest
import qiniu
from client_recording_server import AK, SK, Reply
from support import ramp
from qiniu_fop import (
    Auth,
    BucketManager,
    build_batch_change_mime,
    build_batch_copy,
    build_batch_delete,
    build_batch_move,
    build_batch_rename,
    build_batch_stat,
    download_url,
    put_data,
    put_file,
)

MIB = 1024 * 1024


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def form_fields(recorded) -> dict[str, tuple[str | None, bytes, str]]:
    """Parse a multipart/form-data body into {name: (filename, bytes, content type)}."""
    head = f"Content-Type: {recorded.headers['Content-Type']}\r\n\r\n".encode()
    message = email.parser.BytesParser().parsebytes(head + recorded.body)
    return {part.get_param("name", header="content-disposition"):
            (part.get_filename(), part.get_payload(decode=True), part.get_content_type())
            for part in message.get_payload()}


def sha1(data: bytes) -> bytes:
    return hashlib.sha1(data).digest()


# --- form upload ------------------------------------------------------------------

def test_put_data_sends_a_form_upload(server, auth) -> None:
    data = b"hello world"
    server.responder = lambda req: Reply(body={"hash": "FiqubDXJT8-0FdvpX0CLnOke6Ebt", "key": "a.txt"})
    token = auth.upload_token("demo-bucket", "a.txt")
    ret, info = put_data(token, "a.txt", data, params={"x:user": "7"}, mime_type="text/plain",
                         metadata={"owner": "me", "x-qn-meta-tag": "t"}, config=server.config())

    assert info.ok() and ret == {"hash": "FiqubDXJT8-0FdvpX0CLnOke6Ebt", "key": "a.txt"}
    [sent] = server.requests
    assert (sent.method, sent.path) == ("POST", "/")
    fields = form_fields(sent)
    assert fields["token"][1].decode() == token
    assert fields["key"][1] == b"a.txt"
    assert fields["x:user"][1] == b"7"
    assert fields["x-qn-meta-owner"][1] == b"me" and fields["x-qn-meta-tag"][1] == b"t"
    assert fields["crc32"][1] == str(zlib.crc32(data)).encode() == b"222957957"
    assert fields["file"] == ("a.txt", data, "text/plain")


def test_put_data_without_key_sends_no_key_field(server, auth) -> None:
    server.responder = lambda req: Reply(body={"hash": "Fto5o-5ea0sNMlW_75VgGJCv2AcJ",
                                               "key": "Fto5o-5ea0sNMlW_75VgGJCv2AcJ"})
    ret, info = put_data(auth.upload_token("b"), None, b"", config=server.config())

    assert ret["key"] == "Fto5o-5ea0sNMlW_75VgGJCv2AcJ"
    assert "key" not in form_fields(server.requests[0])


def test_put_data_notices_a_hash_that_does_not_match(server, auth) -> None:
    server.responder = lambda req: Reply(body={"hash": "FlYu0iBR1WpvYi4whKXiBuQpyLLk", "key": "k"})
    ret, info = put_data(auth.upload_token("b", "k"), "k", b"hello world", config=server.config())

    assert ret is None
    assert "differs from the local qetag FiqubDXJT8-0FdvpX0CLnOke6Ebt" in info.error


@pytest.mark.parametrize("kwargs, message", [
    ({"up_token": "not-a-token"}, "upload token"),
    ({"params": {"user": "1"}}, "must start with 'x:'"),
    ({"data": 12}, "data must be bytes"),
    ({"key": 5}, "key must be a string"),
])
def test_put_data_bad_input(server, auth, kwargs, message) -> None:
    call = {"up_token": auth.upload_token("b"), "key": "k", "data": b"x", **kwargs}
    with pytest.raises(ValueError, match=message):
        put_data(**call, config=server.config())
    assert server.requests == []


def test_small_put_file_uses_the_form(server, auth, tmp_path) -> None:
    path = tmp_path / "small.bin"
    path.write_bytes(b"hello world")
    put_file(auth.upload_token("b"), "k", path, config=server.config())

    [sent] = server.requests
    assert sent.path == "/" and form_fields(sent)["file"][0] == "small.bin"


# --- v2 multipart -----------------------------------------------------------------

class MultipartService:
    """Answers the three v2 multipart steps and computes the hash from what it got."""

    def __init__(self, break_part: int | None = None, wrong_hash: bool = False) -> None:
        self.parts: dict[int, bytes] = {}
        self.break_part = break_part
        self.wrong_hash = wrong_hash

    def __call__(self, req) -> Reply:
        tail = req.path.split("/uploads", 1)[1]
        if req.method == "POST" and tail == "":
            return Reply(body={"uploadId": "up-1", "expireAt": 1893456000})
        if req.method == "PUT":
            number = int(tail.rsplit("/", 1)[1])
            if number == self.break_part:
                return Reply(400, {"error": "bad part"})
            self.parts[number] = req.body
            return Reply(body={"etag": f"part-{number}", "md5": hashlib.md5(req.body).hexdigest()})
        if req.method == "POST":
            ordered = [self.parts[n] for n in sorted(self.parts)]
            digest = sha1(b"".join(sha1(p) for p in ordered))
            tag = base64.urlsafe_b64encode(b"\x9e" + digest).decode()
            return Reply(body={"hash": "Fto5o-5ea0sNMlW_75VgGJCv2AcJ" if self.wrong_hash else tag,
                               "key": "big/video.mp4"})
        return Reply(body={})


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "video.mp4"
    path.write_bytes(ramp(int(2.5 * MIB), 253))
    return path


def test_put_file_runs_the_v2_multipart_sequence(server, auth, big_file) -> None:
    server.responder = MultipartService()
    token = auth.upload_token("demo-bucket", "big/video.mp4")
    ret, info = put_file(token, "big/video.mp4", big_file, params={"x:a": "1"}, mime_type="video/mp4",
                         metadata={"owner": "me"}, resumable_threshold=MIB, part_size=MIB,
                         config=server.config())

    assert info.ok() and ret["key"] == "big/video.mp4"
    base = f"/buckets/demo-bucket/objects/{b64('big/video.mp4')}/uploads"
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", base), ("PUT", f"{base}/up-1/1"), ("PUT", f"{base}/up-1/2"),
        ("PUT", f"{base}/up-1/3"), ("POST", f"{base}/up-1")]
    assert all(r.headers["Authorization"] == f"UpToken {token}" for r in server.requests)
    content = big_file.read_bytes()
    puts = server.requests[1:4]
    assert b"".join(p.body for p in puts) == content
    assert [len(p.body) for p in puts] == [MIB, MIB, MIB // 2]
    for put in puts:
        assert put.headers["Content-MD5"] == hashlib.md5(put.body).hexdigest()
        assert put.headers["Content-Type"] == "application/octet-stream"
    complete = server.requests[4]
    assert complete.headers["Content-Type"] == "application/json"
    assert json.loads(complete.body) == {
        "parts": [{"etag": "part-1", "partNumber": 1}, {"etag": "part-2", "partNumber": 2},
                  {"etag": "part-3", "partNumber": 3}],
        "fname": "video.mp4", "mimeType": "video/mp4",
        "customVars": {"x:a": "1"}, "metadata": {"x-qn-meta-owner": "me"}}


def test_multipart_without_key_uses_tilde(server, auth, big_file) -> None:
    server.responder = MultipartService()
    put_file(auth.upload_token("demo-bucket"), None, big_file, resumable_threshold=MIB,
             part_size=MIB, config=server.config())
    assert server.requests[0].path == "/buckets/demo-bucket/objects/~/uploads"


def test_multipart_failed_part_aborts_the_upload(server, auth, big_file) -> None:
    server.responder = MultipartService(break_part=2)
    ret, info = put_file(auth.upload_token("b", "k"), "k", big_file, resumable_threshold=MIB,
                         part_size=MIB, config=server.config())

    assert ret is None and info.status_code == 400
    assert [r.method for r in server.requests] == ["POST", "PUT", "PUT", "DELETE"]
    assert server.requests[-1].path.endswith("/uploads/up-1")


def test_multipart_wrong_final_hash_is_reported(server, auth, big_file) -> None:
    server.responder = MultipartService(wrong_hash=True)
    ret, info = put_file(auth.upload_token("b", "k"), "k", big_file, resumable_threshold=MIB,
                         part_size=MIB, config=server.config())
    assert ret is None and "differs from the local qetag" in info.error


def test_put_file_bad_arguments(auth, tmp_path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        put_file(auth.upload_token("b"), "k", tmp_path / "missing")
    with pytest.raises(ValueError, match="part_size"):
        put_file(auth.upload_token("b"), "k", tmp_path, part_size=1024)


# --- BucketManager ----------------------------------------------------------------

def expected_qiniu(server, recorded) -> str:
    """The Qiniu header the official SDK computes for the recorded request."""
    mac = qiniu.QiniuMacAuth(AK, SK)
    qheaders = {k: v for k, v in recorded.headers.items() if k.lower().startswith("x-qiniu-")}
    qheaders = {"X-Qiniu-Date": qheaders["X-Qiniu-Date"]}
    token = mac.token_of_request(recorded.method, recorded.headers["Host"], server.url + recorded.path,
                                 mac.qiniu_headers(qheaders), recorded.headers.get("Content-Type"),
                                 recorded.body)
    return f"Qiniu {token}"


def test_management_calls_are_qiniu_signed(server, auth) -> None:
    server.responder = lambda req: Reply(body={"fsize": 11, "hash": "h", "mimeType": "text/plain",
                                               "putTime": 1, "type": 0})
    manager = BucketManager(auth, config=server.config())
    manager.stat("demo-bucket", "hello.txt")
    manager.delete("demo-bucket", "hello.txt")
    manager.copy("demo-bucket", "a", "other", "b")
    manager.move("demo-bucket", "a", "other", "b", force=True)
    manager.change_mime("demo-bucket", "a", "image/png")
    manager.buckets()
    manager.domains("demo-bucket")

    e = b64("demo-bucket:hello.txt")
    a, b = b64("demo-bucket:a"), b64("other:b")
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", f"/stat/{e}"), ("POST", f"/delete/{e}"),
        ("POST", f"/copy/{a}/{b}/force/false"), ("POST", f"/move/{a}/{b}/force/true"),
        ("POST", f"/chgm/{a}/mime/{b64('image/png')}"),
        ("POST", "/buckets"), ("POST", "/v2/domains?tbl=demo-bucket")]
    for recorded in server.requests:
        assert recorded.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert len(recorded.headers["X-Qiniu-Date"]) == 16
        assert recorded.headers["Authorization"] == expected_qiniu(server, recorded)


def test_stat_result_and_empty_mutation_body(server, auth) -> None:
    manager = BucketManager(auth, config=server.config())
    server.responder = lambda req: Reply(body={"fsize": 11, "hash": "h", "type": 0})
    assert manager.stat("b", "k")[0] == {"fsize": 11, "hash": "h", "type": 0}
    server.responder = lambda req: Reply(body=b"")
    ret, info = manager.delete("b", "k")
    assert ret == {} and info.ok()


def test_list_is_a_signed_get_with_eof(server, auth) -> None:
    pages = iter([{"marker": "m1", "items": [{"key": "视频/a"}]}, {"marker": "", "items": []}])
    server.responder = lambda req: Reply(body=next(pages))
    manager = BucketManager(auth, config=server.config())

    ret, eof, info = manager.list("demo-bucket", prefix="视频/", limit=10)
    assert (ret["items"][0]["key"], eof) == ("视频/a", False)
    ret, eof, info = manager.list("demo-bucket", marker=ret["marker"], delimiter="/")
    assert eof is True

    first, second = server.requests
    assert first.method == "GET"
    assert first.path == "/list?bucket=demo-bucket&prefix=%E8%A7%86%E9%A2%91%2F&limit=10"
    assert dict(parse_qsl(urlsplit(second.path).query)) == {
        "bucket": "demo-bucket", "marker": "m1", "delimiter": "/"}
    assert first.headers["Authorization"] == expected_qiniu(server, first)


def test_list_failure_is_not_eof(server, auth) -> None:
    server.responder = lambda req: Reply(631, {"error": "no such bucket"})
    ret, eof, info = BucketManager(auth, config=server.config()).list("nope")
    assert (ret, eof, info.status_code) == (None, False, 631)


def test_batch_sends_repeated_op_fields_and_keeps_partial_results(server, auth) -> None:
    results = [{"code": 200, "data": {"fsize": 1}},
               {"code": 612, "data": {"error": "no such file or directory"}}]
    server.responder = lambda req: Reply(298, results)
    ops = build_batch_stat("b", ["x", "y"])
    ret, info = BucketManager(auth, config=server.config()).batch(ops)

    assert ret == results and info.status_code == 298
    [sent] = server.requests
    assert sent.path == "/batch"
    assert parse_qsl(sent.body.decode()) == [("op", f"/stat/{b64('b:x')}"), ("op", f"/stat/{b64('b:y')}")]
    assert sent.headers["Authorization"] == expected_qiniu(server, sent)


def test_batch_builders() -> None:
    assert build_batch_delete("b", ["k"]) == [f"/delete/{b64('b:k')}"]
    assert build_batch_copy("b", {"k": "k2"}, "c") == [f"/copy/{b64('b:k')}/{b64('c:k2')}/force/false"]
    assert build_batch_move("b", {"k": "k2"}, "c", force=True) == [
        f"/move/{b64('b:k')}/{b64('c:k2')}/force/true"]
    assert build_batch_rename("b", {"k": "k2"}) == [f"/move/{b64('b:k')}/{b64('b:k2')}/force/false"]
    assert build_batch_change_mime("b", {"k": "text/plain"}) == [
        f"/chgm/{b64('b:k')}/mime/{b64('text/plain')}"]
    # The official SDK leaves out the leading slash the spec's batch examples carry.
    assert build_batch_stat("b", ["k"]) == ["/" + op for op in qiniu.build_batch_stat("b", ["k"])]
    assert build_batch_copy("b", {"k": "k2"}, "c") == [
        "/" + op for op in qiniu.build_batch_copy("b", {"k": "k2"}, "c")]


@pytest.mark.parametrize("call", [
    lambda m: m.batch([]), lambda m: m.batch("op"), lambda m: m.list("b", limit=0),
    lambda m: m.change_mime("b", "k", "png"), lambda m: build_batch_stat("b", "k"),
])
def test_bucket_manager_bad_input(call) -> None:
    with pytest.raises(ValueError):
        call(BucketManager(Auth(AK, SK)))


# --- download URLs ----------------------------------------------------------------

def test_download_urls(monkeypatch) -> None:
    auth = Auth(AK, SK, clock=lambda: 1893452400)
    assert download_url("cdn.example.com", "视频/测试 1.mp4") == (
        "http://cdn.example.com/%E8%A7%86%E9%A2%91/%E6%B5%8B%E8%AF%95%201.mp4")
    assert download_url("cdn.example.com", "a?b#c%d.jpg", scheme="https") == (
        "https://cdn.example.com/a%3Fb%23c%25d.jpg")
    assert download_url("http://127.0.0.1:9100", "hello.jpg", fop="imageView2/1/w/100/h/100") == (
        "http://127.0.0.1:9100/hello.jpg?imageView2/1/w/100/h/100")
    assert download_url("127.0.0.1:9100", "hello.jpg", private=True, auth=auth,
                        fop="imageView2/1/w/100/h/100") == (
        "http://127.0.0.1:9100/hello.jpg?imageView2/1/w/100/h/100&e=1893456000"
        "&token=MockAccessKey123:pxmG6xIIENVAQJmJ7a7zVv3soTs=")
    assert download_url("127.0.0.1:9100", "视频/测试 1.mp4", private=True, auth=auth) == (
        "http://127.0.0.1:9100/%E8%A7%86%E9%A2%91/%E6%B5%8B%E8%AF%95%201.mp4?e=1893456000"
        "&token=MockAccessKey123:yuXmAlIe4kkLteksYq4RIoaoNT8=")


def test_private_download_url_needs_auth() -> None:
    with pytest.raises(ValueError, match="auth"):
        download_url("cdn.example.com", "k", private=True)
