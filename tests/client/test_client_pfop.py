"""PersistentFop against a real local HTTP server: exact form bodies and signatures."""

from __future__ import annotations

from datetime import timedelta

import pytest
import qiniu
from client_recording_server import AK, SK, Reply
from qiniu_fop import JobStatus, PersistentFop, RequestFailed, op_save

FORM = "application/x-www-form-urlencoded"
FOP = op_save("imageView2/1/w/100/h/100", "demo-bucket", "out/thumb.jpg")
DONE = {
    "id": "z0.65a1b2c3d4e5f60718293a4b", "code": 0, "desc": "The fop was completed successfully",
    "inputBucket": "demo-bucket", "inputKey": "hello.jpg", "pipeline": "1380000000.default",
    "reqid": "kJ4AAGnGl1BCw6oX", "type": 0, "creationDate": "2024-01-01T08:00:00.000000000+08:00",
    "items": [{"cmd": FOP, "code": 0, "desc": "The fop was completed successfully", "error": "",
               "hash": "FiqubDXJT8-0FdvpX0CLnOke6Ebt", "key": "out/thumb.jpg", "returnOld": 0}],
}


def expected_qbox(server, recorded) -> str:
    """The QBox header the official SDK computes for the recorded request."""
    body = recorded.body.decode() if recorded.headers.get("Content-Type") == FORM else None
    return "QBox " + qiniu.Auth(AK, SK).token_of_request(server.url + recorded.path, body, FORM)


def test_execute_sends_every_field_in_order(server, auth) -> None:
    server.responder = lambda req: Reply(body={"persistentId": "z0.abc"})
    pfop = PersistentFop(auth, "demo-bucket", pipeline="image-processing",
                         notify_url="http://127.0.0.1:8000/notify", config=server.config())
    ret, info = pfop.execute("hello.jpg", fops=FOP, force=True, persistent_type=1,
                             workflow_template_id="wf-123")

    assert ret == {"persistentId": "z0.abc"} and info.ok()
    [sent] = server.requests
    assert (sent.method, sent.path) == ("POST", "/pfop/")
    assert sent.headers["Content-Type"] == FORM
    assert sent.body.decode() == (
        "bucket=demo-bucket&key=hello.jpg"
        "&fops=imageView2%2F1%2Fw%2F100%2Fh%2F100%7Csaveas%2FZGVtby1idWNrZXQ6b3V0L3RodW1iLmpwZw%3D%3D"
        "&notifyURL=http%3A%2F%2F127.0.0.1%3A8000%2Fnotify&force=1&type=1"
        "&pipeline=image-processing&workflowTemplateID=wf-123")
    assert sent.headers["Authorization"] == expected_qbox(server, sent)
    assert sent.headers["Authorization"].startswith(f"QBox {AK}:")


def test_execute_joins_a_list_and_omits_unset_fields(server, auth) -> None:
    pfop = PersistentFop(auth, "video-bucket", config=server.config())
    pfop.execute("in.mov", fops=["avinfo", "vframe/jpg/offset/1"], force=False, persistent_type=0)

    [sent] = server.requests
    assert sent.body.decode() == "bucket=video-bucket&key=in.mov&fops=avinfo%3Bvframe%2Fjpg%2Foffset%2F1"
    assert sent.headers["Authorization"] == expected_qbox(server, sent)


def test_execute_with_workflow_template_only(server, auth) -> None:
    pfop = PersistentFop(auth, "workflow-bucket", config=server.config())
    pfop.execute(key="input-file.jpg", workflow_template_id="workflow-template-123", persistent_type=2)

    # 2 means "workflow processing" in this API; the service knows only 0 and 1 as type
    assert server.requests[0].body.decode() == (
        "bucket=workflow-bucket&key=input-file.jpg&workflowTemplateID=workflow-template-123")


