"""pfop / prefop through the official qiniu SDK and raw HTTP, against a real server."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pytest
import qiniu
import requests

from qiniu_emulator.encoding import b64_encode, etag_of_bytes

from receiver import RecordingServer
from support import ACCESS_KEY, SECRET_KEY, ServeProcess, free_port, wait_for

HELLO = b"hello"
HELLO_MD5 = "5d41402abc4b2a76b9719d911017c592"


def upload(auth, bucket: str, key: str, data: bytes) -> dict:
    ret, info = qiniu.put_data(auth.upload_token(bucket, key), key, data)
    assert info.status_code == 200, info
    return ret


def finished(pfop, persistent_id: str, timeout: float = 30.0) -> dict:
    def poll():
        ret, info = pfop.get_status(persistent_id)
        assert info.status_code == 200, info
        return ret if ret["code"] not in (1, 2) else None

    return wait_for(poll, timeout=timeout, message=f"job {persistent_id}")


def submit(auth, key: str, fops: str, bucket: str = "demo-bucket", **kw) -> str:
    pfop = qiniu.PersistentFop(auth, bucket, **{k: v for k, v in kw.items() if k in ("pipeline", "notify_url")})
    ret, info = pfop.execute(key, fops.split(";"), **{k: v for k, v in kw.items() if k in ("force", "persistent_type")})
    assert info.status_code == 200, info
    return ret["persistentId"]


def stored_json(server, bucket: str, key: str) -> dict:
    response = requests.get(f"{server.url}/_io/{bucket}/{key}")
    assert response.status_code == 200, response.text
    return response.json()


def test_execute_and_status_shape(server, sdk):
    upload(sdk, "demo-bucket", "hello.txt", HELLO)
    saveas = b64_encode("output-bucket:out/hello.md5.json")
    persistent_id = submit(sdk, "hello.txt", f"qhash/md5|saveas/{saveas}")
    assert persistent_id.startswith("z0.")
    status = finished(qiniu.PersistentFop(sdk, "demo-bucket"), persistent_id)
    assert status["code"] == 0
    assert status["desc"] == "The fop was completed successfully"
    assert status["id"] == persistent_id
    assert (status["inputBucket"], status["inputKey"]) == ("demo-bucket", "hello.txt")
    assert status["pipeline"].endswith(".default.sys")
    assert status["reqid"]
    datetime.fromisoformat(status["creationDate"])  # RFC 3339
    assert "taskFrom" not in status
    [item] = status["items"]
    assert item["cmd"] == f"qhash/md5|saveas/{saveas}"
    assert item["code"] == 0 and item["key"] == "out/hello.md5.json" and item["returnOld"] == 0
    stored = requests.get(f"{server.url}/_io/output-bucket/out/hello.md5.json")
    assert stored.json() == {"hash": HELLO_MD5, "fsize": 5}
    assert item["hash"] == etag_of_bytes(stored.content)


def test_multiple_pipelines_keep_order_and_default_keys(server, sdk):
    ret = upload(sdk, "demo-bucket", "multi.txt", HELLO)
    persistent_id = submit(sdk, "multi.txt", "qhash/md5;qhash/sha1;qhash/sha256")
    status = finished(qiniu.PersistentFop(sdk, "demo-bucket"), persistent_id)
    assert [i["cmd"] for i in status["items"]] == ["qhash/md5", "qhash/sha1", "qhash/sha256"]
    for item in status["items"]:
        expected = b64_encode(hashlib.sha1(item["cmd"].encode()).digest()) + "/" + ret["hash"]
        assert item["key"] == expected
    sha1 = stored_json(server, "demo-bucket", status["items"][1]["key"])
    assert sha1["hash"] == hashlib.sha1(HELLO).hexdigest()


def test_force_and_return_old(server, sdk):
    upload(sdk, "demo-bucket", "again.txt", HELLO)
    fops = f"qhash/md5|saveas/{b64_encode('output-bucket:again.json')}"
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    first = finished(pfop, submit(sdk, "again.txt", fops))
    second = finished(pfop, submit(sdk, "again.txt", fops))
    forced = finished(pfop, submit(sdk, "again.txt", fops, force=1))
    assert first["items"][0]["returnOld"] == 0
    assert second["items"][0]["returnOld"] == 1
    assert second["items"][0]["hash"] == first["items"][0]["hash"]
    assert forced["items"][0]["returnOld"] == 0


def test_type_one_is_echoed_and_a_pipeline_is_named(server, sdk):
    upload(sdk, "demo-bucket", "idle.txt", HELLO)
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    idle = finished(pfop, submit(sdk, "idle.txt", "qhash/md5", persistent_type=1))
    assert idle["type"] == 1 and idle["pipeline"].endswith(".default.sys")
    queued = finished(pfop, submit(sdk, "idle.txt", "qhash/md5", pipeline="batch-q"))
    assert "type" not in queued and queued["pipeline"].endswith(".batch-q")


@pytest.mark.parametrize("persistent_type, pipeline, fragment", [
    (2, None, "type must be 0 (a normal task) or 1 (an idle-time task), not 2"),
    (-1, None, "not -1"),
    (1, "batch-q", "an idle-time task (type=1) takes no pipeline"),
])
def test_bad_type_and_pipeline_pairs_are_400(server, sdk, persistent_type, pipeline, fragment):
    """php-sdk's PfopTest expects type -1 and 2 refused; pipelines are for normal tasks only."""
    upload(sdk, "demo-bucket", "typed.txt", HELLO)
    pfop = qiniu.PersistentFop(sdk, "demo-bucket", pipeline=pipeline)
    ret, info = pfop.execute("typed.txt", ["qhash/md5"], persistent_type=persistent_type)
    assert info.status_code == 400, info
    assert fragment in json.loads(info.text_body)["error"]


