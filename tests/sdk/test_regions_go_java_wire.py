"""With --regions, the Go and Java SDKs' requests replayed as their sources send them (see
test_go_java_wire.py): the region lookup they make, then each request on the host the
answer names, and the incorrect-region answer on another region's host."""

from __future__ import annotations

import zlib
from urllib.parse import urlencode

import pytest
from sdk_wire import FORM, WireClient, entry, multipart
from support import ACCESS_KEY, SECRET_KEY, wait_for

FAR = "far-bucket"
GO_AGENT = "QiniuGo/7.27.0 (linux; amd64; default) go1.22"
JAVA_AGENT = "QiniuJava/7.17.0 (Linux amd64 6.1) Java/17"


@pytest.fixture
def regional(start_emulator):
    server = start_emulator(regions=["z0", "z2"], buckets=["home-bucket", f"{FAR}@z2"])
    server.emulator.storage.put_bytes(FAR, "a.txt", b"aaa", mime="text/plain")
    return server


def client(sdk: str, host: str) -> WireClient:
    return WireClient(sdk, f"http://{host}", ACCESS_KEY, SECRET_KEY, GO_AGENT if sdk == "go" else JAVA_AGENT)


def form(go: WireClient, key: str) -> tuple[str, bytes]:
    data = b"go form upload"
    return multipart([("key", key), ("token", go.upload_token(f"{FAR}:{key}")), ("crc32", str(zlib.crc32(data))),
                      ("file", ("Untitled", "", data))])


def test_go_uploads_lists_and_pfops_where_v4_query_and_regions_say(regional):
    uc = client("go", regional.url.removeprefix("http://"))
    region = uc.send("GET", f"/v4/query?ak={ACCESS_KEY}&bucket={FAR}", auth="").json()["hosts"][0]
    assert region["region"] == "z2"
    up, alternative = region["up"]["domains"][0], region["up"]["old"][0]  # Go: preferred, then `old`
    for host in (up, alternative):
        put = client("go", host).send("POST", "/", *reversed(form(uc, f"go/{host}.txt")), auth="")
        assert put.status == 200, put.body
    listing = client("go", region["rsf"]["domains"][0]).send(
        "POST", "/list?" + urlencode(sorted({"bucket": FAR, "limit": "10", "prefix": "go/"}.items())))
    assert len(listing.json()["items"]) == 2
    regions = {r["id"]: r for r in uc.send("GET", "/regions").json()["regions"]}
    assert regions["z2"]["api"]["domains"] == region["api"]["domains"]
    api = client("go", regions["z2"]["api"]["domains"][0])
    body = urlencode([("bucket", FAR), ("fops", "qhash/md5"), ("key", "a.txt")]).encode()
    submitted = api.send("POST", "/pfop/", body, FORM)
    assert submitted.status == 200 and submitted.json()["persistentId"].startswith("z2.")
    wait_for(lambda: api.send("GET", f"/status/get/prefop?id={submitted.json()['persistentId']}").json()["code"] == 0,
             message="the job")


def test_go_upload_on_the_other_regions_host_is_refused_with_the_right_host(regional):
    uc = client("go", regional.url.removeprefix("http://"))
    z2_up = uc.send("GET", f"/v4/query?ak={ACCESS_KEY}&bucket={FAR}", auth="").json()["hosts"][0]["up"]["domains"][0]
    z0_up = uc.send("GET", f"/v4/query?ak={ACCESS_KEY}&bucket=home-bucket", auth="").json()["hosts"][0]["up"]
    put = client("go", z0_up["domains"][0]).send("POST", "/", *reversed(form(uc, "go/x.txt")), auth="")
    assert put.status == 400
    assert put.json()["error"] == f"incorrect region, please use {z2_up}, bucket is: {FAR}"


def test_java_auto_region_without_the_port_in_host_leads_to_the_region_hosts(regional):
    main = regional.url.removeprefix("http://")
    java = client("java", main)
    answer = java.send("GET", f"/v3/query?ak={ACCESS_KEY}&bucket={FAR}", auth="", host_header=main.split(":")[0])
    region = answer.json()["hosts"][0]
    rs = region["rs"]["src"]["main"][0]
    assert rs == f"127.0.0.1:{regional.emulator.regions.ports('z2', 'rs')[0]}"
    assert region["rs"]["src"]["backup"] == [f"127.0.0.1:{regional.emulator.regions.ports('z2', 'rs')[1]}"]
    # Java's Api classes sign host:port and send the host alone
    stat = client("java", rs).send("GET", f"/stat/{entry(FAR, 'a.txt')}", host_header=rs.split(":")[0])
    assert stat.status == 200 and stat.json()["fsize"] == 3
    z0_rs = f"127.0.0.1:{regional.emulator.regions.ports('z0', 'rs')[0]}"
    wrong = client("java", z0_rs).send("GET", f"/stat/{entry(FAR, 'a.txt')}", host_header="127.0.0.1")
    assert wrong.status == 400 and wrong.json()["error"] == f"incorrect region, please use {rs}, bucket is: {FAR}"
