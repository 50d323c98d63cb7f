"""pfop / prefop contracts: submission, status shape, force, default keys, ``;`` and ``|``,
saveas into another bucket, and processing triggered by an upload policy.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import datetime

import pytest
from PIL import Image
from qiniu_fop import entry, qetag

from . import media
from .clients import ContractClient, download, wait_job
from .targets import Target

DONE = "The fop was completed successfully"
TEXT = b"persistent processing contract\n"


def key_for(target: Target, client: ContractClient, name: str) -> str:
    return target.key(f"pfop/{client.name}/{name}")


def upload(client: ContractClient, target: Target, key: str, data: bytes) -> str:
    """Store ``data`` at ``key`` in the target's bucket; return its etag."""
    reply = client.put_data(target.bucket, key, data)
    assert reply.status == 200, f"upload {key}: {reply.status} {reply.text}"
    return reply.ret["hash"]


def submit(client: ContractClient, target: Target, key: str, fops: str, **options) -> str:
    reply = client.pfop(target.bucket, key, fops, **options)
    assert reply.status == 200, f"pfop {fops!r}: {reply.status} {reply.text}"
    persistent_id = reply.ret["persistentId"]
    assert isinstance(persistent_id, str) and persistent_id
    return persistent_id


def run(client: ContractClient, target: Target, key: str, fops: str, **options) -> dict:
    """Submit and wait; the job must succeed as a whole."""
    status = wait_job(client, submit(client, target, key, fops, **options), target)
    assert status["code"] == 0, status
    return status


def stored(target: Target, bucket: str, key: str) -> bytes:
    response = download(target, bucket, key)
    assert response.status_code == 200, f"download {bucket}:{key}: {response.status_code}"
    return response.content


def rfc3339(text: str) -> datetime:
    """Parse RFC 3339 with up to nanosecond precision (Python keeps microseconds)."""
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text))


def test_status_shape_while_running_and_when_done(contract_client, qiniu_target):
    source = key_for(qiniu_target, contract_client, "shape.txt")
    upload(contract_client, qiniu_target, source, TEXT)
    target_key = key_for(qiniu_target, contract_client, "shape.md5.json")
    fops = f"qhash/md5|saveas/{entry(qiniu_target.output_bucket, target_key)}"
    persistent_id = submit(contract_client, qiniu_target, source, fops)
    early = contract_client.prefop(persistent_id)
    assert early.status == 200, early.text
    assert early.ret["id"] == persistent_id and early.ret["code"] in (0, 1, 2)

    status = wait_job(contract_client, persistent_id, qiniu_target)
    assert status["code"] == 0 and status["desc"] == DONE
    assert status["id"] == persistent_id
    assert (status["inputBucket"], status["inputKey"]) == (qiniu_target.bucket, source)
    assert rfc3339(status["creationDate"]).tzinfo is not None
    [item] = status["items"]
    assert item["cmd"] == fops
    assert item["code"] == 0 and item["desc"] == DONE
    assert item["key"] == target_key
    content = stored(qiniu_target, qiniu_target.output_bucket, target_key)
    assert item["hash"] == qetag(content)
    assert json.loads(content) == {"hash": hashlib.md5(TEXT).hexdigest(), "fsize": len(TEXT)}


def test_force_reprocesses_and_otherwise_returns_old(contract_client, qiniu_target):
    source = key_for(qiniu_target, contract_client, "force.txt")
    upload(contract_client, qiniu_target, source, TEXT)
    saved = key_for(qiniu_target, contract_client, "force.sha1.json")
    fops = f"qhash/sha1|saveas/{entry(qiniu_target.output_bucket, saved)}"
    first = run(contract_client, qiniu_target, source, fops)["items"][0]
    again = run(contract_client, qiniu_target, source, fops)["items"][0]
    forced = run(contract_client, qiniu_target, source, fops, force=1)["items"][0]
    assert first["returnOld"] == 0
    assert again["returnOld"] == 1 and again["hash"] == first["hash"] and again["key"] == saved
    assert forced["returnOld"] == 0 and forced["hash"] == first["hash"]


