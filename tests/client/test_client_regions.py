"""qiniu_fop with follow_regions: it asks uc for a bucket's region, uses that region's hosts,
keeps the answer for its ttl and moves to the backup host when the main one fails."""

from __future__ import annotations

import pytest
import requests
from support import ADMIN_WRITE, ACCESS_KEY, SECRET_KEY, wait_for

import qiniu_fop
from qiniu_fop import regions

FAR = "far-bucket"


@pytest.fixture
def regional(start_emulator):
    return start_emulator(regions=["z0", "z2"], buckets=["home-bucket", f"{FAR}@z2"])


@pytest.fixture
def auth():
    return qiniu_fop.Auth(ACCESS_KEY, SECRET_KEY)


def following(server) -> qiniu_fop.Config:
    """Only uc and the api host are given; the bucket's region names the rest."""
    return qiniu_fop.Config(uc_host=server.url, api_host=server.url, follow_regions=True, connection_retries=0)


def host(server, service: str, region: str = "z2", backup: bool = False) -> str:
    return f"127.0.0.1:{server.emulator.regions.ports(region, service)[1 if backup else 0]}"


def log(server, path: str) -> list[tuple[str, int]]:
    return [(r.host, r.status) for r in reversed(server.emulator.requests.recent(200))
            if r.path.split("?", 1)[0] == path or (path != "/" and r.path.startswith(path))]


def test_upload_stat_list_and_batch_go_to_the_buckets_region(regional, auth):
    config = following(regional)
    ret, info = qiniu_fop.put_data(auth.upload_token(FAR, "a.txt"), "a.txt", b"hello", config=config)
    assert ret is not None and ret["key"] == "a.txt", info
    manager = qiniu_fop.BucketManager(auth, config=config)
    stat, info = manager.stat(FAR, "a.txt")
    assert stat is not None and stat["fsize"] == 5, info
    listed, eof, info = manager.list(FAR)
    assert listed is not None and [i["key"] for i in listed["items"]] == ["a.txt"] and eof, info
    results, info = manager.batch(qiniu_fop.build_batch_stat(FAR, ["a.txt"]))
    assert results is not None and results[0]["code"] == 200, info
    assert log(regional, "/") == [(host(regional, "up"), 200)]
    assert log(regional, "/stat/") == [(host(regional, "rs"), 200)]
    assert log(regional, "/list") == [(host(regional, "rsf"), 200)]
    assert log(regional, "/batch") == [(host(regional, "rs"), 200)]
    assert len(log(regional, "/v4/query")) == 1  # one query, cached for its ttl


def test_the_cached_region_is_asked_again_once_its_ttl_has_passed(regional, auth, monkeypatch):
    config = following(regional)
    manager = qiniu_fop.BucketManager(auth, config=config)
    assert manager.stat(FAR, "missing")[1].status_code == 612
    (hosts, expires), = config.region_cache.values()
    assert hosts.region == "z2"
    monkeypatch.setattr(regions, "_now", lambda: expires + 1)
    assert manager.stat(FAR, "missing")[1].status_code == 612
    assert len(log(regional, "/v4/query")) == 2


def test_a_multipart_upload_goes_to_the_buckets_region(regional, auth, tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (5 * 1024 * 1024))
    ret, info = qiniu_fop.put_file(auth.upload_token(FAR, "big.bin"), "big.bin", path,
                                   resumable_threshold=1024 * 1024, part_size=4 * 1024 * 1024,
                                   config=following(regional))
    assert ret is not None and ret["key"] == "big.bin", info
    uploads = log(regional, "/buckets/")
    assert uploads and all(h == host(regional, "up") for h, _ in uploads)


def test_the_backup_host_takes_over_when_a_rule_fails_the_main_one(regional, auth):
    rule = requests.post(f"{regional.admin_url}/_emulator/scenarios", json={"host": "up-z2", "answer": {"status": 503}}, headers=ADMIN_WRITE)
    assert rule.status_code == 200, rule.text
    ret, info = qiniu_fop.put_data(auth.upload_token(FAR, "b.txt"), "b.txt", b"hello", config=following(regional))
    assert ret is not None, info
    assert log(regional, "/") == [(host(regional, "up"), 503), (host(regional, "up", backup=True), 200)]


def test_pinned_hosts_of_another_region_get_incorrect_region(regional, auth):
    pinned = qiniu_fop.Config.for_url(f"http://{host(regional, 'up', 'z0')}", connection_retries=0)
    ret, info = qiniu_fop.put_data(auth.upload_token(FAR, "c.txt"), "c.txt", b"hello", config=pinned)
    assert ret is None and info.status_code == 400
    assert info.json()["error"] == f"incorrect region, please use {host(regional, 'up')}, bucket is: {FAR}"


def test_an_unknown_bucket_fails_at_the_query(regional, auth):
    ret, info = qiniu_fop.BucketManager(auth, config=following(regional)).stat("no-such-bucket", "k")
    assert ret is None and info.status_code == 631 and "/v4/query" in (info.url or "")


def test_pfop_is_sent_to_the_one_api_host(regional, auth):
    config = following(regional)
    qiniu_fop.put_data(auth.upload_token(FAR, "d.txt"), "d.txt", b"hello", config=config)
    ret, info = qiniu_fop.PersistentFop(auth, FAR, config=config).execute("d.txt", "qhash/md5")
    assert ret is not None and ret["persistentId"].startswith("z2."), info
    assert log(regional, "/pfop/") == [(regional.url.removeprefix("http://"), 200)]
    wait_for(lambda: regional.emulator.jobs.get(ret["persistentId"]).code == 0, message="the job")


def test_a_main_host_that_times_out_sends_the_client_to_the_backup(regional, auth):
    rule = {"host": "up-z2", "latency": 2}
    assert requests.post(f"{regional.admin_url}/_emulator/scenarios", json=rule, headers=ADMIN_WRITE).status_code == 200
    config = following(regional)
    config.update(connection_timeout=0.5)
    ret, info = qiniu_fop.put_data(auth.upload_token(FAR, "slow.txt"), "slow.txt", b"hello", config=config)
    assert ret is not None and ret["key"] == "slow.txt", info
    assert (host(regional, "up", backup=True), 200) in log(regional, "/")