def test_workflow_template(server, sdk):
    upload(sdk, "demo-bucket", "wf.txt", HELLO)
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    ret, info = pfop.execute("wf.txt", workflow_template_id="workflow-template-123")
    assert info.status_code == 200, info
    status = finished(pfop, ret["persistentId"])
    assert status["taskFrom"] == "workflow: workflow-template-123"
    assert [i["code"] for i in status["items"]] == [0, 0]


def test_unknown_workflow_is_a_clear_400(server, sdk):
    upload(sdk, "demo-bucket", "wf2.txt", HELLO)
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("wf2.txt", workflow_template_id="nope")
    assert info.status_code == 400
    assert "no such workflow template" in json.loads(info.text_body)["error"]


@pytest.mark.parametrize("fops, fragment", [
    ("nosuchop/1", "unknown fop 'nosuchop'"),
    ("qhash/md7", "md7"),
    ("qhash/md5|", "empty stage"),
    ("qhash/md5;;qhash/sha1", "empty command"),
    ("qhash/md5|saveas/%%%", "saveas"),
])
def test_bad_fops_rejected_at_submit(server, sdk, fops, fragment):
    upload(sdk, "demo-bucket", "bad.txt", HELLO)
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("bad.txt", fops.split(";"))
    assert info.status_code == 400
    body = json.loads(info.text_body)
    assert fragment in body["error"] and body["code"] == 400


def test_missing_source_is_accepted_and_fails_its_items(server, sdk):
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    ret, info = pfop.execute("absent.txt", ["qhash/md5", "qhash/sha1"])
    assert info.status_code == 200, info
    status = finished(pfop, ret["persistentId"])
    assert status["code"] == 3
    for item in status["items"]:
        assert item["code"] == 3 and item["desc"] == "The fop is failed"
        assert item["error"] == "execute fop cmd failed: source data is empty or fail to get source data"
        assert "key" not in item and "hash" not in item
    ret, info = qiniu.PersistentFop(sdk, "no-such-bucket").execute("absent.txt", ["qhash/md5"])
    assert info.status_code == 631


def test_unknown_id_and_missing_id(server, sdk):
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").get_status("z0.000000000000000000000000")
    assert info.status_code == 612
    response = requests.get(f"{server.url}/status/get/prefop")
    assert response.status_code == 400 and response.json()["error"] == "id not specified"


def test_bad_credentials(server, sdk):
    wrong = qiniu.Auth(ACCESS_KEY, "not-the-secret")
    ret, info = qiniu.PersistentFop(wrong, "demo-bucket").execute("x", ["qhash/md5"])
    assert info.status_code == 401
    assert json.loads(info.text_body)["error"] == "bad token"


