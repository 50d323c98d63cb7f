"""Capturing requests from WSGI environs, and end to end through the HTTP server with the SDK."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import qiniu
import requests
from werkzeug.test import EnvironBuilder

from qiniu_emulator.auth import Authenticator, RawRequest, parse_download_query
from qiniu_emulator.errors import QiniuError
from qiniu_emulator.httpd.server import Server, gate

AK = "MockAccessKey123"
SK = "MockSecretKey456"


def test_from_environ_keeps_the_raw_target_and_headers() -> None:
    environ = EnvironBuilder(
        method="post",
        path="/list%2Fx/%E8%A7%86?prefix=a%2Fb&limit=1",
        base_url="http://127.0.0.1:9100",
        headers={"x-qiniu-date": "20240101T000000Z"},
        content_type="application/json",
        data=b"{}",
    ).get_environ()
    req = RawRequest.from_environ(environ, b"{}")
    assert (req.method, req.raw_path, req.raw_query) == ("POST", "/list%2Fx/%E8%A7%86", "prefix=a%2Fb&limit=1")
    assert req.host == "127.0.0.1:9100"
    assert req.headers["X-QINIU-DATE"] == "20240101T000000Z"
    assert req.headers["content-type"] == "application/json"
    assert req.body == b"{}"


def test_from_environ_without_a_raw_uri_re_quotes_the_path() -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/视频 1.mp4".encode().decode("latin-1"),
        "QUERY_STRING": "imageInfo",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    req = RawRequest.from_environ(environ, b"")
    assert (req.raw_path, req.raw_query, req.host) == ("/%E8%A7%86%E9%A2%91%201.mp4", "imageInfo", "localhost")


def test_from_environ_with_an_absolute_form_target() -> None:
    environ = {"REQUEST_METHOD": "GET", "REQUEST_URI": "http://h:1/a%20b?x=1", "HTTP_HOST": "h:1"}
    req = RawRequest.from_environ(environ, b"")
    assert (req.raw_path, req.raw_query) == ("/a%20b", "x=1")


# -- end to end: requests + official SDK signers -> httpd -> from_environ -> verify


class _Verifier:
    """A WSGI app answering 200 with the verified access key, or the error status."""

    def __init__(self, auth: Authenticator) -> None:
        self.auth = auth

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        req = RawRequest.from_environ(environ, environ["wsgi.input"].read(length))
        try:
            if req.headers.get("Authorization"):
                access_key = self.auth.verify_management(req)
            else:
                parsed = parse_download_query(req)
                access_key = self.auth.verify_download(parsed.url_variants, parsed.params)
            status, body = "200 OK", access_key
        except QiniuError as error:
            status, body = f"{error.status} Error", error.message
        start_response(status, [("Content-Type", "text/plain")])
        return [body.encode()]


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = Server()
    listener = server.listen(_Verifier(Authenticator({AK: SK})), "127.0.0.1", 0, gate(4))
    server.start()
    try:
        yield f"http://127.0.0.1:{listener.port}"
    finally:
        server.drain(10)


@pytest.mark.parametrize(
    "target",
    ["/stat/ZGVtby1idWNrZXQ6aGVsbG8udHh0", "/list?bucket=b&prefix=视频/&limit=10", "/a%2Fb/c d?x=|"],
)
def test_qiniu_signed_requests_verify_through_the_server(server_url: str, target: str) -> None:
    response = requests.post(
        server_url + target, data={"k": "v 1"}, auth=qiniu.auth.QiniuMacRequestsAuth(qiniu.QiniuMacAuth(AK, SK))
    )
    assert (response.status_code, response.text) == (200, AK)


def test_qiniu_signed_json_through_the_server(server_url: str) -> None:
    response = requests.post(
        server_url + "/buckets/b/objects/~/uploads/x", json={"parts": []},
        auth=qiniu.auth.QiniuMacRequestsAuth(qiniu.QiniuMacAuth(AK, SK)),
    )
    assert (response.status_code, response.text) == (200, AK)


def test_qbox_signed_form_through_the_server(server_url: str) -> None:
    response = requests.post(
        server_url + "/pfop/", data={"bucket": "b", "fops": "avinfo|saveas/eA=="},
        auth=qiniu.auth.RequestsAuth(qiniu.Auth(AK, SK)),
    )
    assert (response.status_code, response.text) == (200, AK)


def test_wrong_secret_through_the_server_is_401(server_url: str) -> None:
    response = requests.post(
        server_url + "/pfop/", data={"bucket": "b"}, auth=qiniu.auth.RequestsAuth(qiniu.Auth(AK, "wrong"))
    )
    assert (response.status_code, response.text) == (401, "bad token")


def test_private_download_url_through_the_server(server_url: str) -> None:
    # requests escapes the space, the non-ASCII key and '|' differently from what was signed.
    url = qiniu.Auth(AK, SK).private_download_url(f"{server_url}/视频/a b.jpg?imageView2/0/w/10|imageInfo")
    response = requests.get(url)
    assert (response.status_code, response.text) == (200, AK)
