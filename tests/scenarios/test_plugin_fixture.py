"""The pytest plugin's ``qiniu_scenario`` fixture, against the plugin's own in-process
emulator: rules as context managers, held jobs, and nothing left behind."""

from __future__ import annotations

import pytest
import requests

from qiniu_contracts.clients import wait_job
from qiniu_contracts.scenarios import ScenarioControl, ScenarioError


def test_a_rule_in_a_with_block_is_gone_after_it(qiniu_scenario, qiniu_client, qiniu_target):
    key = qiniu_target.key("plugin.txt")
    assert qiniu_client.put_data(qiniu_target.bucket, key, b"hello").status == 200
    with qiniu_scenario(rs_stat=612, key=key) as rule:
        assert qiniu_client.stat(qiniu_target.bucket, key).status == 612
    assert rule.hits == 1 and rule.info["removed"]
    assert qiniu_client.stat(qiniu_target.bucket, key).status == 200
    assert rule.id not in [r["id"] for r in qiniu_scenario.rules()]


def test_held_jobs_are_released_through_the_handle(qiniu_scenario, qiniu_client, qiniu_target):
    key = qiniu_target.key("held.txt")
    qiniu_client.put_data(qiniu_target.bucket, key, b"hello")
    held = qiniu_scenario.hold_jobs(bucket=qiniu_target.bucket, key=key)
    job_id = qiniu_client.pfop(qiniu_target.bucket, key, "qhash/md5").ret["persistentId"]
    assert qiniu_client.prefop(job_id).ret["code"] == 1 and held.jobs() == [job_id]
    assert held.release() == [job_id]
    assert wait_job(qiniu_client, job_id, qiniu_target)["code"] == 0


def test_a_control_removes_what_it_added_and_says_what_the_emulator_refused(qiniu_target):
    control = ScenarioControl(qiniu_target.admin_url)
    control(endpoint="prefop", latency=0.01)
    control({"endpoint": "pfop", "answer": 599})
    with pytest.raises(ScenarioError, match="400 .*hold.code"):
        control.hold_jobs(code=5)
    with pytest.raises(TypeError, match="one <endpoint>=<answer> shorthand"):
        control(pfop=599, prefop=599)
    assert len(control.rules()) == 2
    control.clear()
    listed = requests.get(f"{qiniu_target.admin_url}/_emulator/scenarios", timeout=10).json()["scenarios"]
    assert listed == []
