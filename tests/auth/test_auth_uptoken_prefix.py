"""The five-part upload token the Go SDK reads, ``:<prefix>:<AK>:<sign>:<policy>``
(docs/wire.md §4.3): the prefix is ignored and the rest verified as an ordinary token."""

from __future__ import annotations

import pytest
import qiniu
import requests
from support import ACCESS_KEY, SECRET_KEY

from qiniu_emulator.auth import Authenticator, AuthMode
from qiniu_emulator.errors import QiniuError

AK = "MockAccessKey123"  # the account of the make_auth fixture (tests/auth/conftest.py)
SK = "MockSecretKey456"


def token(access_key: str = AK, secret: str = SK, scope: str = "b") -> str:
    return qiniu.Auth(access_key, secret).upload_token(scope, expires=3600)


def test_an_empty_first_part_and_a_prefix_are_read_past(auth: Authenticator) -> None:
    grant = auth.verify_upload_token(":some-prefix:" + token())
    assert (grant.access_key, grant.policy.bucket) == (AK, "b")


@pytest.mark.parametrize("prefixed", [
    "x:some-prefix:" + "{token}",  # five parts, but the first is not empty
    ":a:b:" + "{token}",  # six parts
    ":" + "{token}",  # four parts
])
def test_other_part_counts_are_401_bad_token(auth: Authenticator, prefixed: str) -> None:
    with pytest.raises(QiniuError) as caught:
        auth.verify_upload_token(prefixed.format(token=token()))
    assert (caught.value.status, caught.value.message) == (401, "bad token")


def test_the_prefix_does_not_excuse_a_wrong_signature(auth: Authenticator) -> None:
    with pytest.raises(QiniuError) as caught:
        auth.verify_upload_token(":p:" + token(secret="wrong"))
    assert caught.value.status == 401
    assert Authenticator({AK: SK}, AuthMode.OFF).verify_upload_token(":p:" + token(secret="wrong")).access_key == AK


def test_uploads_take_a_prefixed_token_in_the_form_and_the_header(server) -> None:
    prefixed = ":p:" + token(ACCESS_KEY, SECRET_KEY, "demo-bucket")
    form = requests.post(f"{server.url}/", data={"token": prefixed, "key": "prefixed.txt"},
                         files={"file": ("prefixed.txt", b"hello")}, timeout=10)
    assert form.status_code == 200 and form.json()["key"] == "prefixed.txt"
    block = requests.post(f"{server.url}/mkblk/5", data=b"hello", timeout=10,
                          headers={"Authorization": f"UpToken {prefixed}"})
    assert block.status_code == 200 and block.json()["ctx"]
    assert server.emulator.storage.stat("demo-bucket", "prefixed.txt").fsize == 5
