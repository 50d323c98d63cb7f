"""The request log: what a user sees of each request, and what it never keeps."""

from __future__ import annotations

import logging

import qiniu
import requests
from support import ACCESS_KEY, SECRET_KEY

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.requestlog import Exchange, RequestFilter, RequestLog, trim_query


def exchange(**fields) -> Exchange:
    base = dict(method="GET", host="127.0.0.1:9000", raw_path="/_io/b/k", raw_query="", authorization="",
                content_type="", status=200, reqid="r", seconds=0.001)
    return Exchange(**{**base, **fields})


def test_tokens_and_saveas_signatures_keep_only_their_access_key():
    assert trim_query("e=1700000000&token=ak%3Asecretsign") == "e=1700000000&token=ak:***"
    assert trim_query("imageView2/2/w/1|saveas/YTpi/sign/ak:abcdef") == "imageView2/2/w/1|saveas/YTpi/sign/ak:***"
    assert "abcdef" not in trim_query("imageView2%2F2%7Csaveas%2FYTpi%2Fsign%2Fak%3Aabcdef")


def test_the_log_is_bounded_newest_first_and_filterable():
    log = RequestLog(3)
    for status in (200, 401, 404, 200):
        log.record(exchange(status=status, authorization="QBox someone:sig"))
    records = log.recent()
    assert [r.status for r in records] == [200, 404, 401]  # the oldest fell out
    assert [r.status for r in log.recent(where=RequestFilter(status="error"))] == [404, 401]
    assert [r.status for r in log.recent(where=RequestFilter(status="4xx"), before=records[1].id)] == [401]
    assert records[0].scheme == "QBox" and records[0].account == "someone"
    assert "sig" not in records[0].curl()


def test_a_bad_signature_is_logged_with_what_was_expected_never_the_secret(server, caplog):
    caplog.set_level(logging.INFO, logger="qiniu_emulator.requests")
    entry = b64_encode("demo-bucket:missing.txt")
    response = requests.post(f"{server.url}/stat/{entry}", headers={"Authorization": f"QBox {ACCESS_KEY}:bad"})
    assert response.status_code == 401
    listed = requests.get(f"{server.admin_url}/_emulator/requests", params={"status": "401"}).json()["requests"]
    [record] = listed
    assert record["scheme"] == "QBox" and record["accessKey"] == ACCESS_KEY
    assert record["reqid"] == response.headers["X-Reqid"]
    assert f"/stat/{entry}\\n" in record["expected"]
    assert "bad token" in record["error"]
    assert SECRET_KEY not in str(record)
    [line] = [r.getMessage() for r in caplog.records if r.name == "qiniu_emulator.requests"]
    assert line.startswith(f"POST /stat/{entry} 401 QBox {ACCESS_KEY}") and f"/stat/{entry}" in line.split("|")[1]


def test_good_requests_are_logged_and_console_traffic_is_not(server, sdk):
    token = sdk.upload_token("demo-bucket", "hello.txt")
    ret, info = qiniu.put_data(token, "hello.txt", b"hello")
    assert info.status_code == 200
    requests.get(f"{server.admin_url}/_emulator/ui/requests")
    requests.get(f"{server.url}/_io/demo-bucket/hello.txt",
                 headers={"Referer": f"{server.admin_url}/_emulator/ui/object?bucket=demo-bucket&key=hello.txt"})
    records = requests.get(f"{server.admin_url}/_emulator/requests").json()["requests"]
    upload = next(r for r in records if r["method"] == "POST" and r["status"] == 200)
    assert upload["scheme"] == "UpToken" and upload["accessKey"] == ACCESS_KEY
    assert not any(r["path"].startswith(("/_emulator/", "/_io/")) for r in records)


def test_a_download_token_is_trimmed_in_the_log(server, sdk):
    url = sdk.private_download_url(f"{server.url}/_io/demo-bucket/nothing.txt", expires=3600)
    assert requests.get(url).status_code == 404
    [record] = requests.get(f"{server.admin_url}/_emulator/requests").json()["requests"]
    assert record["scheme"] == "download token" and record["path"].endswith(f"token={ACCESS_KEY}:***")
    assert url.split("token=")[1] not in str(record)
