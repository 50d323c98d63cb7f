"""Failure contracts: rejected fops, missing objects and ids, failed pipe stages, and
requests signed with the wrong secret key.

Where the public documentation leaves the exact status open, the emulator is held to
the spec's recommendation and real Qiniu to the documented range.
"""

from __future__ import annotations

import json
import uuid

import pytest

from .clients import ContractClient, OfficialSdk, OurClient, Reply, configure_hosts, wait_job
from .targets import Target

TEXT = b"plain text, certainly not an image\n"
FAILED = "The fop is failed"


@pytest.fixture(scope="module")
def text_source(qiniu_target: Target) -> str:
    """A small text object to point failing fops at."""
    configure_hosts(qiniu_target)  # a test before this module may have pointed the defaults elsewhere
    key = qiniu_target.key("failures/source.txt")
    reply = OurClient(qiniu_target).put_data(qiniu_target.bucket, key, TEXT)
    assert reply.status == 200, reply.text
    return key


def error_body(reply: Reply) -> dict:
    """The JSON error object of a failed call; it must name the problem."""
    body = json.loads(reply.text)
    assert isinstance(body.get("error"), str) and body["error"], reply.text
    return body


def assert_rejected(client: ContractClient, target: Target, reply: Reply) -> None:
    """An invalid fop is refused at submission with 400 and a JSON error.

    Real Qiniu documents 400 for malformed requests but not which fop mistakes it
    catches up front, so there a job that then fails is accepted as well.
    """
    if reply.status == 400 or target.is_emulator:
        assert reply.status == 400, reply.text
        error_body(reply)
        return
    assert reply.status == 200, reply.text
    status = wait_job(client, reply.ret["persistentId"], target)
    assert status["code"] == 3 and status["items"][0]["code"] == 3, status


@pytest.mark.parametrize("fops", ["nosuchop/1", "imageview2/2/w/100", "qhash/md5|nosuchop"],
                         ids=["unknown-op", "op-names-are-case-sensitive", "unknown-op-in-pipe"])
def test_unknown_op_is_rejected(contract_client, qiniu_target, text_source, fops):
    reply = contract_client.pfop(qiniu_target.bucket, text_source, fops)
    assert_rejected(contract_client, qiniu_target, reply)


@pytest.mark.parametrize("fops", ["qhash/md7", "imageView2/9/w/100", "imageView2/2/w/abc", "imageView2/2/w/-5"],
                         ids=["hash-algorithm", "view-mode", "width-not-a-number", "negative-width"])
def test_bad_parameters_are_rejected(contract_client, qiniu_target, text_source, fops):
    reply = contract_client.pfop(qiniu_target.bucket, text_source, fops)
    assert_rejected(contract_client, qiniu_target, reply)


def test_unknown_persistent_id(contract_client, qiniu_target):
    reply = contract_client.prefop("z0." + uuid.uuid4().hex[:24])
    error_body(reply)
    if qiniu_target.is_emulator:
        assert reply.status == 612
    else:
        assert reply.status == 612 or 400 <= reply.status < 500, reply.text


def test_failing_stage_is_reported_with_its_index(contract_client, qiniu_target, text_source):
    reply = contract_client.pfop(qiniu_target.bucket, text_source, "qhash/md5|imageInfo;qhash/sha1")
    assert reply.status == 200, reply.text
    status = wait_job(contract_client, reply.ret["persistentId"], qiniu_target)
    assert status["code"] == 3 and status["desc"] == FAILED
    failed, succeeded = status["items"]
    assert failed["cmd"] == "qhash/md5|imageInfo"
    assert failed["code"] == 3 and failed["desc"] == FAILED
    assert failed["errorIndex"] == 1
    assert failed["error"].startswith("execute fop cmd failed:")
    assert succeeded["cmd"] == "qhash/sha1" and succeeded["code"] == 0


def test_failure_in_first_stage_has_index_zero(contract_client, qiniu_target, text_source):
    reply = contract_client.pfop(qiniu_target.bucket, text_source, "imageInfo")
    assert reply.status == 200, reply.text
    status = wait_job(contract_client, reply.ret["persistentId"], qiniu_target)
    [item] = status["items"]
    assert status["code"] == 3 and item["code"] == 3
    assert item["errorIndex"] == 0 and item["error"].startswith("execute fop cmd failed:")


def wrong_secret(client: ContractClient, target: Target) -> ContractClient:
    """The same kind of client, signing with a secret key the target does not know."""
    kind = OurClient if isinstance(client, OurClient) else OfficialSdk
    return kind(target, secret_key="wrong-" + uuid.uuid4().hex)


def test_wrong_secret_key_cannot_submit(contract_client, qiniu_target, text_source):
    reply = wrong_secret(contract_client, qiniu_target).pfop(qiniu_target.bucket, text_source, "qhash/md5")
    assert reply.status == 401
    error_body(reply)


def test_wrong_secret_key_cannot_upload(contract_client, qiniu_target):
    key = qiniu_target.key(f"failures/{contract_client.name}/forged.txt")
    reply = wrong_secret(contract_client, qiniu_target).put_data(qiniu_target.bucket, key, TEXT)
    assert reply.status == 401
    error_body(reply)
    assert contract_client.stat(qiniu_target.bucket, key).status == 612
