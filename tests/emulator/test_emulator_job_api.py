"""The job API beyond pfop/prefop: strict pipelines, deleting a pipeline (code 5), the v3
task API, V3 notifications of workflow tasks, fileType, and ``--fidelity`` for upload
policies and form fields. The documented shapes themselves are in the contract suite."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from datetime import datetime

import pytest
import qiniu
import requests
from PIL import Image
from qiniu_fop import Auth, Config, PersistentFop

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.job_records import Code, Item
from qiniu_emulator.wire import item_json

from receiver import RecordingServer, Reply
from support import ADMIN_WRITE, ACCESS_KEY, SECRET_KEY, wait_for

HELLO = b"hello"


def png(color=(255, 0, 0), size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def upload(auth, key: str, data: bytes, bucket: str = "demo-bucket", policy: dict | None = None):
    # the Python SDK would drop trafficLimit from the policy (the Java and Go SDKs send it)
    return qiniu.put_data(auth.upload_token(bucket, key, 3600, policy, strict_policy=False), key, data)


def prefop(server, persistent_id: str) -> dict:
    return requests.get(f"{server.url}/status/get/prefop", params={"id": persistent_id}).json()


def finished(server, persistent_id: str) -> dict:
    return wait_for(lambda: (s := prefop(server, persistent_id))["code"] not in (1, 2) and s,
                    message=f"job {persistent_id}")


def our_pfop(server, bucket: str = "demo-bucket", **kw) -> PersistentFop:
    config = Config(api_host=server.url, dora_host=server.url, connection_retries=0)
    return PersistentFop(Auth(ACCESS_KEY, SECRET_KEY), bucket, config=config, **kw)


# -- pipelines ----------------------------------------------------------------------------

def test_strict_pipelines_accept_only_declared_queues(start_emulator, sdk_for):
    server = start_emulator(strict_pipelines=True, pipelines={"images": 1})
    auth = sdk_for(server)
    upload(auth, "p.txt", HELLO)
    ret, info = qiniu.PersistentFop(auth, "demo-bucket", pipeline="images").execute("p.txt", ["qhash/md5"])
    assert info.status_code == 200, info
    assert finished(server, ret["persistentId"])["pipeline"].endswith(".images")
    ret, info = qiniu.PersistentFop(auth, "demo-bucket", pipeline="videos").execute("p.txt", ["qhash/md5"])
    assert info.status_code == 612
    assert json.loads(info.text_body)["error"] == "no such pipeline: videos (declare it with --pipeline videos)"
    ret, info = upload(auth, "q.txt", HELLO, policy={"persistentOps": "qhash/md5", "persistentPipeline": "videos"})
    assert info.status_code == 612
    assert requests.get(f"{server.url}/_io/demo-bucket/q.txt").status_code == 404  # nothing stored


def test_without_strict_pipelines_any_name_is_a_queue(server, sdk):
    upload(sdk, "any.txt", HELLO)
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket", pipeline="made-up").execute("any.txt", ["qhash/md5"])
    assert info.status_code == 200
    assert finished(server, ret["persistentId"])["pipeline"].endswith(".made-up")


@pytest.fixture
def gate():
    """A watermark image that is served only once the test opens the gate."""
    opened = threading.Event()
    with RecordingServer() as receiver:
        receiver.responder = lambda req: (opened.wait(30), Reply(body=png(), headers={"Content-Type": "image/png"}))[1]
        yield receiver, opened
        opened.set()


def test_deleting_a_pipeline_cancels_its_waiting_tasks_with_code_5(start_emulator, sdk_for, gate):
    receiver, opened = gate
    server = start_emulator(pipelines={"q": 1}, fetch="loopback", fetch_timeout=30)
    auth = sdk_for(server)
    upload(auth, "base.png", png((0, 0, 255), (64, 64)))
    blocked = f"watermark/1/image/{b64_encode(receiver.url + '/mark.png')}"
    pfop = qiniu.PersistentFop(auth, "demo-bucket", pipeline="q")
    running, _ = pfop.execute("base.png", [blocked])
    waiting, _ = pfop.execute("base.png", ["qhash/md5"])
    wait_for(lambda: prefop(server, running["persistentId"])["code"] == 2 and receiver.requests,
             message="the first task to be fetching")
    assert prefop(server, waiting["persistentId"])["code"] == 1

    deleted = requests.delete(f"{server.admin_url}/_emulator/pipelines/q", headers=ADMIN_WRITE)
    assert deleted.status_code == 200
    assert deleted.json() == {"pipeline": "q", "cancelled": [waiting["persistentId"]]}
    cancelled = prefop(server, waiting["persistentId"])
    assert (cancelled["code"], cancelled["desc"]) == (5, "The fop is cancelled")
    assert cancelled["items"][0]["code"] == 5
    task, info = our_pfop(server).get_task(waiting["persistentId"])
    assert (task["code"], task["desc"]) == (5, "cancelled")

    opened.set()
    assert finished(server, running["persistentId"])["code"] == 0  # a running task finishes


# -- the v3 task API ----------------------------------------------------------------------

def test_v3_task_status_of_an_api_task(server, sdk):
    upload(sdk, "v3.txt", HELLO)
    target = b64_encode("output-bucket:v3.md5.json")
    ret, _ = qiniu.PersistentFop(sdk, "demo-bucket").execute("v3.txt", [f"qhash/md5|saveas/{target}", "imageInfo"])
    status = finished(server, ret["persistentId"])
    task, info = our_pfop(server).get_task(ret["persistentId"])
    assert info.status_code == 200, info
    assert task["version"] == "v3" and task["id"] == ret["persistentId"] and task["reqid"] == status["reqid"]
    assert task["input"] == {"kodo_file": {"bucket": "demo-bucket", "key": "v3.txt"}}
    assert task["code"] == 3 and task["desc"] == "failed"
    saved, failed = task["ops"]
    assert saved["id"] == "node0" and saved["fop"]["input_from"] == "__origin__"
    assert saved["fop"]["result"] == {"code": 0, "desc": "successfully completed", "has_output": True,
                                      "kodo_file": {"bucket": "output-bucket", "key": "v3.md5.json",
                                                    "hash": status["items"][0]["hash"]}}
    assert failed["fop"]["result"]["code"] == 3 and failed["fop"]["result"]["has_output"] is False
    assert "kodo_file" not in failed["fop"]["result"] and failed["fop"]["result"]["error"]
    created = datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", status["creationDate"]))
    assert abs(task["created_at"] - created.timestamp() * 1000) < 1  # the same instant, in ms


def test_v3_task_status_needs_a_signature_and_a_known_id(server, sdk):
    unsigned = requests.get(f"{server.url}/v3/task/status/z0.000000000000000000000000")
    assert unsigned.status_code == 401
    task, info = our_pfop(server).get_task("z0.000000000000000000000000")
    assert info.status_code == 612


def test_a_workflow_task_notifies_in_the_v3_shape(server, sdk):
    upload(sdk, "wf.txt", HELLO)
    with RecordingServer() as receiver:
        pfop = qiniu.PersistentFop(sdk, "demo-bucket", notify_url=f"{receiver.url}/hook")
        ret, info = pfop.execute("wf.txt", workflow_template_id="workflow-template-123")
        assert info.status_code == 200, info
        finished(server, ret["persistentId"])
        body = wait_for(lambda: receiver.requests and receiver.requests[0].json(), message="notify")
    assert body["version"] == "v3" and body["id"] == ret["persistentId"] and body["code"] == 0
    assert [op["fop"]["cmd"] for op in body["ops"]] == ["qhash/md5", "qhash/sha1"]
    assert all(op["fop"]["result"]["code"] == 0 for op in body["ops"])


# -- uploads ------------------------------------------------------------------------------

def test_file_type_of_the_policy_is_the_stored_type(server, sdk):
    ret, info = upload(sdk, "ia.txt", HELLO, policy={"fileType": 1})
    assert info.status_code == 200
    stat, _ = qiniu.BucketManager(sdk).stat("demo-bucket", "ia.txt")
    assert stat["type"] == 1


@pytest.mark.parametrize("policy, name", [({"trafficLimit": 1_000_000}, "trafficLimit"),
                                          ({"transform": "avthumb/mp4"}, "transform")])
def test_a_policy_field_that_is_not_emulated_is_refused_in_strict_mode(server, sdk, policy, name):
    ret, info = upload(sdk, "strict.txt", HELLO, policy=policy)
    assert info.status_code == 400
    assert json.loads(info.text_body)["error"] == f"{name} is not emulated; start with --fidelity loose to ignore it"
    assert requests.get(f"{server.url}/_io/demo-bucket/strict.txt").status_code == 404


def form_upload(server, sdk, key: str, **fields) -> requests.Response:
    token = sdk.upload_token("demo-bucket", key)
    return requests.post(server.url + "/", data={"token": token, "key": key, **fields},
                         files={"file": (key, HELLO)})


def test_an_object_header_form_field_is_refused_in_strict_mode(server, sdk):
    answer = form_upload(server, sdk, "cc.txt", cacheControl="max-age=60")
    assert answer.status_code == 400
    assert answer.json()["error"] == "cacheControl is not emulated; start with --fidelity loose to ignore it"


def test_loose_mode_ignores_and_logs_each_name_once(start_emulator, sdk_for, caplog):
    server = start_emulator(fidelity="loose")
    auth = sdk_for(server)
    with caplog.at_level(logging.WARNING, logger="qiniu_emulator.fidelity"):
        for key in ("l1.txt", "l2.txt"):
            ret, info = upload(auth, key, HELLO, policy={"trafficLimit": 1_000_000})
            assert info.status_code == 200
        assert form_upload(server, auth, "l3.txt", contentDisposition="inline").status_code == 200
    assert [r.getMessage() for r in caplog.records if r.name == "qiniu_emulator.fidelity"] == [
        "put policy field trafficLimit is not emulated and is ignored (--fidelity loose)",
        "form field contentDisposition is not emulated and is ignored (--fidelity loose)"]
    health = requests.get(f"{server.admin_url}/_emulator/health").json()
    assert health["fidelity"] == "loose"
    assert "hr" in health["opParameters"]["avthumb"]["notEmulated"]
    assert "gop" in health["opParameters"]["avthumb"]["parameters"]


def test_an_inline_result_replaces_key_and_hash():
    item = Item(cmd="image-censor/v2", code=Code.SUCCESS, result={"suggestion": "pass"})
    assert item_json(item) == {"cmd": "image-censor/v2", "code": 0, "desc": "The fop was completed successfully",
                               "result": {"suggestion": "pass"}, "returnOld": 0}