@pytest.mark.parametrize("kwargs, message", [
    ({}, "give fops"),
    ({"fops": ""}, "give fops"),
    ({"fops": [""]}, "list of non-empty strings"),
    ({"fops": 42}, "list of non-empty strings"),
    ({"fops": "avinfo", "persistent_type": "idle"}, "persistent_type"),
    ({"fops": "avinfo", "persistent_type": 2}, "needs workflow_template_id"),
    ({"fops": "avinfo", "persistent_type": 3}, "1 \\(idle-time\\) or 2 \\(workflow\\)"),
])
def test_execute_rejects_bad_input_before_sending(server, auth, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        PersistentFop(auth, "b", config=server.config()).execute("k", **kwargs)
    assert server.requests == []


def test_get_status_is_a_signed_get(server, auth) -> None:
    server.responder = lambda req: Reply(body=DONE)
    ret, info = PersistentFop(auth, "b", config=server.config()).get_status("z0.0123456789abcdef01234567")

    assert ret == DONE and info.ok()
    [sent] = server.requests
    assert (sent.method, sent.body) == ("GET", b"")
    assert sent.path == "/status/get/prefop?id=z0.0123456789abcdef01234567"
    assert sent.headers["Authorization"] == expected_qbox(server, sent)


def test_get_task_is_a_qiniu_signed_get_on_the_dora_host(server, auth) -> None:
    task = {"version": "v3", "id": "z0.t", "code": 0, "ops": []}
    server.responder = lambda req: Reply(body=task)
    ret, info = PersistentFop(auth, "b", config=server.config()).get_task("z0.t/1")

    assert ret == task and info.ok()
    [sent] = server.requests
    assert (sent.method, sent.path) == ("GET", "/v3/task/status/z0.t%2F1")
    assert sent.headers["Authorization"].startswith(f"Qiniu {AK}:")


def test_wait_times_out_with_the_last_status(server, auth) -> None:
    waiting = {"id": "z0.slow", "code": 1, "desc": "The fop is waiting for execution", "items": []}
    server.responder = lambda req: Reply(body=waiting)
    pfop = PersistentFop(auth, "b", config=server.config())

    with pytest.raises(TimeoutError) as caught:
        pfop.wait("z0.slow", timeout=0.2, interval=0.02)
    assert "z0.slow" in str(caught.value)
    assert '"desc": "The fop is waiting for execution"' in str(caught.value)
    assert len(server.requests) >= 2


def prefop_only(reply):
    """A server that is not the emulator: prefop answers, every other path is a 404."""
    return lambda req: reply(req) if req.path.startswith("/status/get/prefop") else Reply(404, {"error": "no such path"})


def test_wait_returns_the_final_status(server, auth) -> None:
    codes = iter([1, 2, 0])
    server.responder = prefop_only(lambda req: Reply(body={**DONE, "code": next(codes)}))
    ret, info = PersistentFop(auth, "b", config=server.config()).wait("z0.x", timeout=30, interval=0.01)

    assert ret["code"] == 0 and info.ok()
    paths = [sent.path.split("?")[0] for sent in server.requests]
    # one look for the emulator's long-poll, then prefop polling only
    assert paths == ["/_emulator/jobs/z0.x", *["/status/get/prefop"] * 3]


def test_wait_raises_when_the_status_request_fails(server, auth) -> None:
    server.responder = prefop_only(lambda req: Reply(612, {"error": "no such id in prefop"}))
    pfop = PersistentFop(auth, "b", config=server.config())

    with pytest.raises(RequestFailed, match="no such id in prefop") as caught:
        pfop.wait("z0.gone", timeout=30, interval=0.01)
    assert caught.value.info.status_code == 612
    with pytest.raises(RequestFailed, match="no such id in prefop"):
        pfop.status("z0.gone")  # the same failure, worded the same way


def test_status_gives_a_typed_view(server, auth) -> None:
    server.responder = lambda req: Reply(body=DONE)
    status = PersistentFop(auth, "b", config=server.config()).status(DONE["id"])

    assert isinstance(status, JobStatus)
    assert (status.ok, status.done, status.input_key, status.pipeline) == (
        True, True, "hello.jpg", "1380000000.default")
    assert status.created_at.utcoffset() == timedelta(hours=8)
    [item] = status.items
    assert (item.ok, item.key, item.hash, item.return_old, item.cmd) == (
        True, "out/thumb.jpg", "FiqubDXJT8-0FdvpX0CLnOke6Ebt", 0, FOP)


def test_status_raises_when_prefop_fails(server, auth) -> None:
    server.responder = lambda req: Reply(612, {"error": "no such id in prefop"})
    with pytest.raises(RequestFailed, match="no such id in prefop") as caught:
        PersistentFop(auth, "b", config=server.config()).status("z0.gone")
    assert caught.value.info.status_code == 612


def test_job_status_of_failures_and_notify_failure() -> None:
    failed = JobStatus.from_dict({
        "id": "z0.f", "code": 3, "desc": "The fop is failed", "taskFrom": "workflow:wf-1", "type": 1,
        "items": [{"cmd": "avthumb/mp4|x", "code": 3, "desc": "The fop is failed",
                   "error": "execute fop cmd failed: not a valid video", "errorIndex": 1, "returnOld": 0}]})
    assert (failed.ok, failed.done, failed.task_from, failed.type) == (False, True, "workflow:wf-1", 1)
    assert (failed.items[0].error_index, failed.items[0].key, failed.items[0].keys) == (1, None, [])

    notify_failed = JobStatus.from_dict({**DONE, "code": 4, "desc": "Callback failed"})
    assert notify_failed.ok and notify_failed.done
    assert not JobStatus.from_dict({**DONE, "code": 2}).done


@pytest.mark.parametrize("bad", [[], {"code": 0}, {"id": "x", "code": "0"},
                                 {"id": "x", "code": 0, "items": [{"code": "zero"}]}])
def test_job_status_rejects_what_is_not_a_prefop_answer(bad) -> None:
    with pytest.raises(ValueError):
        JobStatus.from_dict(bad)


def test_constructor_checks_its_arguments(auth) -> None:
    with pytest.raises(ValueError, match="bucket"):
        PersistentFop(auth, "")
    with pytest.raises(ValueError, match="Auth"):
        PersistentFop(qiniu.Auth(AK, SK), "b")
