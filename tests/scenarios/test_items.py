"""failItem rules fail the matching items of a job with the given error and errorIndex,
without running them; the other items run as usual."""

from __future__ import annotations

import qiniu_fop
from scenario_support import finished, put, record, submit
from support import ACCESS_KEY, SECRET_KEY

ERROR = "execute fop cmd failed: not a valid video"


def test_a_failed_item_shows_its_error_and_index(client, server, target, rules):
    put(client, target, "clip.txt")
    rule = rules(fop="qhash/sha1", fail_item={"error": ERROR, "errorIndex": 1})
    job_id = submit(client, target, "clip.txt", "qhash/md5;qhash/sha1|qhash/md5")
    status = finished(client, job_id)
    assert status["code"] == 3
    ok, failed = status["items"]
    assert ok["code"] == 0 and ok["key"]
    assert failed["code"] == 3 and failed["error"] == ERROR and failed["errorIndex"] == 1
    assert "key" not in failed and rule.hits == 1
    assert f"item 1 failed by scenario {rule.id}: {ERROR}" in record(server, job_id)["log"]


def test_our_clients_typed_status_carries_the_failure(target, rules):
    auth = qiniu_fop.Auth(ACCESS_KEY, SECRET_KEY)
    qiniu_fop.put_data(auth.upload_token(target.bucket, "typed.txt"), "typed.txt", b"hello")
    rules(key="typed.txt", fail_item="execute fop cmd failed: no space left")
    pfop = qiniu_fop.PersistentFop(auth, target.bucket)
    job_id = pfop.execute("typed.txt", fops="qhash/md5")[0]["persistentId"]
    pfop.wait(job_id, timeout=30, interval=0.05)
    [item] = pfop.status(job_id).items
    assert (item.code, item.error, item.error_index) == (3, "execute fop cmd failed: no space left", 0)


def test_an_item_of_an_upload_job_fails_once(client, target, rules):
    rule = rules(endpoint="upload", fail_item="execute fop cmd failed: boom", times=1)
    policy = {"persistentOps": "qhash/md5"}
    first = put(client, target, "one.txt", policy=policy)["persistentId"]
    second = put(client, target, "two.txt", policy=policy)["persistentId"]
    assert finished(client, first)["items"][0]["error"] == "execute fop cmd failed: boom"
    assert finished(client, second)["code"] == 0 and rule.hits == 1
