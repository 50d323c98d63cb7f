"""Rules on notify and callback deliveries: failed (a status, or no answer), delayed, or
delivered before the request that started the job is answered."""

from __future__ import annotations

import threading

import pytest
from receiver import RecordingServer, Reply
from scenario_support import code, finished, put, record, submit
from support import wait_for


@pytest.fixture
def receiver():
    with RecordingServer() as server:
        yield server


def test_a_lost_notify_ends_the_job_with_code_4(client, server, target, rules, receiver):
    put(client, target, "lost.txt")
    rule = rules(endpoint="notify", answer=503)
    job_id = submit(client, target, "lost.txt", "qhash/md5", notify_url=f"{receiver.url}/hook")
    status = finished(client, job_id)
    assert status["code"] == 4 and status["items"][0]["code"] == 0
    attempts = record(server, job_id)["deliveries"]
    assert [a["status"] for a in attempts] == [503, 503, 503]
    assert all(a["error"] == f"HTTP 503 (scenario {rule.id})" for a in attempts)
    assert receiver.requests == [] and rule.hits == 3


def test_a_notify_that_fails_once_is_delivered_by_the_retry(client, server, target, rules, receiver):
    put(client, target, "retry.txt")
    rules(endpoint="notify", answer={"timeout": True}, times=1)
    job_id = submit(client, target, "retry.txt", "qhash/md5", notify_url=f"{receiver.url}/hook")
    assert finished(client, job_id)["code"] == 0
    first, second = record(server, job_id)["deliveries"]
    assert first["status"] is None and first["error"].startswith("no complete answer within 2 s (scenario")
    assert second["status"] == 200 and second["error"] == ""
    [delivered] = receiver.requests
    assert delivered.json()["id"] == job_id


def test_a_delayed_notify_keeps_the_job_at_code_2_until_it_arrives(client, target, rules, receiver):
    put(client, target, "late.txt")
    rule = rules(endpoint="notify", key="late.txt", latency=300)
    job_id = submit(client, target, "late.txt", "qhash/md5", notify_url=f"{receiver.url}/hook")
    wait_for(lambda: rule.hits == 1, message="the notification to be due")
    assert code(client, job_id) == 2 and receiver.requests == []
    rule.remove()  # the delay ends now
    assert finished(client, job_id)["code"] == 0
    assert [r.json()["id"] for r in receiver.requests] == [job_id]


def test_an_upload_jobs_notify_arrives_before_the_upload_is_answered(client, target, rules, receiver):
    answered = threading.Event()
    seen_before_answer: list[bool] = []

    def respond(request):
        seen_before_answer.append(not answered.is_set())
        return Reply(body={})

    receiver.responder = respond
    rule = rules(endpoint="upload", notify_first=True)
    ret = put(client, target, "race.txt", policy={"persistentOps": "qhash/md5",
                                                  "persistentNotifyUrl": f"{receiver.url}/hook"})
    answered.set()
    assert seen_before_answer == [True]
    assert receiver.requests[0].json()["id"] == ret["persistentId"]
    assert code(client, ret["persistentId"]) == 0 and rule.hits == 1


def test_a_pfop_notify_can_arrive_before_the_persistent_id(client, target, rules, receiver):
    put(client, target, "first.txt")
    rules(endpoint="pfop", notify_first=True)
    job_id = submit(client, target, "first.txt", "qhash/md5", notify_url=f"{receiver.url}/hook")
    assert [r.json()["id"] for r in receiver.requests] == [job_id]  # already there
    assert code(client, job_id) == 0


def test_a_failing_callback_fails_the_upload_with_579(client, target, rules, receiver):
    rule = rules(endpoint="callback", answer=503)
    reply = client.put_data(target.bucket, "cb.txt", b"hello",
                            {"callbackUrl": f"{receiver.url}/cb", "callbackBody": "key=$(key)"})
    assert reply.status == 579 and f"HTTP 503 (scenario {rule.id})" in reply.error()
    assert receiver.requests == []
    assert client.stat(target.bucket, "cb.txt").status == 200  # stored, as with a real failed callback


def test_a_callback_answered_by_a_rule_becomes_the_upload_answer(client, target, rules, receiver):
    rules(endpoint="callback", answer={"status": 200, "body": {"accepted": "yes"}})
    reply = client.put_data(target.bucket, "fake.txt", b"hello",
                            {"callbackUrl": f"{receiver.url}/cb", "callbackBody": "key=$(key)"})
    assert reply.status == 200 and reply.ret == {"accepted": "yes"}
    assert receiver.requests == []
