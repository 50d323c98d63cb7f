"""--regions: buckets live in regions, queries name a bucket's hosts, other regions' hosts refuse it."""

from __future__ import annotations

import socket
import subprocess
import sys
from urllib.parse import urlencode

import pytest
import requests
from readme_snippets import snippet
from support import ADMIN_WRITE, ACCESS_KEY, SECRET_KEY, free_port, wait_for

from qiniu_emulator.config import Settings
from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.server import PortInUse, banner, start_in_thread

HOME, FAR = "home-bucket", "far-bucket"


@pytest.fixture
def regional(start_emulator):
    return start_emulator(regions=["z0", "z2"], buckets=[HOME, f"{FAR}@z2"])


@pytest.fixture
def auth():
    import qiniu

    return qiniu.Auth(ACCESS_KEY, SECRET_KEY)


def encode_entry(bucket: str, key: str) -> str:
    return b64_encode(f"{bucket}:{key}")


def host(server, region: str, service: str, backup: bool = False) -> str:
    return f"127.0.0.1:{server.emulator.regions.ports(region, service)[1 if backup else 0]}"


def query(server, bucket: str, version: str = "v4") -> dict:
    answer = requests.get(f"{server.url}/{version}/query", params={"ak": ACCESS_KEY, "bucket": bucket})
    assert answer.status_code == 200, answer.text
    return answer.json()


def form_upload(auth, up_host: str, bucket: str, key: str = "k.txt") -> requests.Response:
    return requests.post(f"http://{up_host}/", data={"token": auth.upload_token(bucket), "key": key},
                         files={"file": ("k.txt", b"hello")})


def management(auth, method: str, url: str, body: str = "") -> requests.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers["Authorization"] = "QBox " + auth.token_of_request(url, body, headers["Content-Type"])
    return requests.request(method, url, data=body, headers=headers)


def test_v4_query_names_the_buckets_region_hosts_with_backups(regional):
    entry = query(regional, FAR)["hosts"][0]
    assert entry["region"] == "z2" and entry["ttl"] > 0
    for service in ("up", "io", "rs", "rsf", "api"):
        assert entry[service]["domains"] == [host(regional, "z2", service), host(regional, "z2", service, True)]
        assert entry[service]["old"] == [host(regional, "z2", service, True)]
    assert entry["io_src"]["domains"] == entry["io"]["domains"]
    assert entry["uc"]["domains"][0] == regional.url.removeprefix("http://")
    home = query(regional, HOME)["hosts"][0]
    assert home["region"] == "z0" and home["up"]["domains"][0] == host(regional, "z0", "up")


def test_v3_and_v2_queries_name_the_same_hosts(regional):
    for body in (query(regional, FAR, "v3")["hosts"][0], query(regional, FAR, "v2")):
        assert body["region"] == "z2"
        assert body["up"]["src"] == {"main": [host(regional, "z2", "up")],
                                     "backup": [host(regional, "z2", "up", True)]}
        assert body["rs"]["src"]["main"] == [host(regional, "z2", "rs")]


def test_regions_lists_every_configured_region(regional, auth):
    answer = management(auth, "GET", f"{regional.url}/regions")
    assert answer.status_code == 200, answer.text
    listed = {entry["id"]: entry for entry in answer.json()["regions"]}
    assert list(listed) == ["z0", "z2"]
    assert listed["z2"]["rsf"]["domains"][0] == host(regional, "z2", "rsf")


def test_upload_on_another_regions_up_host_names_the_right_one(regional, auth):
    answer = form_upload(auth, host(regional, "z0", "up"), FAR)
    assert answer.status_code == 400
    assert answer.json()["error"] == f"incorrect region, please use {host(regional, 'z2', 'up')}, bucket is: {FAR}"
    assert form_upload(auth, host(regional, "z2", "up"), FAR).status_code == 200
    assert form_upload(auth, host(regional, "z2", "up", True), FAR).status_code == 200
    assert form_upload(auth, regional.url.removeprefix("http://"), FAR).status_code == 200  # the main port serves all


