"""A 401 answers exactly Qiniu's ``bad token``; the server log (INFO) says which token was expected."""

from __future__ import annotations

import logging

import pytest
import requests

from qiniu_fop import Auth, QBoxRequestsAuth, UpTokenRequestsAuth

from support import ACCESS_KEY, SECRET_KEY


@pytest.fixture
def auth_log(caplog):
    caplog.set_level(logging.INFO, logger="qiniu_emulator.auth")
    return lambda: "\n".join(r.getMessage() for r in caplog.records if r.name == "qiniu_emulator.auth")


def test_an_upload_token_on_a_management_request(server, auth_log):
    token = Auth(ACCESS_KEY, SECRET_KEY).upload_token("demo-bucket")
    answer = requests.post(f"{server.url}/pfop/", data={"bucket": "demo-bucket", "key": "a", "fops": "avinfo"},
                           auth=UpTokenRequestsAuth(token))
    assert answer.status_code == 401 and answer.json()["error"] == "bad token"
    assert "expected a QBox or Qiniu management token" in auth_log()
    assert "upload tokens are for uploads only" in auth_log()


def test_a_management_token_on_an_upload(server, auth_log):
    token = Auth(ACCESS_KEY, SECRET_KEY).token("not an upload policy")
    answer = requests.post(f"{server.url}/", files={"file": ("a.txt", b"a")}, data={"token": token, "key": "a.txt"})
    assert answer.status_code == 401 and answer.json()["error"] == "bad token"
    assert "upload token rejected: expected <AK>:<sign>:<encoded put policy>" in auth_log()


def test_a_wrong_secret_names_the_token_kind_and_what_it_should_sign(server, auth_log):
    wrong = Auth(ACCESS_KEY, "not-the-secret")
    answer = requests.post(f"{server.url}/pfop/", data={"bucket": "demo-bucket", "key": "a", "fops": "avinfo"},
                           auth=QBoxRequestsAuth(wrong))
    assert answer.status_code == 401 and answer.json()["error"] == "bad token"
    logged = auth_log()
    assert f"QBox management token rejected for access key {ACCESS_KEY!r}: expected a QBox management token" in logged
    assert "'/pfop/\\n" in logged  # the string a valid signature covers


def test_an_unknown_access_key_is_called_so(server, auth_log):
    stranger = Auth("stranger-ak", SECRET_KEY)
    answer = requests.get(f"{server.url}/buckets", auth=QBoxRequestsAuth(stranger))
    assert answer.status_code == 401 and answer.json()["error"] == "bad token"
    assert "an access key this emulator does not have" in auth_log()
