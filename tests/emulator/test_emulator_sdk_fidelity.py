"""Calls the official SDK makes that the emulator must answer as Qiniu does:
``/chstatus`` (with ``cond``) and upload callbacks (``callbackUrl``/``callbackBody``)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
import qiniu
import requests
from qiniu import BucketManager
from receiver import RecordingServer, Reply

BUCKET = "demo-bucket"


@pytest.fixture
def bucket_manager(sdk):
    return BucketManager(sdk)


def put(sdk, key: str, data: bytes, **policy) -> tuple[dict, object]:
    token = sdk.upload_token(BUCKET, key, 3600, policy or None)
    return qiniu.put_data(token, key, data, params={"x:a": "a"})


# -- chstatus -------------------------------------------------------------------------

def test_change_status_disables_and_enables(sdk, bucket_manager):
    put(sdk, "status.txt", b"status")
    ret, info = bucket_manager.change_status(BUCKET, "status.txt", 1, None)
    assert info.status_code == 200, info
    assert bucket_manager.stat(BUCKET, "status.txt")[0]["status"] == 1
    _, info = bucket_manager.change_status(BUCKET, "status.txt", 1, None)
    assert info.status_code == 400 and json.loads(info.text_body)["error"] == "already disabled"
    _, info = bucket_manager.change_status(BUCKET, "status.txt", 0, None)
    assert info.status_code == 200
    assert bucket_manager.stat(BUCKET, "status.txt")[0]["status"] == 0


def test_change_status_cond_must_match(sdk, bucket_manager):
    put(sdk, "cond.txt", b"cond")
    _, info = bucket_manager.change_status(BUCKET, "cond.txt", 1, {"mime": "application/json"})
    assert info.status_code == 613 and json.loads(info.text_body)["error"] == "cond not match"
    assert bucket_manager.stat(BUCKET, "cond.txt")[0]["status"] == 0
    stat = bucket_manager.stat(BUCKET, "cond.txt")[0]
    _, info = bucket_manager.change_status(BUCKET, "cond.txt", 1, {"mime": "text/plain", "hash": stat["hash"]})
    assert info.status_code == 200, info


def test_change_status_missing_key_and_in_batch(sdk, bucket_manager):
    _, info = bucket_manager.change_status(BUCKET, "nope.txt", 1, None)
    assert info.status_code == 612
    put(sdk, "batch-status.txt", b"b")
    entry = qiniu.utils.entry(BUCKET, "batch-status.txt")
    _, info = bucket_manager.batch([f"chstatus/{entry}/status/1"] * 2)
    assert info.status_code == 298
    assert json.loads(info.text_body) == [{"code": 200}, {"code": 400, "data": {"error": "already disabled"}}]


def test_disabled_object_needs_a_signed_url(server, sdk, bucket_manager):
    put(sdk, "hidden.txt", b"hidden")
    url = f"{server.url}/_io/{BUCKET}/hidden.txt"
    assert requests.get(url).status_code == 200
    bucket_manager.change_status(BUCKET, "hidden.txt", 1, None)
    assert requests.get(url).status_code == 401
    signed = requests.get(sdk.private_download_url(url, expires=3600))
    assert signed.status_code == 200 and signed.content == b"hidden"


# -- upload callbacks ---------------------------------------------------------------------

@pytest.fixture
def callback_server():
    """Answers each callback with ``answer(body)`` as JSON and status ``status``."""
    with RecordingServer() as server:
        server.status = 200
        server.answer = lambda body: json.loads(body) if body.startswith(b"{") else {"form": body.decode()}
        server.responder = lambda req: Reply(status=server.status, body=server.answer(req.body))
        server.callback_url = f"{server.url}/cb?from=upload"
        yield server


JSON_BODY = '{"custom_vars":{"a":$(x:a)},"key":$(key),"hash":$(etag),"fsize":$(fsize)}'


def test_json_callback_answer_is_the_upload_response(sdk, callback_server):
    ret, info = put(sdk, "cb.txt", b"callback me", callbackUrl=callback_server.callback_url,
                    callbackBody=JSON_BODY, callbackBodyType="application/json")
    assert info.status_code == 200, info
    assert ret["custom_vars"] == {"a": "a"} and ret["key"] == "cb.txt" and ret["fsize"] == 11
    call = callback_server.requests[0]
    assert call.headers["Content-Type"] == "application/json"
    assert sdk.verify_callback(call.headers["Authorization"], callback_server.callback_url, call.body.decode(),
                               content_type="application/json")


def test_form_callback_is_url_encoded_and_signed_with_its_body(sdk, callback_server):
    ret, info = put(sdk, "cb form.txt", b"form", callbackUrl=callback_server.callback_url,
                    callbackBody="key=$(key)&a=$(x:a)&bucket=$(bucket)")
    assert info.status_code == 200, info
    assert parse_qs(ret["form"]) == {"key": ["cb form.txt"], "a": ["a"], "bucket": [BUCKET]}
    call = callback_server.requests[0]
    assert call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sdk.verify_callback(call.headers["Authorization"], callback_server.callback_url, call.body.decode())


def test_failed_callback_is_579_but_the_object_is_stored(sdk, bucket_manager, callback_server):
    callback_server.status = 500
    dead = "http://127.0.0.1:9/unreachable"
    ret, info = put(sdk, "cb-fail.txt", b"kept", callbackUrl=f"{dead};{callback_server.callback_url}",
                    callbackBody="key=$(key)")
    assert info.status_code == 579, info
    assert len(callback_server.requests) == 1  # the second URL was tried after the first failed
    assert bucket_manager.stat(BUCKET, "cb-fail.txt")[0]["fsize"] == 4


def test_callback_fetch_key_chooses_the_key(sdk, bucket_manager, callback_server):
    callback_server.answer = lambda body: {"key": "chosen/by-app.txt", "payload": {"ok": True}}
    ret, info = put(sdk, "upload-name.txt", b"fetch key", callbackUrl=callback_server.callback_url,
                    callbackBody="key=$(key)", callbackFetchKey=1)
    assert info.status_code == 200, info
    assert ret == {"ok": True}
    assert bucket_manager.stat(BUCKET, "chosen/by-app.txt")[0]["fsize"] == 9
    assert bucket_manager.stat(BUCKET, "upload-name.txt")[1].status_code == 612


def test_resumable_upload_runs_the_callback(sdk, callback_server, tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (4 * 1024 * 1024 + 1))
    token = sdk.upload_token(BUCKET, "big-cb.bin", 3600, {"callbackUrl": callback_server.callback_url,
                                                          "callbackBody": JSON_BODY,
                                                          "callbackBodyType": "application/json"})
    ret, info = qiniu.put_file(token, "big-cb.bin", str(path), params={"x:a": "a"}, version="v2",
                               bucket_name=BUCKET)
    assert info.status_code == 200, info
    assert ret["fsize"] == 4 * 1024 * 1024 + 1 and ret["custom_vars"] == {"a": "a"}
