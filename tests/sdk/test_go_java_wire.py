"""The requests the official Go (v7.27) and Java (7.17) SDKs send, replayed byte for byte,
and their answers read the way those SDKs read them. Their toolchains cannot run here; the
shapes come from their sources (README: "Go" and "Java")."""

from __future__ import annotations

import hashlib
import json
import re
import time
import zlib
from urllib.parse import quote, urlencode

import pytest
from readme_snippets import snippet
from sdk_wire import FORM, WireClient, b64, entry, multipart
from support import ACCESS_KEY, SECRET_KEY, wait_for

BUCKET = "wire-bucket"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def go(server):
    server.emulator.storage.ensure_bucket(BUCKET)
    return WireClient("go", server.url, ACCESS_KEY, SECRET_KEY, "QiniuGo/7.27.0 (linux; amd64; default) go1.22")


@pytest.fixture
def java(server):
    server.emulator.storage.ensure_bucket(BUCKET)
    return WireClient("java", server.url, ACCESS_KEY, SECRET_KEY, "QiniuJava/7.17.0 (Linux amd64 6.1) Java/17")


def host_of(client: WireClient) -> str:
    return client.base.removeprefix("http://")


def no_port(client: WireClient) -> str:
    return host_of(client).split(":")[0]


def every_answer_has_a_reqid(answer) -> None:
    # Go treats an answer without X-Reqid/X-Log as hijacked; Java's isOK needs X-Reqid.
    assert answer.headers.get("X-Reqid")


# -- Go --------------------------------------------------------------------------------------


def test_go_discovers_hosts_through_v4_query_v2_query_and_regions(go):
    v4 = go.send("GET", f"/v4/query?ak={ACCESS_KEY}&bucket={BUCKET}", auth="")
    every_answer_has_a_reqid(v4)
    region = v4.json()["hosts"][0]
    assert region["up"]["domains"][0] == host_of(go) and region["up"]["old"]  # preferred and alternative
    assert all(region[s]["domains"][0] == host_of(go) for s in ("io", "rs", "rsf", "api", "uc"))
    legacy = go.send("GET", f"/v2/query?ak={ACCESS_KEY}&bucket={BUCKET}", auth="").json()
    # ListFiles reads rs/rsf/api from acc.main[0] and io from src.main[0]
    assert legacy["rsf"]["acc"]["main"][0] == host_of(go) and legacy["io"]["src"]["main"][0] == host_of(go)
    regions = go.send("GET", "/regions").json()["regions"]
    assert regions[0]["api"]["domains"][0] == host_of(go) and regions[0]["id"]


def test_go_uploads_form_v1_and_v2(go):
    data = b"go form upload"
    content_type, body = multipart([("key", "go/form.txt"), ("token", go.upload_token(f"{BUCKET}:go/form.txt")),
                                    ("crc32", str(zlib.crc32(data))), ("file", ("Untitled", "", data))])
    put = go.send("POST", "/", body, content_type, auth="")
    assert put.status == 200 and put.json()["key"] == "go/form.txt" and put.json()["hash"]

    token = f"UpToken {go.upload_token(f'{BUCKET}:go/v1.bin')}"
    block = b"v1" * 1000
    mkblk = go.send("POST", f"/mkblk/{len(block)}", block, "application/octet-stream", auth=token)
    answer = mkblk.json()
    assert answer["crc32"] == zlib.crc32(block) and answer["offset"] == len(block)  # Go checks both
    mkfile = go.send("POST", f"/mkfile/{len(block)}/key/{b64('go/v1.bin')}", answer["ctx"].encode(),
                     "application/octet-stream", auth=token)
    assert mkfile.status == 200 and mkfile.json()["key"] == "go/v1.bin"

    token = f"UpToken {go.upload_token(f'{BUCKET}:go/v2.bin')}"
    init = go.send("POST", f"/buckets/{BUCKET}/objects/{b64('go/v2.bin')}/uploads", auth=token)
    upload_id = init.json()["uploadId"]
    part = b"v2" * 3000
    uploaded = go.send("PUT", f"/buckets/{BUCKET}/objects/{b64('go/v2.bin')}/uploads/{upload_id}/1", part,
                       "application/octet-stream", auth=token,
                       headers={"Content-MD5": hashlib.md5(part).hexdigest()})
    assert uploaded.json()["md5"] == hashlib.md5(part).hexdigest()
    complete = json.dumps({"parts": [{"partNumber": 1, "etag": uploaded.json()["etag"]}],
                           "metadata": {"x-qn-meta-from": "go"}}).encode()
    done = go.send("POST", f"/buckets/{BUCKET}/objects/{b64('go/v2.bin')}/uploads/{upload_id}", complete,
                   "application/json", auth=token)
    assert done.status == 200 and done.json()["key"] == "go/v2.bin"