def test_without_saveas_results_land_in_the_source_bucket(contract_client, qiniu_target):
    source = key_for(qiniu_target, contract_client, "default-key.txt")
    upload(contract_client, qiniu_target, source, TEXT)
    [item] = run(contract_client, qiniu_target, source, "qhash/sha1")["items"]
    assert isinstance(item["key"], str) and item["key"] and item["key"] != source
    content = stored(qiniu_target, qiniu_target.bucket, item["key"])
    assert item["hash"] == qetag(content)
    assert json.loads(content)["hash"] == hashlib.sha1(TEXT).hexdigest()


def test_semicolon_pipelines_report_items_in_order(contract_client, qiniu_target):
    source = key_for(qiniu_target, contract_client, "multi.txt")
    upload(contract_client, qiniu_target, source, TEXT)
    algorithms = ["md5", "sha1", "sha256"]
    commands = [f"qhash/{name}" for name in algorithms]
    status = run(contract_client, qiniu_target, source, ";".join(commands))
    assert [item["cmd"] for item in status["items"]] == commands
    for name, item in zip(algorithms, status["items"]):
        assert item["code"] == 0
        result = json.loads(stored(qiniu_target, qiniu_target.bucket, item["key"]))
        assert result["hash"] == hashlib.new(name, TEXT).hexdigest()
    assert len({item["key"] for item in status["items"]}) == len(commands)


def test_pipe_feeds_each_stage_the_previous_output(contract_client, qiniu_target, contract_media):
    source = key_for(qiniu_target, contract_client, media.IMAGE)
    upload(contract_client, qiniu_target, source, (contract_media / media.IMAGE).read_bytes())
    thumb = key_for(qiniu_target, contract_client, "thumb.jpg")
    info = key_for(qiniu_target, contract_client, "thumb.info.json")
    bucket = qiniu_target.output_bucket
    commands = [f"imageView2/2/w/100|saveas/{entry(bucket, thumb)}",
                f"imageView2/2/w/100|imageInfo|saveas/{entry(bucket, info)}"]
    status = run(contract_client, qiniu_target, source, ";".join(commands))
    assert [item["key"] for item in status["items"]] == [thumb, info]
    # 640x427 scaled to width 100 keeps the aspect ratio: 100x67.
    assert Image.open(io.BytesIO(stored(qiniu_target, bucket, thumb))).size == (100, 67)
    described = json.loads(stored(qiniu_target, bucket, info))
    assert (described["width"], described["height"], described["format"]) == (100, 67, "jpeg")


def test_avinfo_of_uploaded_audio(contract_client, qiniu_target, contract_media):
    source = key_for(qiniu_target, contract_client, media.AUDIO)
    upload(contract_client, qiniu_target, source, (contract_media / media.AUDIO).read_bytes())
    [item] = run(contract_client, qiniu_target, source, "avinfo")["items"]
    described = json.loads(stored(qiniu_target, qiniu_target.bucket, item["key"]))
    [stream] = described["streams"]
    assert stream["codec_type"] == "audio" and stream["sample_rate"] == "44100" and stream["channels"] == 2
    assert float(described["format"]["duration"]) == pytest.approx(4.0, abs=0.1)


def test_upload_policy_persistent_ops_start_a_job(contract_client, qiniu_target):
    key = key_for(qiniu_target, contract_client, "on-upload.txt")
    saved = key_for(qiniu_target, contract_client, "on-upload.md5.json")
    policy = {"persistentOps": f"qhash/md5|saveas/{entry(qiniu_target.output_bucket, saved)}"}
    reply = contract_client.put_data(qiniu_target.bucket, key, TEXT, policy)
    assert reply.status == 200, reply.text
    assert reply.ret["hash"] == qetag(TEXT)
    persistent_id = reply.ret["persistentId"]
    assert isinstance(persistent_id, str) and persistent_id
    status = wait_job(contract_client, persistent_id, qiniu_target)
    assert status["code"] == 0, status
    assert (status["inputBucket"], status["inputKey"]) == (qiniu_target.bucket, key)
    [item] = status["items"]
    assert item["key"] == saved
    result = json.loads(stored(qiniu_target, qiniu_target.output_bucket, saved))
    assert result == {"hash": hashlib.md5(TEXT).hexdigest(), "fsize": len(TEXT)}
