"""Answer rules: a status and body instead of the real work, or in place of its
successful answer, as both clients see it."""

from __future__ import annotations

import random
import uuid

import qiniu
import requests
from scenario_support import put, submit
from support import ACCESS_KEY, SECRET_KEY

from qiniu_contracts.clients import OfficialSdk, OurClient


def test_our_client_retries_a_pfop_answered_599_once(target, rules):
    client = OurClient(target)
    put(client, target, "retry.txt")
    with rules(pfop=599, times=1) as rule:
        reply = client.pfop(target.bucket, "retry.txt", "qhash/md5")
    assert reply.status == 200 and reply.ret["persistentId"]
    assert (rule.hits, rule.matched) == (1, 2)


def test_the_official_sdk_reports_the_599_and_the_callers_retry_succeeds(target, rules):
    client = OfficialSdk(target)
    put(client, target, "retry.txt")
    rule = rules(pfop=599, times=1)
    first = client.pfop(target.bucket, "retry.txt", "qhash/md5")
    assert first.status == 599 and "injected by scenario" in first.error()
    assert client.pfop(target.bucket, "retry.txt", "qhash/md5").status == 200
    assert rule.hits == 1


def test_the_official_sdk_retries_an_upload_answered_599_on_the_regions_next_host(target, rules):
    client = OfficialSdk(target)
    rule = rules(endpoint="upload.form", key="again.txt", answer=599, times=1)
    assert client.put_data(target.bucket, "again.txt", b"second time").status == 200
    assert (rule.hits, rule.matched) == (1, 2)
    assert client.stat(target.bucket, "again.txt").ret["fsize"] == 11


def test_an_upload_stored_but_answered_599(client, target, rules):
    rule = rules(endpoint="upload.form", key="stored.txt", answer={"status": 599, "when": "after"})
    reply = client.put_data(target.bucket, "stored.txt", b"kept")
    assert reply.status == 599
    stat = client.stat(target.bucket, "stored.txt")
    assert stat.status == 200 and stat.ret["fsize"] == 4
    assert rule.hits >= 1


def test_an_upload_answered_599_before_the_work_stores_nothing(client, target, rules):
    rules(endpoint="upload", key="lost.txt", answer=599)
    assert client.put_data(target.bucket, "lost.txt", b"gone").status == 599
    assert client.stat(target.bucket, "lost.txt").status == 612


def test_the_official_sdk_retries_region_discovery_on_its_backup_host(server, target, rules):
    bucket = f"fresh-{uuid.uuid4().hex[:8]}"  # nothing cached for it in the SDK's region cache
    auth = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
    qiniu.BucketManager(auth).mkbucketv3(bucket, "z0")
    rule = rules(uc_query=599, times=1, bucket=bucket)
    # the same emulator under another name; the SDK keeps the port of the first host
    qiniu.config.set_default(default_query_region_backup_hosts=["localhost"])
    try:
        ret, info = qiniu.put_data(auth.upload_token(bucket, "a.txt"), "a.txt", b"hello")
    finally:
        qiniu.config.set_default(default_query_region_backup_hosts=[])
    assert info.status_code == 200, info
    assert (rule.hits, rule.matched) == (1, 2)


def test_a_stat_answered_with_a_given_body(client, target, rules):
    put(client, target, "there.txt")
    rules(endpoint="rs.stat", key="there.txt", answer={"status": 612, "body": {"error": "no such file or directory"}})
    reply = client.stat(target.bucket, "there.txt")
    assert reply.status == 612 and reply.error() == "no such file or directory"


def test_injected_answers_carry_the_rule_and_qiniu_headers(server, target, rules):
    put(OurClient(target), target, "busy.txt")
    rules(endpoint="io.download", answer=573)
    response = requests.get(f"{server.url}/_io/{target.bucket}/busy.txt", timeout=10)
    assert response.status_code == 573 and response.headers["Retry-After"] == "1"
    assert response.headers["X-Reqid"] and response.headers["X-Emulator-Scenario"] == "s1"
    assert response.json() == {"error": "too many requests (injected by scenario s1)", "code": 573}


def test_a_download_fop_and_a_plain_download_are_told_apart(server, target, rules):
    put(OurClient(target), target, "twice.txt")
    rules(endpoint="io.fop", fop="qhash", answer=599)
    base = f"{server.url}/_io/{target.bucket}/twice.txt"
    assert requests.get(base, timeout=10).status_code == 200
    assert requests.get(base + "?v=3", timeout=10).status_code == 200
    assert requests.get(base + "?qhash/md5", timeout=10).status_code == 599


def test_a_bucket_domain_download_is_matched_too(server, target, rules):
    put(OurClient(target), target, "domain.txt")
    rules(endpoint="io.download", bucket=target.bucket, answer=599)
    port = server.url.rsplit(":", 1)[1]
    response = requests.get(f"{server.url}/domain.txt", headers={"Host": f"{target.bucket}.localhost:{port}"},
                            timeout=10)
    assert response.status_code == 599


def test_a_pfop_rule_matches_on_the_fop_prefix_and_bucket(target, rules):
    client = OfficialSdk(target)
    put(client, target, "video.txt")
    rules(endpoint="pfop", bucket=target.bucket, fop="avthumb", answer=599)
    assert client.pfop(target.bucket, "video.txt", "qhash/md5").status == 200
    assert client.pfop(target.bucket, "video.txt", "qhash/md5;avthumb/mp4").status == 599


def test_a_seeded_probability_repeats_its_pattern(server, target, rules):
    put(OurClient(target), target, "dice.txt")
    url = f"{server.url}/_io/{target.bucket}/dice.txt"

    def pattern() -> list[int]:
        with rules(endpoint="io.download", answer=599, probability=0.5, seed=11):
            return [requests.get(url, timeout=10).status_code for _ in range(16)]

    first = pattern()
    draws = random.Random(11)
    assert first == [599 if draws.random() < 0.5 else 200 for _ in range(16)]
    assert pattern() == first


def test_emulator_endpoints_are_never_matched(server, rules):
    rules(answer=599)  # every Qiniu endpoint
    assert requests.get(f"{server.admin_url}/_emulator/health", timeout=10).status_code == 200
    assert requests.get(f"{server.admin_url}/_emulator/scenarios", timeout=10).status_code == 200


def test_an_injected_answer_is_in_the_request_log_like_any_other(server, target, rules):
    put(OurClient(target), target, "logged.txt")
    rules(endpoint="io.download", key="logged.txt", answer=599)
    requests.get(f"{server.url}/_io/{target.bucket}/logged.txt", timeout=10)
    logged = requests.get(f"{server.admin_url}/_emulator/requests", params={"status": "5xx"}, timeout=10).json()
    [entry] = [e for e in logged["requests"] if e["path"].endswith("/logged.txt")]
    assert entry["status"] == 599 and "injected by scenario" in entry["error"]