def test_go_bucket_manager(go, server):
    server.emulator.storage.put_bytes(BUCKET, "go/a.txt", b"aaa", mime="text/plain")
    stat = go.send("GET", f"/stat/{entry(BUCKET, 'go/a.txt')}")
    every_answer_has_a_reqid(stat)
    assert stat.status == 200 and stat.json()["fsize"] == 3 and stat.json()["mimeType"] == "text/plain"
    copy = go.send("POST", f"/copy/{entry(BUCKET, 'go/a.txt')}/{entry(BUCKET, 'go/b.txt')}")
    assert copy.status == 200
    ops = [f"/stat/{entry(BUCKET, 'go/b.txt')}", f"/delete/{entry(BUCKET, 'go/b.txt')}"]
    batch = go.send("POST", "/batch", urlencode([("op", op) for op in ops]).encode(), FORM)
    assert batch.status == 200 and [r["code"] for r in batch.json()] == [200, 200]
    listing = go.send("POST", "/list?" + urlencode(sorted({"bucket": BUCKET, "limit": "10", "needparts": "false",
                                                           "prefix": "go/"}.items())))
    assert [i["key"] for i in listing.json()["items"]] == ["go/a.txt"] and listing.json().get("marker", "") == ""
    buckets = go.send("GET", "/buckets?shared=rw")
    assert BUCKET in buckets.json()
    domains = go.send("GET", f"/v3/domains?tbl={BUCKET}").json()
    assert {"domain", "tbl", "uid", "refresh", "ctime", "utime"} <= set(domains[0])
    info = go.send("POST", f"/v2/bucketInfo?bucket={BUCKET}").json()
    assert info.get("ctime", "") == "" or RFC3339.match(info["ctime"])  # Go parses it as RFC 3339


def test_go_fetch_and_async_fetch(go, server):
    server.emulator.storage.put_bytes(BUCKET, "go/src.txt", b"fetch me", mime="text/plain")
    url = f"{go.base}/_io/{BUCKET}/go/src.txt"
    fetched = go.send("POST", f"/fetch/{b64(url)}/to/{entry(BUCKET, 'go/fetched.txt')}")
    assert fetched.status == 200 and fetched.json()["fsize"] == 8 and fetched.json()["key"] == "go/fetched.txt"
    body = json.dumps({"url": url, "bucket": BUCKET, "key": "go/later.txt", "file_type": 0}).encode()
    task = go.send("POST", "/sisyphus/fetch", body, "application/json").json()
    assert task["id"] and task["wait"] >= -1
    wait_for(lambda: go.send("GET", f"/sisyphus/fetch?id={task['id']}").json()["wait"] == -1,
             message="the background fetch")
    assert server.emulator.storage.stat(BUCKET, "go/later.txt").fsize == 8