def test_rs_and_rsf_on_another_regions_host_are_refused(regional, auth):
    assert form_upload(auth, host(regional, "z2", "up"), FAR).status_code == 200
    stat = f"/stat/{encode_entry(FAR, 'k.txt')}"
    wrong = management(auth, "POST", f"http://{host(regional, 'z0', 'rs')}{stat}")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == f"incorrect region, please use {host(regional, 'z2', 'rs')}, bucket is: {FAR}"
    assert management(auth, "POST", f"http://{host(regional, 'z2', 'rs')}{stat}").json()["fsize"] == 5
    listing = management(auth, "GET", f"http://{host(regional, 'z0', 'rsf')}/list?bucket={FAR}")
    assert listing.status_code == 400 and host(regional, "z2", "rsf") in listing.json()["error"]


def test_move_between_regions_is_refused(regional, auth):
    assert form_upload(auth, host(regional, "z2", "up"), FAR).status_code == 200
    path = f"/move/{encode_entry(FAR, 'k.txt')}/{encode_entry(HOME, 'k.txt')}"
    answer = management(auth, "POST", regional.url + path)
    assert answer.status_code == 400 and "cross-region move" in answer.json()["error"]
    copy = f"/copy/{encode_entry(FAR, 'k.txt')}/{encode_entry(FAR, 'copy.txt')}"
    assert management(auth, "POST", regional.url + copy).status_code == 200
    ops = [f"/copy/{encode_entry(FAR, 'k.txt')}/{encode_entry(HOME, 'k.txt')}", f"/stat/{encode_entry(FAR, 'k.txt')}"]
    batch = management(auth, "POST", f"{regional.url}/batch", urlencode([("op", op) for op in ops]))
    assert batch.status_code == 298
    assert [r["code"] for r in batch.json()] == [400, 200] and "cross-region copy" in batch.json()[0]["data"]["error"]


def test_a_batch_on_another_regions_rs_host_is_refused(regional, auth):
    assert form_upload(auth, host(regional, "z2", "up"), FAR).status_code == 200
    body = urlencode([("op", f"/stat/{encode_entry(FAR, 'k.txt')}")])
    wrong = management(auth, "POST", f"http://{host(regional, 'z0', 'rs')}/batch", body)
    assert wrong.status_code == 400 and host(regional, "z2", "rs") in wrong.json()["error"]
    right = management(auth, "POST", f"http://{host(regional, 'z2', 'rs')}/batch", body)
    assert right.status_code == 200 and right.json()[0]["data"]["fsize"] == 5


def test_pfop_is_accepted_on_any_regions_api_host(regional, auth):
    assert form_upload(auth, host(regional, "z2", "up"), FAR).status_code == 200
    body = urlencode([("bucket", FAR), ("key", "k.txt"), ("fops", "qhash/md5")])
    answer = management(auth, "POST", f"http://{host(regional, 'z0', 'api')}/pfop/", body)
    assert answer.status_code == 200 and answer.json()["persistentId"].startswith("z2.")


def test_mkbucketv3_makes_a_bucket_in_a_served_region_only(regional, auth):
    made = management(auth, "POST", f"{regional.url}/mkbucketv3/new-far/region/z2")
    assert made.status_code == 200, made.text
    assert query(regional, "new-far")["hosts"][0]["region"] == "z2"
    assert management(auth, "POST", f"{regional.url}/mkbucketv3/new-home").status_code == 200
    assert query(regional, "new-home")["hosts"][0]["region"] == "z0"
    refused = management(auth, "POST", f"{regional.url}/mkbucketv3/new-na/region/na0")
    assert refused.status_code == 400 and "na0" in refused.json()["error"]


def test_a_scenario_rule_fails_one_region_host_and_not_its_backup(regional, auth):
    rule = {"host": "up-z2", "answer": {"status": 503}}
    put = requests.post(f"{regional.admin_url}/_emulator/scenarios", json=rule, headers=ADMIN_WRITE)
    assert put.status_code == 200, put.text
    assert form_upload(auth, host(regional, "z2", "up"), FAR).status_code == 503
    assert form_upload(auth, host(regional, "z2", "up", True), FAR).status_code == 200


