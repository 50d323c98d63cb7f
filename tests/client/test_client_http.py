"""ResponseInfo and retries, against a real local HTTP server."""

from __future__ import annotations

import socket

import pytest
from client_recording_server import Reply
from qiniu_fop import BucketManager, Config, PersistentFop, ResponseInfo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_200_without_reqid_is_not_qiniu(server, auth) -> None:
    server.responder = lambda req: Reply(body={"persistentId": "z0.x"}, headers={})
    ret, info = PersistentFop(auth, "b", config=server.config()).execute("k", "avinfo")

    assert ret is None
    assert info.status_code == 200
    assert not info.ok()
    assert info.error == "server is not qiniu"
    assert info.connect_failed()
    assert info.json() == {"persistentId": "z0.x"}


def test_200_with_reqid_is_ok(server, auth) -> None:
    server.responder = lambda req: Reply(body={"persistentId": "z0.x"},
                                         headers={"X-Reqid": "abc", "X-Log": "pfop"})
    ret, info = PersistentFop(auth, "b", config=server.config()).execute("k", "avinfo")

    assert ret == {"persistentId": "z0.x"}
    assert info.ok() and not info.connect_failed()
    assert (info.req_id, info.x_log, info.error) == ("abc", "pfop", None)
    assert info.url == f"{server.url}/pfop/"
    assert "status_code=200" in str(info) and "req_id='abc'" in repr(info)


def test_error_body_is_exposed_whole(server, auth) -> None:
    server.responder = lambda req: Reply(612, {"code": 612, "error": "no such file or directory"})
    ret, info = BucketManager(auth, config=server.config()).stat("b", "missing")

    assert ret is None
    assert info.status_code == 612
    assert info.error == '{"code": 612, "error": "no such file or directory"}'
    assert "612" in str(info)


def test_connection_refused_returns_none_and_exception(auth) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    config = Config(api_host=dead, connection_retries=1, connection_timeout=5)
    ret, info = PersistentFop(auth, "b", config=config).get_status("z0.x")

    assert ret is None
    assert info.status_code == -1
    assert info.exception is not None
    assert "ConnectionError" in info.error
    assert info.connect_failed() and info.need_retry() and not info.ok()
    assert info.url.startswith(dead)


@pytest.mark.parametrize("status, retried", [(599, True), (502, True), (612, False),
                                             (579, False), (400, False), (401, False)])
def test_only_transient_failures_are_retried(server, auth, status, retried) -> None:
    replies = iter([Reply(status, {"error": "x"}), Reply(body={"id": "z0.x", "code": 0})])
    server.responder = lambda req: next(replies)
    ret, info = PersistentFop(auth, "b", config=server.config(connection_retries=2)).get_status("z0.x")

    assert len(server.requests) == (2 if retried else 1)
    assert (ret is not None) == retried
    assert info.status_code == (200 if retried else status)


def test_retries_are_bounded(server, auth) -> None:
    server.responder = lambda req: Reply(503, {"error": "busy"})
    ret, info = PersistentFop(auth, "b", config=server.config(connection_retries=2)).get_status("i")

    assert ret is None and info.status_code == 503
    assert len(server.requests) == 3


def test_non_200_success_codes_are_not_ok(server, auth) -> None:
    server.responder = lambda req: Reply(298, [{"code": 612}])
    ret, info = PersistentFop(auth, "b", config=server.config()).get_status("i")

    assert ret is None and not info.ok()
    assert "298" in info.error


def test_response_info_without_response_is_readable() -> None:
    info = ResponseInfo(exception=TimeoutError("slow"), url="http://x/")
    assert info.status_code == -1 and info.json() == {} and info.text_body is None
    assert "TimeoutError: slow" in str(info)
