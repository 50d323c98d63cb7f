"""Scenario rules name S3 operations ``s3.<Operation>`` (``s3`` is all of them) and answer in S3's shape."""

from __future__ import annotations

import pytest
import requests
from botocore.exceptions import ClientError

BUCKET = "demo-bucket"
WRITE = {"X-Qiniu-Emulator": "1"}  # the admin origin's writes carry it


def rule(server, **fields) -> str:
    answer = requests.post(f"{server.admin_url}/_emulator/scenarios", json=fields, headers=WRITE, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["scenarios"][-1]["id"]


def test_an_answer_rule_on_put_object_refuses_before_anything_is_stored(server, s3):
    rule(server, endpoint="s3.PutObject", key="flaky.txt", answer=503)
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=BUCKET, Key="flaky.txt", Body=b"x")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert not server.emulator.storage.exists(BUCKET, "flaky.txt")
    s3.put_object(Bucket=BUCKET, Key="other.txt", Body=b"x")  # the rule names one key


def test_an_after_answer_on_get_object_and_the_s3_family(server, s3):
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    rule(server, endpoint="s3.GetObject", answer={"status": 500, "when": "after"})
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=BUCKET, Key="k")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    requests.delete(f"{server.admin_url}/_emulator/scenarios", headers=WRITE, timeout=10)
    rule(server, endpoint="s3", answer=403)
    with pytest.raises(ClientError) as caught:
        s3.list_buckets()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_unknown_s3_operation_name_is_refused(server):
    answer = requests.post(f"{server.admin_url}/_emulator/scenarios", json={"endpoint": "s3.PutObjectz", "answer": 500},
                           headers=WRITE, timeout=10)
    assert answer.status_code == 400 and "s3.PutObject" in answer.text