def test_prefop_without_auth_get_and_post(server, sdk):
    upload(sdk, "demo-bucket", "noauth.txt", HELLO)
    persistent_id = submit(sdk, "noauth.txt", "qhash/md5")
    finished(qiniu.PersistentFop(sdk, "demo-bucket"), persistent_id)
    got = requests.get(f"{server.url}/status/get/prefop", params={"id": persistent_id})
    posted = requests.post(f"{server.url}/status/get/prefop", data={"id": persistent_id})
    assert got.status_code == posted.status_code == 200
    assert got.json()["id"] == posted.json()["id"] == persistent_id
    assert got.headers["X-Reqid"]


def test_item_failure_reports_error_index(server, sdk):
    upload(sdk, "demo-bucket", "text.txt", b"not an image at all")
    persistent_id = submit(sdk, "text.txt", "qhash/md5|imageInfo;qhash/sha1")
    status = finished(qiniu.PersistentFop(sdk, "demo-bucket"), persistent_id)
    assert status["code"] == 3 and status["desc"] == "The fop is failed"
    failed, ok = status["items"]
    assert failed["code"] == 3 and failed["errorIndex"] == 1
    assert failed["error"].startswith("execute fop cmd failed:")
    assert ok["code"] == 0


@pytest.fixture
def receiver():
    with RecordingServer() as server:
        yield server


def test_notification_arrives(server, sdk, receiver):
    upload(sdk, "demo-bucket", "notify.txt", HELLO)
    url = f"{receiver.url}/hook"
    persistent_id = submit(sdk, "notify.txt", "qhash/md5", notify_url=url)
    status = finished(qiniu.PersistentFop(sdk, "demo-bucket"), persistent_id)
    assert status["code"] == 0
    delivery = wait_for(lambda: receiver.requests and receiver.requests[0], message="notify")
    content_type, body = delivery.headers.get("Content-Type"), delivery.json()
    assert content_type == "application/json"
    assert body["id"] == persistent_id and body["code"] == 0 and body["items"][0]["code"] == 0


def test_refused_notification_sets_code_4_and_keeps_outputs(server, sdk):
    upload(sdk, "demo-bucket", "refused.txt", HELLO)
    dead = f"http://127.0.0.1:{free_port()}/hook"
    target = b64_encode("output-bucket:refused.json")
    persistent_id = submit(sdk, "refused.txt", f"qhash/md5|saveas/{target}", notify_url=dead)
    status = finished(qiniu.PersistentFop(sdk, "demo-bucket"), persistent_id)
    assert status["code"] == 4 and status["desc"] == "Callback failed"
    assert status["items"][0]["code"] == 0
    assert stored_json(server, "output-bucket", "refused.json")["hash"] == HELLO_MD5


def test_upload_with_persistent_ops(server, sdk):
    token = sdk.upload_token("demo-bucket", "up.txt", 3600, {
        "persistentOps": f"qhash/sha1|saveas/{b64_encode('output-bucket:up.sha1.json')}",
    })
    ret, info = qiniu.put_data(token, "up.txt", HELLO)
    assert info.status_code == 200 and ret["persistentId"].startswith("z0.")
    status = finished(qiniu.PersistentFop(sdk, "demo-bucket"), ret["persistentId"])
    assert status["code"] == 0 and status["inputKey"] == "up.txt"
    assert stored_json(server, "output-bucket", "up.sha1.json")["hash"] == hashlib.sha1(HELLO).hexdigest()


def test_upload_with_workflow_template(server, sdk):
    token = sdk.upload_token("demo-bucket", "upwf.txt", 3600, {"persistentWorkflowTemplateID": "thumbs"})
    ret, info = qiniu.put_data(token, "upwf.txt", HELLO)
    assert info.status_code == 200
    status = finished(qiniu.PersistentFop(sdk, "demo-bucket"), ret["persistentId"])
    assert status["taskFrom"] == "workflow: thumbs"
    assert stored_json(server, "output-bucket", "wf/hash.json")["fsize"] == 5