def test_go_pfop_prefop_and_private_url(go, server):
    server.emulator.storage.put_bytes(BUCKET, "go/h.txt", b"hello", mime="text/plain")
    body = urlencode(sorted({"bucket": BUCKET, "key": "go/h.txt", "fops": "qhash/md5", "force": "1"}.items()))
    submitted = go.send("POST", "/pfop", body.encode(), FORM)
    assert submitted.status == 200
    persistent_id = submitted.json()["persistentId"]

    def finished():
        answer = go.send("GET", f"/status/get/prefop?id={persistent_id}").json()
        return answer if answer["code"] not in (1, 2) else None

    status = wait_for(finished, message="the job")
    assert status["code"] == 0 and RFC3339.match(status["creationDate"])  # Go refuses anything else
    assert status["items"][0]["key"] and status["items"][0]["hash"]
    deadline = int(time.time()) + 3600
    base = f"{go.base}/_io/{BUCKET}/{quote('go/h.txt', safe='/|')}?e={deadline}"
    answer = go.send("GET", f"{base.removeprefix(go.base)}&token={go.sign(base.encode())}", auth="")
    assert answer.status == 200 and answer.body == b"hello"


# -- Java ------------------------------------------------------------------------------------


def test_java_v3_query_without_the_port_in_host_leads_back_here(java):
    answer = java.send("GET", f"/v3/query?ak={ACCESS_KEY}&bucket={BUCKET}", auth="", host_header=no_port(java))
    region = answer.json()["hosts"][0]
    # AutoRegion tries src.main, src.backup, acc.main, acc.backup in turn
    assert region["rs"]["src"]["main"][0] == host_of(java) and region["up"]["acc"]["main"][0] == host_of(java)


def test_java_signs_host_and_port_but_sends_host_alone(java, server):
    server.emulator.storage.put_bytes(BUCKET, "java/h.txt", b"hello java", mime="text/plain")
    body = "&".join(f"{k}={v}" for k, v in [("bucket", BUCKET), ("force", "1"), ("fops", "qhash/md5"),
                                            ("key", "java/h.txt")]).encode()
    submitted = java.send("POST", "/pfop/", body, FORM, host_header=no_port(java))
    assert submitted.status == 200, submitted.body
    persistent_id = submitted.json()["persistentId"]
    status = wait_for(lambda: (a := java.send("GET", f"/status/get/prefop?id={persistent_id}",
                                              host_header=no_port(java)).json())["code"] == 0 and a,
                      message="the job")
    assert set(status) >= {"id", "code", "desc", "inputKey", "inputBucket", "pipeline", "reqid", "creationDate",
                           "items"}
    buckets = java.send("POST", "/buckets", content_type=FORM, host_header=no_port(java))
    assert BUCKET in buckets.json()
    domains = java.send("GET", f"/v2/domains?tbl={BUCKET}", host_header=no_port(java))
    assert domains.status == 200 and domains.json()[0].endswith(f"/_io/{BUCKET}")


def test_java_bucket_manager_shapes(java, server):
    server.emulator.storage.put_bytes(BUCKET, "java/a.txt", b"abc", mime="text/plain")
    stat = java.send("POST", f"/stat/{entry(BUCKET, 'java/a.txt')}", content_type=FORM)
    assert stat.status == 200 and stat.json()["fsize"] == 3
    moved = java.send("POST", f"/copy/{entry(BUCKET, 'java/a.txt')}/{entry(BUCKET, 'java/b.txt')}/force/false",
                      content_type=FORM)
    assert moved.status == 200
    # Java writes batch ops without the leading slash and without url-encoding them
    body = f"op=stat/{entry(BUCKET, 'java/b.txt')}&op=delete/{entry(BUCKET, 'java/b.txt')}".encode()
    batch = java.send("POST", "/batch", body, FORM)
    assert batch.status == 200 and [r["code"] for r in batch.json()] == [200, 200]
    listing = java.send("GET", f"/list?bucket={BUCKET}&prefix=java%2F&limit=10")  # no Content-Type, unsigned line
    assert [i["key"] for i in listing.json()["items"]] == ["java/a.txt"]
    missing = java.send("POST", f"/stat/{entry(BUCKET, 'java/none')}", content_type=FORM)
    assert missing.status == 612 and missing.headers["Content-Type"].startswith("application/json")
    assert missing.json()["error"] == "no such file or directory"  # read only for JSON answers with X-Reqid
    every_answer_has_a_reqid(missing)


