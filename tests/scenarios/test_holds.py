"""Hold rules keep jobs at code 1 or 2 until released (by job, by rule, by removing the
rule, by a reset) or for a duration; a held job occupies no worker."""

from __future__ import annotations

import pytest
import qiniu_fop
import requests
from scenario_support import code, finished, put, record, submit
from support import ADMIN_WRITE, ACCESS_KEY, SECRET_KEY, wait_for

from qiniu_contracts.clients import OfficialSdk


def test_our_clients_wait_sees_a_held_job_at_code_1_until_it_is_released(target, rules):
    auth = qiniu_fop.Auth(ACCESS_KEY, SECRET_KEY)
    qiniu_fop.put_data(auth.upload_token(target.bucket, "held.txt"), "held.txt", b"hello")
    held = rules.hold_jobs(bucket=target.bucket)
    pfop = qiniu_fop.PersistentFop(auth, target.bucket)
    ret, info = pfop.execute("held.txt", fops="qhash/md5")
    assert info.status_code == 200, info
    job_id = ret["persistentId"]
    with pytest.raises(TimeoutError, match='"code": 1'):
        pfop.wait(job_id, timeout=0.3, interval=0.1)
    assert pfop.status(job_id).code == 1 and held.jobs() == [job_id]
    held.release(job_id)
    status, info = pfop.wait(job_id, timeout=30, interval=0.05)
    assert status["code"] == 0 and held.jobs() == []


def test_the_official_sdk_sees_a_held_job_at_code_1_until_it_is_released(server, target, rules):
    client = OfficialSdk(target)
    put(client, target, "held.txt")
    held = rules.hold_jobs(key="held.txt")
    job_id = submit(client, target, "held.txt", "qhash/md5")
    assert code(client, job_id) == 1
    assert held.release() == [job_id]
    assert finished(client, job_id)["code"] == 0
    assert "released when its scenario rule was removed" in record(server, job_id)["log"]


def test_a_job_held_at_code_2_reports_progress_and_holds_no_worker(start_emulator):
    server = start_emulator(workers=1)
    auth = qiniu_fop.Auth(ACCESS_KEY, SECRET_KEY)
    qiniu_fop.set_default(default_api_host=server.url, default_up_host=server.url)
    for key in ("held.txt", "free.txt"):
        qiniu_fop.put_data(auth.upload_token("demo-bucket", key), key, b"hello")
    requests.post(f"{server.admin_url}/_emulator/scenarios", headers=ADMIN_WRITE, json={"key": "held.txt", "hold": {"code": 2, "progress": 0.25}},
                  timeout=10)
    pfop = qiniu_fop.PersistentFop(auth, "demo-bucket")
    held = pfop.execute("held.txt", fops="qhash/md5")[0]["persistentId"]
    wait_for(lambda: pfop.status(held).code == 2, message="the held job to start")
    assert record(server, held)["progress"] == 0.25
    free = pfop.execute("free.txt", fops="qhash/md5")[0]["persistentId"]
    assert pfop.wait(free, timeout=30, interval=0.05)[0]["code"] == 0  # the one worker was free
    assert pfop.status(held).code == 2
    assert requests.post(f"{server.admin_url}/_emulator/jobs/{held}/release", headers=ADMIN_WRITE, timeout=10).json() == {"released": [held]}
    status = pfop.wait(held, timeout=30, interval=0.05)[0]
    assert status["code"] == 0 and status["items"][0]["code"] == 0


def test_a_hold_with_a_duration_ends_by_itself(client, server, target, rules):
    put(client, target, "brief.txt")
    rules.hold_jobs(key="brief.txt", code=2, seconds=0.2)
    job_id = submit(client, target, "brief.txt", "qhash/md5")
    assert finished(client, job_id)["code"] == 0
    log = record(server, job_id)["log"]
    assert any(line.startswith("held at code 2 by scenario s1 for 0.2 s") for line in log)
    assert "released after 0.2 s" in log


def test_a_job_started_by_an_upload_is_held(client, target, rules):
    held = rules.hold_jobs(endpoint="upload", bucket=target.bucket)
    ret = put(client, target, "up.txt", policy={"persistentOps": "qhash/md5"})
    job_id = ret["persistentId"]
    assert code(client, job_id) == 1 and held.jobs() == [job_id]
    held.release()
    assert finished(client, job_id)["code"] == 0


def test_releasing_a_rules_jobs_keeps_it_holding(client, target, rules):
    put(client, target, "again.txt")
    held = rules.hold_jobs(key="again.txt")
    first = submit(client, target, "again.txt", "qhash/md5")
    released = requests.post(f"{rules.url}/_emulator/scenarios/{held.id}/release", headers=ADMIN_WRITE, timeout=10).json()
    assert released == {"released": [first]}
    assert finished(client, first)["code"] == 0
    second = submit(client, target, "again.txt", "qhash/sha1")
    assert code(client, second) == 1 and held.jobs() == [second] and held.hits == 2


def test_releasing_a_job_that_is_not_held_is_refused(client, server, target, rules):
    put(client, target, "plain.txt")
    job_id = submit(client, target, "plain.txt", "qhash/md5")
    finished(client, job_id)
    answer = requests.post(f"{server.admin_url}/_emulator/jobs/{job_id}/release", headers=ADMIN_WRITE, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"] == f"job {job_id} is not held (its code is 0)"
    unknown = requests.post(f"{server.admin_url}/_emulator/jobs/z0.nope/release", headers=ADMIN_WRITE, timeout=10)
    assert unknown.status_code == 612


def test_a_reset_clears_the_hold_and_its_jobs(client, server, target, rules):
    put(client, target, "reset.txt")
    held = rules.hold_jobs()
    job_id = submit(client, target, "reset.txt", "qhash/md5")
    assert requests.post(f"{server.admin_url}/_emulator/reset", headers=ADMIN_WRITE, timeout=10).status_code == 200
    assert requests.get(f"{server.admin_url}/_emulator/scenarios", timeout=10).json() == {"scenarios": []}
    assert client.prefop(job_id).status == 612
    assert held.info["removed"]
