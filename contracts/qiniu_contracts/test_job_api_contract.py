"""Job API shapes as Qiniu documents them: which prefop keys appear when, what ``type``
a task may have, how a failed or sourceless item reads, and the v3 task API.

Each test names its evidence; it asserts only what that evidence shows, so the same
test holds against the real service. The sources are cited in docs/fops.md §1.5, §1.6.
"""

from __future__ import annotations

import json

import pytest
from qiniu_fop import PersistentFop

from . import media
from .clients import OfficialSdk, OurClient, wait_job
from .targets import Target
from .test_pfop_contract import TEXT, key_for, run, submit, upload

MISSING_SOURCE = "execute fop cmd failed: source data is empty or fail to get source data"


def test_normal_task_omits_type_and_success_items_omit_error(contract_client, qiniu_target):
    """Evidence: api-specs ``media/prefop.yml`` marks ``type``, ``taskFrom`` and ``error``
    omitempty; captured answers of normal API tasks carry neither ``type`` nor ``taskFrom``."""
    source = key_for(qiniu_target, contract_client, "plain.txt")
    upload(contract_client, qiniu_target, source, TEXT)
    status = run(contract_client, qiniu_target, source, "qhash/md5")
    assert status.get("type", 0) == 0
    assert "taskFrom" not in status
    [item] = status["items"]
    assert "error" not in item and item["key"] and item["hash"]


def test_idle_time_task_reports_type_1_and_a_pipeline(contract_client, qiniu_target, contract_media):
    """Evidence: node-sdk ``test/fop.test.js`` (``type === 1`` and a ``pipeline`` key for an
    idle task submitted without one); python-sdk ``test_pfop_idle_time_task`` (avinfo, type 1)."""
    source = key_for(qiniu_target, contract_client, "idle-" + media.AUDIO)
    upload(contract_client, qiniu_target, source, (contract_media / media.AUDIO).read_bytes())
    status = run(contract_client, qiniu_target, source, "avinfo", persistent_type=1)
    assert status["type"] == 1
    assert isinstance(status["pipeline"], str) and status["pipeline"]


@pytest.mark.parametrize("persistent_type", [2, -1])
def test_type_other_than_0_or_1_is_refused(qiniu_target, persistent_type):
    """Evidence: php-sdk ``tests/Qiniu/Tests/PfopTest.php`` expects an error for -1 and 2
    (the status code is not documented, so only "refused, with an error body" is asserted).
    Sent through the official SDK, which passes any value on; ours refuses them itself."""
    client = OfficialSdk(qiniu_target)
    source = key_for(qiniu_target, client, "typed.txt")
    upload(client, qiniu_target, source, TEXT)
    reply = client.pfop(qiniu_target.bucket, source, "qhash/md5", persistent_type=persistent_type)
    assert reply.status >= 400, reply.text
    assert json.loads(reply.text)["error"]


@pytest.mark.parametrize("persistent_type", [2, -1])
def test_upload_with_persistent_type_other_than_0_or_1_fails(contract_client, qiniu_target, persistent_type):
    """Evidence: php-sdk ``PfopTest.php`` ``testPfopWithUploadPolicy`` expects the upload to fail."""
    key = key_for(qiniu_target, contract_client, f"typed-upload{persistent_type}.txt")
    policy = {"persistentOps": "qhash/md5", "persistentType": persistent_type}
    reply = contract_client.put_data(qiniu_target.bucket, key, TEXT, policy)
    assert reply.status >= 400, reply.text


def test_failed_item_has_error_and_index_and_no_result_key(contract_client, qiniu_target):
    """Evidence: doc 1294's example and a 2024-10-31 captured failure: ``error`` and
    ``errorIndex`` (even 0), no ``hash``/``key``; the task's code is 3 when its only item failed."""
    source = key_for(qiniu_target, contract_client, "not-an-image.txt")
    upload(contract_client, qiniu_target, source, TEXT)
    status = wait_job(contract_client, submit(contract_client, qiniu_target, source, "imageInfo"), qiniu_target)
    assert status["code"] == 3 and status["desc"] == "The fop is failed"
    [item] = status["items"]
    assert item["code"] == 3 and item["desc"] == "The fop is failed"
    assert item["error"].startswith("execute fop cmd failed:")
    assert item["errorIndex"] == 0
    assert "key" not in item and "hash" not in item


def test_missing_source_fails_its_items(contract_client, qiniu_target):
    """Evidence: captured notifications of tasks whose source could not be read fail the
    item with the message below. The emulator accepts the task; for the real pfop the
    legacy doc's 404 (or the rs 612) at submit is accepted too, as no source settles it."""
    absent = qiniu_target.key(f"jobapi/{contract_client.name}/never-uploaded.txt")
    reply = contract_client.pfop(qiniu_target.bucket, absent, "qhash/md5")
    if reply.status != 200 and not qiniu_target.is_emulator:
        assert reply.status in (404, 612), reply.text
        return
    assert reply.status == 200, reply.text
    status = wait_job(contract_client, reply.ret["persistentId"], qiniu_target)
    assert status["code"] == 3
    [item] = status["items"]
    assert item["code"] == 3 and item["error"] == MISSING_SOURCE


def test_upload_task_has_no_task_from(contract_client, qiniu_target):
    """Evidence: api-specs ``taskFrom`` is absent for API tasks; captured notifications of
    upload-triggered tasks carry none."""
    key = key_for(qiniu_target, contract_client, "upload-task.txt")
    reply = contract_client.put_data(qiniu_target.bucket, key, TEXT, {"persistentOps": "qhash/md5"})
    assert reply.status == 200, reply.text
    status = wait_job(contract_client, reply.ret["persistentId"], qiniu_target)
    assert "taskFrom" not in status


@pytest.fixture
def workflow(qiniu_target: Target) -> str:
    if not qiniu_target.workflow:
        pytest.skip("no workflow template on this target (set QINIU_TEST_WORKFLOW)")
    return qiniu_target.workflow


def test_workflow_task_names_its_template_and_answers_the_v3_api(qiniu_target, workflow, contract_media):
    """Evidence: python/node/php tests assert the template id is inside ``taskFrom``; doc 7512
    gives ``GET /v3/task/status/<id>`` on the Dora host and its keys; doc 6504 the codes."""
    client = OurClient(qiniu_target)
    source = key_for(qiniu_target, client, "workflow.jpg")
    upload(client, qiniu_target, source, (contract_media / media.IMAGE).read_bytes())
    reply = client.pfop(qiniu_target.bucket, source, None, workflow_template_id=workflow)
    assert reply.status == 200, reply.text
    persistent_id = reply.ret["persistentId"]
    status = wait_job(client, persistent_id, qiniu_target)
    assert workflow in status["taskFrom"]
    assert status["creationDate"]

    task, info = PersistentFop(client.auth, qiniu_target.bucket).get_task(persistent_id)
    assert info.status_code == 200, info
    assert task["version"] == "v3" and task["id"] == persistent_id
    assert isinstance(task["created_at"], int) and task["created_at"] > 10**12  # milliseconds
    assert task["input"]["kodo_file"]["bucket"] == qiniu_target.bucket
    assert task["input"]["kodo_file"]["key"] == source
    assert task["code"] in (0, 3) and task["desc"]
    assert task["ops"]
    for op in task["ops"]:
        result = op["fop"]["result"]
        assert result["code"] in (0, 3, 6, 7)
        assert isinstance(result["has_output"], bool)
        if result["has_output"]:
            assert result["kodo_file"]["key"] and result["kodo_file"]["hash"]