def test_java_uploads_form_and_v2_with_metadata(java, server):
    data = b"java form"
    content_type, body = multipart([("file", ("java.txt", "application/octet-stream", data)),
                                    ("crc32", str(zlib.crc32(data))), ("key", "java/form.txt"),
                                    ("token", java.upload_token(f"{BUCKET}:java/form.txt"))])
    put = java.send("POST", "/", body, content_type, auth="", host_header=no_port(java))
    assert put.status == 200 and put.json()["key"] == "java/form.txt"

    token = f"UpToken {java.upload_token(f'{BUCKET}:java/v2.bin')}"
    name = b64("java/v2.bin")
    init = java.send("POST", f"/buckets/{BUCKET}/objects/{name}/uploads", content_type=FORM, auth=token)
    upload_id = init.json()["uploadId"]
    part = b"j" * 5000
    uploaded = java.send("PUT", f"/buckets/{BUCKET}/objects/{name}/uploads/{upload_id}/1", part,
                         "application/octet-stream", auth=token)
    complete = json.dumps({"parts": [{"partNumber": 1, "etag": uploaded.json()["etag"]}], "fname": "v2.bin",
                           "mimeType": "application/x-java", "metaData": {"x-qn-meta-lang": "java"}}).encode()
    done = java.send("POST", f"/buckets/{BUCKET}/objects/{name}/uploads/{upload_id}", complete,
                     "application/octet-stream", auth=token)
    assert done.status == 200, done.body
    stored = server.emulator.storage.stat(BUCKET, "java/v2.bin")
    assert stored.mime == "application/x-java" and stored.meta == {"lang": "java"} and stored.fsize == 5000


# -- the README's setups -------------------------------------------------------------------


def test_the_readme_go_setup_names_hosts_that_answer_go(start_emulator):
    readme_setup_answers(start_emulator, snippet("go-setup"), r'h := "([^"]+)"', "go",
                         "QiniuGo/7.27.0 (linux; amd64; default) go1.22")


def test_the_readme_java_setup_names_hosts_that_answer_java(start_emulator):
    readme_setup_answers(start_emulator, snippet("java-setup"), r'String h = "([^"]+)";', "java",
                         "QiniuJava/7.17.0 (Linux amd64 6.1) Java/17")


def readme_setup_answers(start_emulator, block, host_line: str, sdk: str, user_agent: str) -> None:
    """The host and the credentials the README gives, used as that SDK would use them."""
    from qiniu_emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

    server = start_emulator(accounts=[(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)])
    server.emulator.storage.put_bytes("demo-bucket", "hello.txt", b"hello", mime="text/plain")
    text = block.on(server.url)
    assert f'"{DEFAULT_ACCESS_KEY}", "{DEFAULT_SECRET_KEY}"' in text
    host = re.search(host_line, text)[1]
    client = WireClient(sdk, f"http://{host}", DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, user_agent)
    stat = client.send("POST", f"/stat/{entry('demo-bucket', 'hello.txt')}", content_type=FORM)
    assert stat.status == 200 and stat.json()["fsize"] == 5
    submitted = client.send("POST", "/pfop/", urlencode({"bucket": "demo-bucket", "key": "hello.txt",
                                                          "fops": "qhash/md5"}).encode(), content_type=FORM)
    assert submitted.status == 200, submitted.body
    persistent_id = submitted.json()["persistentId"]
    done = wait_for(lambda: (a := client.send("GET", f"/status/get/prefop?id={persistent_id}")).json()["code"] == 0
                    and a, message="the job")
    assert done.json()["items"][0]["code"] == 0
