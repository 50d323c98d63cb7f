"""A management signature authorises only what it covers: parameters in a body it leaves
out (multipart, or form-encoded with a charset, under QBox) are refused with 401."""

from __future__ import annotations

import hmac
from hashlib import sha1

import pytest
import requests
from boundary_support import PUBLIC
from support import ACCESS_KEY, SECRET_KEY

from qiniu_emulator.encoding import b64_encode


def qbox(path_and_query: str, body: bytes = b"") -> str:
    digest = hmac.new(SECRET_KEY.encode(), path_and_query.encode() + b"\n" + body, sha1).digest()
    return f"QBox {ACCESS_KEY}:{b64_encode(digest)}"


@pytest.fixture
def stored(server):
    server.emulator.storage.put_bytes(PUBLIC, "keep.txt", b"precious", mime="text/plain")
    return server


def entry(key: str) -> str:
    return b64_encode(f"{PUBLIC}:{key}")


def test_a_path_only_qbox_signature_cannot_delete_through_a_multipart_batch(stored):
    answer = requests.post(f"{stored.url}/batch", files={"op": (None, f"/delete/{entry('keep.txt')}")},
                           headers={"Authorization": qbox("/batch")}, timeout=10)
    assert answer.status_code == 401 and answer.json()["error"] == "bad token"
    assert stored.emulator.storage.exists(PUBLIC, "keep.txt")


def test_a_charset_form_body_is_not_covered_by_qbox(stored):
    body = f"op=/delete/{entry('keep.txt')}".encode()
    answer = requests.post(f"{stored.url}/batch", data=body, timeout=10, headers={
        "Authorization": qbox("/batch"), "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert answer.status_code == 401
    assert stored.emulator.storage.exists(PUBLIC, "keep.txt")


def test_pfop_parameters_in_an_unsigned_body_do_not_start_a_job(stored):
    answer = requests.post(f"{stored.url}/pfop/", files={"bucket": (None, PUBLIC), "key": (None, "keep.txt"),
                                                         "fops": (None, "qhash/md5")},
                           headers={"Authorization": qbox("/pfop/")}, timeout=10)
    assert answer.status_code == 401
    assert stored.emulator.jobs.recent() == []


def test_the_exactly_form_encoded_body_is_covered_and_works(stored):
    body = f"op=/stat/{entry('keep.txt')}".encode()
    answer = requests.post(f"{stored.url}/batch", data=body, timeout=10, headers={
        "Authorization": qbox("/batch", body), "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200 and answer.json()[0]["data"]["fsize"] == 8


def test_query_parameters_of_a_signed_path_still_work(stored):
    path = f"/batch?op=/stat/{entry('keep.txt')}"
    answer = requests.post(f"{stored.url}{path}", headers={"Authorization": qbox(path)}, timeout=10)
    assert answer.status_code == 200 and answer.json()[0]["code"] == 200
