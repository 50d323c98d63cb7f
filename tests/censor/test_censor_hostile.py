"""A hostile client on the moderation APIs: URIs that point at the emulator's own admin
origin, a private bucket, cloud metadata or local files, and bodies too large to read."""

from __future__ import annotations

import json

import pytest
import requests
from censor_support import jpeg, upload
from qiniu import QiniuMacAuth
from qiniu import http as qiniu_http
from support import ACCESS_KEY, SECRET_KEY

from qiniu_emulator.censor.service import MAX_REQUEST_BYTES

PATHS = ("/v3/image/censor", "/v3/video/censor")


def censor(server, path: str, uri: str):
    body = {"data": {"uri": uri}, "params": {"scenes": ["pulp"]}}
    return qiniu_http._post_with_qiniu_mac_and_headers(
        f"{server.url}{path}", json.dumps(body), QiniuMacAuth(ACCESS_KEY, SECRET_KEY), {"Content-Type": "application/json"})


@pytest.fixture
def private_object(server, sdk):
    upload(sdk, "demo-bucket", "x.jpg", jpeg())
    url = f"{server.url}/private?bucket=demo-bucket&private=1"
    assert requests.post(url, headers={"Authorization": f"QBox {sdk.token_of_request(url)}"},
                         timeout=10).status_code == 200
    return server


def test_uris_at_the_admin_origin_metadata_and_files_are_not_fetched(private_object):
    server = private_object
    admin_port = server.admin_url.rpartition(":")[2]
    for uri, reason in ((f"http://127.0.0.1:{admin_port}/_emulator/reset", "not allowed by the fetch policy"),
                        (f"http://localhost:{admin_port}/_emulator/health", "not allowed by the fetch policy"),
                        (f"http://[::ffff:127.0.0.1]:{admin_port}/", "not allowed by the fetch policy"),
                        (f"http://2130706433:{admin_port}/", "not allowed by the fetch policy"),
                        ("http://169.254.169.254/latest/meta-data/", "not allowed by the fetch policy"),
                        ("file:///etc/passwd", "only http(s) and kodo://"),
                        ("gopher://127.0.0.1/", "only http(s) and kodo://")):
        ret, info = censor(server, "/v3/image/censor", uri)
        assert info.status_code == 400 and reason in info.text_body, (uri, info.text_body)
    assert server.emulator.storage.exists("demo-bucket", "x.jpg")  # no reset happened


def test_a_private_download_url_is_read_as_an_anonymous_client_would(private_object):
    ret, info = censor(private_object, "/v3/image/censor", f"{private_object.url}/_io/demo-bucket/x.jpg")
    assert info.status_code == 400 and "401" in info.text_body, info.text_body
    ret, info = censor(private_object, "/v3/image/censor", "qiniu://demo-bucket/../output-bucket/x.jpg")
    assert info.status_code == 400 and "no such file" in info.text_body, info.text_body


@pytest.mark.parametrize("path", PATHS)
def test_a_body_over_the_limit_is_413_before_it_is_read_as_json(server, path):
    answer = requests.post(f"{server.url}{path}", data=b" " * (MAX_REQUEST_BYTES + 1),
                           headers={"Content-Type": "application/json", "Authorization": "Qiniu a:b"}, timeout=60)
    assert answer.status_code == 413, answer.text


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("body", [b"[" * 100000 + b"]" * 100000, b"[1, 2]", b'{"data": "x"}'])
def test_json_that_is_not_a_request_is_a_clear_400(server, path, body):
    url = f"{server.url}{path}"
    token = QiniuMacAuth(ACCESS_KEY, SECRET_KEY).token_of_request("POST", server.url.partition("//")[2], url, "",
                                                                  "application/json", body)
    answer = requests.post(url, data=body, timeout=10,
                           headers={"Content-Type": "application/json", "Authorization": f"Qiniu {token}"})
    assert answer.status_code == 400 and answer.json()["error"], answer.text
