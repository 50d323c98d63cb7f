"""The official Python and Node SDKs, given only the uc host of an emulator started with
``--regions z0,z2``, find a z2 bucket's hosts themselves; a pinned wrong zone gets the
"incorrect region" error; a failing main host sends them to the backup host.

The Node half needs `node` and `npm` (see test_node_sdk.py, whose fixture it shares).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import requests
from support import ADMIN_WRITE, ACCESS_KEY, SECRET_KEY, free_port, wait_for
from test_node_sdk import HERE, node  # noqa: F401 - the fixture installs the pinned SDK

FAR = "far-bucket"


@pytest.fixture(scope="module")
def regional(tmp_path_factory):
    from qiniu_emulator.config import Settings
    from qiniu_emulator.server import start_in_thread

    server = start_in_thread(Settings(port=free_port(), tls=True, tls_port=free_port(), region_ports=0, admin_port=0,
                                      bucket_ports="auto",
                                      data=tmp_path_factory.mktemp("data"), accounts=[(ACCESS_KEY, SECRET_KEY)],
                                      buckets=["home-bucket", f"{FAR}@z2"], regions=["z0", "z2"], workers=2))
    yield server
    server.stop()


@pytest.fixture
def clean(regional):
    """No scenario rule and an empty request log before and after each test."""
    regional.emulator.reset()
    yield regional
    regional.emulator.reset()


@pytest.fixture
def py_sdk(clean):
    """The Python SDK told only where uc is (and Dora: its pfop never asks for a region)."""
    import qiniu

    qiniu.config.set_default(default_uc_host=clean.url, default_query_region_host=clean.url,
                             default_api_host=clean.url, connection_retries=1)
    return qiniu.Auth(ACCESS_KEY, SECRET_KEY)


def host(server, service: str, region: str = "z2", backup: bool = False) -> str:
    return f"127.0.0.1:{server.emulator.regions.ports(region, service)[1 if backup else 0]}"


def hosts_of(server, path: str) -> list[tuple[str, int]]:
    """(host, status) of the logged requests whose path (without its query) starts with ``path``
    (is ``/``: form uploads), oldest first."""
    def wanted(record) -> bool:
        bare = record.path.split("?", 1)[0]
        return bare == "/" if path == "/" else bare.startswith(path)

    return [(r.host, r.status) for r in reversed(server.emulator.requests.recent(200)) if wanted(r)]


def test_python_sdk_finds_the_region_for_upload_stat_and_list(clean, py_sdk):
    import qiniu

    ret, info = qiniu.put_data(py_sdk.upload_token(FAR), "py.txt", b"hello region")
    assert info.status_code == 200 and ret["key"] == "py.txt", info
    manager = qiniu.BucketManager(py_sdk)
    stat, info = manager.stat(FAR, "py.txt")
    assert stat["fsize"] == 12, info
    listed, _, info = manager.list(FAR, prefix="py")
    assert [item["key"] for item in listed["items"]] == ["py.txt"], info
    assert hosts_of(clean, "/stat/") == [(host(clean, "rs"), 200)]
    assert hosts_of(clean, "/list") == [(host(clean, "rsf"), 200)]
    assert (host(clean, "up"), 200) in hosts_of(clean, "/")


def test_python_sdk_pfop_and_prefop_on_a_bucket_of_another_region(clean, py_sdk):
    import qiniu

    qiniu.put_data(py_sdk.upload_token(FAR), "job.txt", b"hello region")
    ret, info = qiniu.PersistentFop(py_sdk, FAR).execute("job.txt", ["qhash/md5"])
    assert info.status_code == 200, info
    assert ret["persistentId"].startswith("z2.")  # the job's region, as Qiniu's ids carry it
    done = wait_for(lambda: (lambda r: r if r[0]["code"] == 0 else None)(
        qiniu.PersistentFop(py_sdk, FAR).get_status(ret["persistentId"])), message="the job")
    assert done[0]["items"][0]["code"] == 0


def test_python_sdk_pinned_to_the_wrong_zone_gets_incorrect_region(clean, py_sdk):
    import qiniu

    pinned = qiniu.Region(up_host=f"http://{host(clean, 'up', 'z0')}")
    ret, info = qiniu.put_data(py_sdk.upload_token(FAR), "pinned.txt", b"x", regions=[pinned])
    assert ret is None and info.status_code == 400
    assert json.loads(info.text_body)["error"] == (
        f"incorrect region, please use {host(clean, 'up')}, bucket is: {FAR}")


def test_python_sdk_moves_to_the_backup_host_when_the_main_one_fails(clean, py_sdk):
    import qiniu

    rule = requests.post(f"{clean.admin_url}/_emulator/scenarios", json={"host": "up-z2", "answer": {"status": 503}}, headers=ADMIN_WRITE)
    assert rule.status_code == 200, rule.text
    ret, info = qiniu.put_data(py_sdk.upload_token(FAR), "failover.txt", b"x")
    assert info.status_code == 200 and ret["key"] == "failover.txt", info
    assert hosts_of(clean, "/")[-2:] == [(host(clean, "up"), 503), (host(clean, "up", backup=True), 200)]


def run_node(node: str, server, mode: str) -> list[dict]:  # noqa: F811 - node is the fixture's value
    env = {**os.environ, "UC": server.url.removeprefix("http://"), "UC_TLS": server.https_url.removeprefix("https://"),
           "NODE_EXTRA_CA_CERTS": server.ca, "AK": ACCESS_KEY, "SK": SECRET_KEY, "BUCKET": FAR,
           "WRONG_UP": host(server, "up", "z0"), "MODE": mode}
    done = subprocess.run([node, "regions.js"], cwd=HERE, env=env, capture_output=True, text=True, timeout=300)
    steps = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert steps, f"regions.js printed nothing: {done.stderr[-2000:]}"
    failed = [f"{s['step']}: {s['detail']}" for s in steps if not s["ok"]]
    assert not failed, "\n".join(failed)
    return steps


def test_node_sdk_finds_the_region_for_upload_stat_list_pfop_and_prefop(node, clean):  # noqa: F811
    steps = run_node(node, clean, "discover")
    assert [s["step"] for s in steps] == ["upload", "resumable v2", "stat", "list", "pfop", "prefop until done"]
    assert {h for h, _ in hosts_of(clean, "/buckets/")} == {host(clean, "up")}
    assert hosts_of(clean, "/stat/") == [(host(clean, "rs"), 200)]
    assert hosts_of(clean, "/list") == [(host(clean, "rsf"), 200)]
    assert hosts_of(clean, "/pfop") == [(host(clean, "api"), 200)]
    assert steps[4]["detail"]["data"]["persistentId"].startswith("z2.")


def test_node_sdk_pinned_to_the_wrong_zone_gets_incorrect_region(node, clean):  # noqa: F811
    steps = run_node(node, clean, "wrong-zone")
    assert steps[0]["detail"]["data"]["error"] == f"incorrect region, please use {host(clean, 'up')}, bucket is: {FAR}"


def test_node_sdk_moves_to_the_backup_host_when_the_main_one_fails(node, clean):  # noqa: F811
    rule = requests.post(f"{clean.admin_url}/_emulator/scenarios", json={"host": "up-z2", "answer": {"status": 503}}, headers=ADMIN_WRITE)
    assert rule.status_code == 200, rule.text
    run_node(node, clean, "failover")
    assert hosts_of(clean, "/")[-2:] == [(host(clean, "up"), 503), (host(clean, "up", backup=True), 200)]


def test_python_sdk_asks_uc_again_once_the_ttl_has_passed(start_emulator):
    import qiniu

    server = start_emulator(regions=["z0", "z2"], buckets=[f"{FAR}@z2"], region_ttl=1)
    qiniu.config.set_default(default_uc_host=server.url, default_query_region_host=server.url, connection_retries=1)
    manager = qiniu.BucketManager(qiniu.Auth(ACCESS_KEY, SECRET_KEY))
    assert [manager.stat(FAR, "missing")[1].status_code for _ in range(2)] == [612, 612]
    assert len(hosts_of(server, "/v4/query")) == 1  # the second stat used the cached answer
    wait_for(lambda: manager.stat(FAR, "missing") and len(hosts_of(server, "/v4/query")) >= 2,
             timeout=15, interval=0.2, message="a second region query after the 1 s ttl")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_python_sdk_resumable_uploads_find_the_region(clean, py_sdk, tmp_path, version):
    import qiniu

    path = tmp_path / "big.bin"
    path.write_bytes(b"r" * (9 * 1024 * 1024 + 321))  # above the SDK's 8 MiB form-upload threshold
    key = f"resumable-{version}.bin"
    ret, info = qiniu.put_file(py_sdk.upload_token(FAR, key), key, str(path), version=version, bucket_name=FAR)
    assert info.status_code == 200 and ret["key"] == key, info
    uploads = hosts_of(clean, "/mk") + hosts_of(clean, "/buckets/")
    assert uploads and {h for h, _ in uploads} == {host(clean, "up")}