def test_sync_fop_on_download_url(server, sdk):
    upload(sdk, "demo-bucket", "sync.txt", HELLO)
    response = requests.get(f"{server.url}/_io/demo-bucket/sync.txt?qhash/md5")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"hash": HELLO_MD5, "fsize": 5}
    bad = requests.get(f"{server.url}/_io/demo-bucket/sync.txt?qhash/nope")
    assert bad.status_code == 400 and "nope" in bad.json()["error"]


def test_sync_saveas_requires_a_valid_sign(server, sdk):
    upload(sdk, "demo-bucket", "ss.txt", HELLO)
    host = server.url.removeprefix("http://")
    fop = f"qhash/md5|saveas/{b64_encode('output-bucket:ss.json')}"
    sign = sdk.token(f"{host}/_io/demo-bucket/ss.txt?{fop}".encode())
    ok = requests.get(f"{server.url}/_io/demo-bucket/ss.txt?{fop}/sign/{sign}")
    assert ok.status_code == 200, ok.text
    assert ok.json()["key"] == "ss.json"
    assert stored_json(server, "output-bucket", "ss.json")["hash"] == HELLO_MD5
    forged = requests.get(f"{server.url}/_io/demo-bucket/ss.txt?{fop}/sign/{ACCESS_KEY}:AAAA")
    assert forged.status_code == 401


def test_job_inspection_endpoint(server, sdk):
    upload(sdk, "demo-bucket", "inspect.txt", HELLO)
    persistent_id = submit(sdk, "inspect.txt", "qhash/md5|imageInfo")
    finished(qiniu.PersistentFop(sdk, "demo-bucket"), persistent_id)
    detail = requests.get(f"{server.admin_url}/_emulator/jobs/{persistent_id}").json()
    assert detail["id"] == persistent_id
    assert [t["op"] for t in detail["emulator"]["timings"]] == ["qhash"]
    assert any("failed" in line for line in detail["emulator"]["log"])
    listed = requests.get(f"{server.admin_url}/_emulator/jobs").json()["jobs"]
    assert persistent_id in [j["id"] for j in listed]


def test_kill_dash_nine_with_queued_jobs_then_restart(tmp_path):
    import qiniu as sdk_module

    data = tmp_path / "data"
    proc = ServeProcess(data, "--workers", "1").start()
    try:
        sdk_module.config.set_default(default_api_host=proc.url, default_uc_host=proc.url)
        auth = sdk_module.Auth(ACCESS_KEY, SECRET_KEY)
        upload(auth, "demo-bucket", "big.bin", bytes(range(256)) * 40000)
        pfop = sdk_module.PersistentFop(auth, "demo-bucket")
        ids = [pfop.execute("big.bin", ["qhash/sha256", "qhash/sha1", "qhash/md5"], force=1)[0]["persistentId"]
               for _ in range(25)]
        codes = [pfop.get_status(i)[0]["code"] for i in ids]
        assert any(code in (1, 2) for code in codes), "every job finished before the kill"
    finally:
        proc.stop()  # SIGKILL
    restarted = ServeProcess(data, "--workers", "1", port=proc.port).start()
    try:
        for persistent_id in ids:
            status = finished(pfop, persistent_id, timeout=60)
            assert status["code"] == 0, status
            assert all(item["code"] == 0 for item in status["items"])
    finally:
        restarted.stop()


def test_declared_pipeline_runs_fifo_one_at_a_time(start_emulator):
    server = start_emulator(pipelines={"serial": 1}, workers=2)
    qiniu.config.set_default(default_api_host=server.url, default_uc_host=server.url)
    auth = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
    upload(auth, "demo-bucket", "fifo.bin", bytes(range(256)) * 20000)
    pfop = qiniu.PersistentFop(auth, "demo-bucket", pipeline="serial")
    ids = [pfop.execute("fifo.bin", ["qhash/sha256", "qhash/sha1"], force=1)[0]["persistentId"] for _ in range(6)]
    for persistent_id in ids:
        assert finished(pfop, persistent_id)["pipeline"].endswith(".serial")
    runs = [requests.get(f"{server.admin_url}/_emulator/jobs/{i}").json()["emulator"] for i in ids]
    for earlier, later in zip(runs, runs[1:]):
        assert earlier["finishedNs"] <= later["startedNs"], "a concurrency-1 pipeline ran two jobs at once"
