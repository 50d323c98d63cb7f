"""putb64: a whole file as base64 text, as pages send it with XMLHttpRequest (and so with
CORS like every upload endpoint)."""

from __future__ import annotations

import base64
import zlib

import pytest
import qiniu
import requests
from support import ACCESS_KEY, SECRET_KEY

from qiniu_emulator.encoding import b64_encode

DATA = bytes(range(256)) * 40 + b"\xff\xfe"  # "+" and "/" in standard base64


def put(server, path: str, body: bytes, token: str | None = None, origin: str = "") -> requests.Response:
    headers = {"Authorization": f"UpToken {token or qiniu.Auth(ACCESS_KEY, SECRET_KEY).upload_token('demo-bucket')}",
               "Content-Type": "application/octet-stream"}
    if origin:
        headers["Origin"] = origin
    return requests.post(f"{server.url}/putb64/{path}", data=body, headers=headers, timeout=10)


def stored(server, key: str) -> bytes:
    return requests.get(f"{server.url}/_io/demo-bucket/{key}", timeout=10).content


def test_a_named_file_with_its_type_crc_and_variables(server):
    token = qiniu.Auth(ACCESS_KEY, SECRET_KEY).upload_token(
        "demo-bucket", policy={"returnBody": '{"key": $(key), "mime": $(mimeType), "v": $(x:v), "size": $(fsize)}'})
    path = (f"{len(DATA)}/key/{b64_encode('b64/file.bin')}/mimeType/{b64_encode('image/x-test')}"
            f"/crc32/{zlib.crc32(DATA)}/x:v/{b64_encode('hello')}")
    answer = put(server, path, base64.b64encode(DATA), token)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"key": "b64/file.bin", "mime": "image/x-test", "v": "hello", "size": len(DATA)}
    assert stored(server, "b64/file.bin") == DATA


@pytest.mark.parametrize("body", [base64.urlsafe_b64encode(DATA).rstrip(b"="),
                                  base64.encodebytes(DATA)])  # URL-safe unpadded; with line breaks
def test_other_base64_spellings_and_an_unknown_size(server, body):
    answer = put(server, f"-1/key/{b64_encode('any.bin')}", body)
    assert answer.status_code == 200 and stored(server, "any.bin") == DATA


@pytest.mark.parametrize("path,body,status,words", [
    (f"{len(DATA) + 1}", base64.b64encode(DATA), 400, "not"),
    ("ten", base64.b64encode(DATA), 400, "file size"),
    (f"{len(DATA)}", b"<script>not base64</script>", 400, "base64"),
    (f"{len(DATA)}/crc32/123", base64.b64encode(DATA), 406, ""),
    (f"{len(DATA)}/crc32/x", base64.b64encode(DATA), 400, "crc32"),
    (f"{len(DATA)}/key", base64.b64encode(DATA), 400, "no value"),
])
def test_bad_requests_are_refused_and_nothing_is_stored(server, path, body, status, words):
    answer = put(server, path, body)
    assert answer.status_code == status and words in answer.json()["error"]
    assert server.emulator.storage.list_objects("demo-bucket", "", "", 10).items == []


def test_a_page_may_send_it(server):
    flight = requests.options(f"{server.url}/putb64/-1", timeout=10, headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert flight.status_code == 200 and flight.headers["Access-Control-Allow-Origin"] == "*"
    answer = put(server, f"-1/key/{b64_encode('page.bin')}", base64.b64encode(b"hi"), origin="http://localhost:5173")
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"


def test_a_token_is_required(server):
    answer = requests.post(f"{server.url}/putb64/2", data=base64.b64encode(b"hi"), timeout=10)
    assert answer.status_code == 401