def test_seed_dir_folders_name_their_region(start_emulator, tmp_path):
    (tmp_path / "seeded@z2").mkdir()
    (tmp_path / "seeded@z2" / "a.txt").write_text("a")
    server = start_emulator(regions=["z0", "z2"], buckets=[], seed_dir=tmp_path)
    assert query(server, "seeded")["hosts"][0]["region"] == "z2"


def test_without_regions_every_service_is_the_main_host(start_emulator):
    server = start_emulator(buckets=[f"{FAR}@z2"])
    entry = query(server, FAR)["hosts"][0]
    here = server.url.removeprefix("http://")
    assert entry["region"] == "z2" and entry["up"]["domains"][0] == here and entry["rs"]["domains"][0] == here
    assert server.emulator.regions is None


def test_an_unknown_region_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="unknown region 'z9'"):
        start_in_thread(Settings(port=0, data=tmp_path, regions=["z0"], buckets=["bad-bucket@z9"]))
    with pytest.raises(ValueError, match="region 'z2' is not served"):
        start_in_thread(Settings(port=0, data=tmp_path, regions=["z0"], buckets=["bad-bucket@z2"]))


def test_a_taken_region_port_says_so(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUse, match=str(port)):
            start_in_thread(Settings(port=0, data=tmp_path, regions=["z0"], region_ports=port))


def test_banner_lists_each_regions_hosts(regional):
    text = banner(regional.emulator.settings, regional.url, regions=regional.emulator.regions)
    line = next(line for line in text.splitlines() if line.strip().startswith("z2"))
    up_ports = regional.emulator.regions.ports("z2", "up")
    assert f"up http://127.0.0.1:{up_ports[0]} [{up_ports[1]}]" in line


def test_the_readme_serve_command_prints_and_serves_the_regions(tmp_path):
    [command] = snippet("regions-serve").commands()
    program, *args = command.split()
    assert program == "qiniu-emulator"
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "qiniu_emulator", *args, "--port", str(port), "--region-ports", "0",
                             "--data", str(tmp_path / "data")], stdout=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        wait_for(lambda: lines.append(proc.stdout.readline()) or any(line.startswith("  z2") for line in lines),
                 message="the z2 line of the banner")
        assert any(line.startswith("  z0") for line in lines)
        assert any("archive@z2" in line and "photos@z0" in line for line in lines)
        entry = requests.get(f"http://127.0.0.1:{port}/v4/query",
                             params={"ak": "qiniu-emulator-ak", "bucket": "archive"}).json()["hosts"][0]
        assert entry["region"] == "z2" and entry["up"]["domains"][0] != f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_pfop_saveas_into_a_bucket_of_another_region_is_carried_out(regional, auth):
    assert form_upload(auth, host(regional, "z2", "up"), FAR).status_code == 200
    saveas = b64_encode(f"{HOME}:hash.json")
    body = urlencode([("bucket", FAR), ("key", "k.txt"), ("fops", f"qhash/md5|saveas/{saveas}")])
    answer = management(auth, "POST", f"{regional.url}/pfop/", body)
    assert answer.status_code == 200, answer.text
    wait_for(lambda: regional.emulator.jobs.get(answer.json()["persistentId"]).code == 0, message="the job")
    assert regional.emulator.storage.stat(HOME, "hash.json").fsize > 0


def test_downloads_and_fetches_on_another_regions_io_host_are_refused(regional, auth):
    assert form_upload(auth, host(regional, "z2", "up"), FAR).status_code == 200
    wrong = requests.get(f"http://{host(regional, 'z0', 'io')}/_io/{FAR}/k.txt")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == f"incorrect region, please use {host(regional, 'z2', 'io')}, bucket is: {FAR}"
    assert requests.get(f"http://{host(regional, 'z2', 'io')}/_io/{FAR}/k.txt").content == b"hello"
    source = b64_encode(f"{regional.url}/_io/{FAR}/k.txt")
    target = encode_entry(FAR, "f.txt")
    fetched = management(auth, "POST", f"http://{host(regional, 'z0', 'io')}/fetch/{source}/to/{target}")
    assert fetched.status_code == 400 and host(regional, "z2", "io") in fetched.json()["error"]
