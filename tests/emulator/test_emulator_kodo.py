"""Storage endpoints through the official qiniu SDK, configured only with the emulator's hosts."""

from __future__ import annotations

import json
import os
import time
import zlib

import pytest
import qiniu
import requests
from qiniu import BucketManager, build_batch_copy, build_batch_delete, build_batch_stat

from qiniu_emulator.encoding import b64_encode, etag_of_bytes

from support import ADMIN_WRITE, ACCESS_KEY, wait_for


@pytest.fixture
def bucket_manager(sdk):
    return BucketManager(sdk)


def put(sdk, key: str, data: bytes, bucket: str = "demo-bucket", **policy) -> tuple[dict, object]:
    token = sdk.upload_token(bucket, key, 3600, policy or None)
    return qiniu.put_data(token, key, data)


def test_put_data_and_stat(sdk, bucket_manager):
    ret, info = put(sdk, "hello.txt", b"hello world")
    assert info.status_code == 200, info
    assert ret == {"hash": "FiqubDXJT8-0FdvpX0CLnOke6Ebt", "key": "hello.txt"}
    stat, info = bucket_manager.stat("demo-bucket", "hello.txt")
    assert info.status_code == 200
    assert stat["fsize"] == 11 and stat["hash"] == ret["hash"]
    assert stat["mimeType"] == "text/plain" and stat["type"] == 0
    assert abs(stat["putTime"] // 10_000_000 - time.time()) < 60


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_put_file_10mb_resumable(sdk, bucket_manager, tmp_path, version):
    path = tmp_path / "big.bin"
    data = os.urandom(10 * 1024 * 1024 + 123)
    path.write_bytes(data)
    key = f"big-{version}.bin"
    ret, info = qiniu.put_file(sdk.upload_token("demo-bucket", key), key, str(path),
                               version=version, bucket_name="demo-bucket")
    assert info.status_code == 200, info
    assert ret["hash"] == etag_of_bytes(data)
    stat, _ = bucket_manager.stat("demo-bucket", key)
    assert stat["fsize"] == len(data)


def test_list_with_prefix_delimiter_and_paging(sdk, bucket_manager):
    for key in ["photos/a.jpg", "photos/b.jpg", "photos/2024/c.jpg", "video/x.mp4", "readme"]:
        assert put(sdk, key, key.encode())[1].status_code == 200
    ret, eof, info = bucket_manager.list("demo-bucket", prefix="photos/", delimiter="/")
    assert info.status_code == 200 and eof
    assert [i["key"] for i in ret["items"]] == ["photos/a.jpg", "photos/b.jpg"]
    assert ret["commonPrefixes"] == ["photos/2024/"]
    seen, marker = [], None
    while True:
        ret, eof, info = bucket_manager.list("demo-bucket", marker=marker, limit=2)
        seen += [i["key"] for i in ret["items"]]
        if eof:
            break
        marker = ret["marker"]
    assert seen == sorted(seen) and len(seen) == 5


def test_copy_move_delete_and_force(sdk, bucket_manager):
    put(sdk, "src.txt", b"one")
    put(sdk, "taken.txt", b"two")
    assert bucket_manager.copy("demo-bucket", "src.txt", "output-bucket", "copied.txt")[1].status_code == 200
    ret, info = bucket_manager.copy("demo-bucket", "src.txt", "demo-bucket", "taken.txt")
    assert info.status_code == 614
    assert bucket_manager.copy("demo-bucket", "src.txt", "demo-bucket", "taken.txt", force="true")[1].status_code == 200
    assert bucket_manager.move("demo-bucket", "src.txt", "demo-bucket", "moved.txt")[1].status_code == 200
    assert bucket_manager.stat("demo-bucket", "src.txt")[1].status_code == 612
    assert bucket_manager.delete("demo-bucket", "moved.txt")[1].status_code == 200
    ret, info = bucket_manager.delete("demo-bucket", "moved.txt")
    assert info.status_code == 612
    assert json.loads(info.text_body)["error"] == "no such file or directory"


def test_batch_partial_success_is_298(sdk, bucket_manager):
    put(sdk, "b1.txt", b"1")
    ops = build_batch_stat("demo-bucket", ["b1.txt", "absent.txt"])
    ret, info = bucket_manager.batch(ops)
    assert info.status_code == 298
    body = json.loads(info.text_body)
    assert body[0]["code"] == 200 and body[0]["data"]["fsize"] == 1
    assert body[1] == {"code": 612, "data": {"error": "no such file or directory"}}
    ret, info = bucket_manager.batch(build_batch_copy("demo-bucket", {"b1.txt": "b2.txt"}, "demo-bucket"))
    assert info.status_code == 200 and ret == [{"code": 200}]
    ret, info = bucket_manager.batch(build_batch_delete("demo-bucket", ["b1.txt", "b2.txt"]))
    assert info.status_code == 200


def test_domains_download_and_change_mime(server, sdk, bucket_manager):
    put(sdk, "dl/file name.txt", b"download me")
    domains, info = bucket_manager.list_domains("demo-bucket")
    assert info.status_code == 200 and domains
    url = f"http://{domains[0]}/dl/file%20name.txt"
    response = requests.get(url)
    assert response.status_code == 200 and response.content == b"download me"
    assert response.headers["ETag"] == f'"{etag_of_bytes(b"download me")}"'
    ranged = requests.get(url, headers={"Range": "bytes=0-3"})
    assert ranged.status_code == 206 and ranged.content == b"down"
    assert bucket_manager.change_mime("demo-bucket", "dl/file name.txt", "text/x-demo")[1].status_code == 200
    assert requests.get(url).headers["Content-Type"].startswith("text/x-demo")
    assert requests.get(f"http://{domains[0]}/dl/missing").status_code == 404


def test_private_bucket_download_token(server, sdk, bucket_manager):
    assert bucket_manager.mkbucketv3("secret-bucket", "z0")[1].status_code == 200
    assert bucket_manager.change_bucket_permission("secret-bucket", 1)[1].status_code == 200
    put(sdk, "视频/测试 1.txt", b"private", bucket="secret-bucket")
    base = f"{server.url}/_io/secret-bucket/视频/测试 1.txt"
    assert requests.get(base).status_code == 401
    signed = sdk.private_download_url(base, expires=300)
    response = requests.get(signed)
    assert response.status_code == 200 and response.content == b"private"
    expired = sdk.private_download_url(base, expires=-10)
    assert requests.get(expired).status_code == 401
    forged = signed[: signed.rindex(":") + 1] + "AAAAAAAAAAAAAAAAAAAAAAAAAAA="
    assert requests.get(forged).status_code == 401


def test_bucket_listing_and_region_query(server, sdk, bucket_manager):
    names, info = bucket_manager.buckets()
    assert info.status_code == 200 and {"demo-bucket", "output-bucket"} <= set(names)
    query = requests.get(f"{server.url}/v4/query", params={"ak": ACCESS_KEY, "bucket": "demo-bucket"}).json()
    host = query["hosts"][0]
    assert isinstance(host["ttl"], int)
    port = server.url.rsplit(":", 1)[1]
    # where the client came in first, then another name of the same emulator as a real backup
    assert host["up"]["domains"] == [f"127.0.0.1:{port}", f"localhost:{port}"]
    assert host["up"]["acc_domains"] == [f"127.0.0.1:{port}"] and host["io"]["old"] == [f"localhost:{port}"]
    assert requests.get(f"{server.url}/v4/query", params={"ak": "who", "bucket": "demo-bucket"}).status_code == 612
    assert requests.get(f"{server.url}/v4/query", params={"ak": ACCESS_KEY, "bucket": "nope"}).status_code == 631


def test_upload_negative_cases(server, sdk):
    wrong = qiniu.Auth(ACCESS_KEY, "wrong-secret")
    assert qiniu.put_data(wrong.upload_token("demo-bucket", "k"), "k", b"x")[1].status_code == 401
    expired = sdk.upload_token("demo-bucket", "k", -10)
    ret, info = qiniu.put_data(expired, "k", b"x")
    assert info.status_code == 401 and info.json()["error"] == "expired token"
    ret, info = qiniu.put_data(sdk.upload_token("demo-bucket", "allowed"), "other", b"x")
    assert info.status_code == 403
    unknown = requests.post(server.url + "/", data={"token": sdk.upload_token("no-such-bucket"), "key": "k"},
                            files={"file": ("k", b"x")})
    assert unknown.status_code == 631 and unknown.json()["error"] == "no such bucket"
    put(sdk, "once.txt", b"first", bucket="demo-bucket")
    ret, info = put(sdk, "once.txt", b"second", insertOnly=1)
    assert info.status_code == 614
    ret, info = put(sdk, "small.txt", b"x" * 100, fsizeLimit=10)
    assert info.status_code == 413


def test_form_upload_crc_and_return_body(server, sdk):
    token = sdk.upload_token("demo-bucket", "rb.txt", 3600, {
        "returnBody": '{"key":$(key),"hash":$(etag),"size":$(fsize),"who":$(x:who)}'})
    ok = requests.post(server.url + "/", data={"token": token, "key": "rb.txt", "x:who": "me",
                                                "crc32": str(zlib.crc32(b"abc"))},
                       files={"file": ("rb.txt", b"abc")})
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"key": "rb.txt", "hash": etag_of_bytes(b"abc"), "size": 3, "who": "me"}
    bad = requests.post(server.url + "/", data={"token": token, "key": "rb.txt", "crc32": "1"},
                        files={"file": ("rb.txt", b"abc")})
    assert bad.status_code == 406
    missing = requests.post(server.url + "/", data={"key": "rb.txt"}, files={"file": ("rb.txt", b"abc")})
    assert missing.status_code == 401 and missing.json()["error"] == "token not specified"


@pytest.mark.parametrize("key", ["../escape.txt", "/abs/path", "a\\..\\b", "%2e%2e/x", "a//b", ""])
def test_hostile_keys_round_trip(server, sdk, bucket_manager, key):
    ret, info = put(sdk, key, b"payload:" + key.encode())
    assert info.status_code == 200, info
    stat, info = bucket_manager.stat("demo-bucket", key)
    assert info.status_code == 200 and stat["fsize"] == len(b"payload:" + key.encode())
    data_root = server.emulator.storage.data_dir.resolve()
    path = server.emulator.storage.stat("demo-bucket", key).path.resolve()
    assert str(path).startswith(str(data_root / "buckets" / "demo-bucket") + os.sep)


def test_reset_and_health(server, sdk):
    put(sdk, "gone.txt", b"x")
    health = requests.get(f"{server.admin_url}/_emulator/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "qhash" in health.json()["ops"]
    assert requests.post(f"{server.admin_url}/_emulator/reset?bucket=demo-bucket", headers=ADMIN_WRITE).status_code == 200
    assert requests.get(f"{server.url}/_io/demo-bucket/gone.txt").status_code == 404


def test_every_response_has_reqid_and_json_errors(server):
    for response in (requests.get(f"{server.url}/no/such/route"),
                     requests.post(f"{server.url}/stat/{b64_encode('demo-bucket:x')}"),
                     requests.get(f"{server.admin_url}/_emulator/health")):
        assert len(response.headers["X-Reqid"]) == 16
    unknown = requests.get(f"{server.url}/no/such/route")
    assert unknown.status_code == 404 and unknown.json()["code"] == 404
    unsigned = requests.post(f"{server.url}/stat/{b64_encode('demo-bucket:x')}")
    assert unsigned.status_code == 401 and unsigned.json() == {"error": "bad token", "code": 401}


def test_lifecycle_days_from_rs_policy_and_saveas(server, sdk, bucket_manager):
    now = time.time()
    put(sdk, "life.txt", b"x")
    assert bucket_manager.delete_after_days("demo-bucket", "life.txt", 3)[1].status_code == 200
    stat, _ = bucket_manager.stat("demo-bucket", "life.txt")
    assert abs(stat["expiration"] - (now + 3 * 86400)) < 60
    ret, info = put(sdk, "policy-life.txt", b"y", deleteAfterDays=7)
    assert info.status_code == 200
    assert abs(bucket_manager.stat("demo-bucket", "policy-life.txt")[0]["expiration"] - (now + 7 * 86400)) < 60
    fop = f"qhash/md5|saveas/{b64_encode('output-bucket:life.json')}/deleteAfterDays/2"
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    ret, info = pfop.execute("life.txt", [fop])
    assert info.status_code == 200, info
    wait_for(lambda: pfop.get_status(ret["persistentId"])[0]["code"] == 0, message="saveas job")
    assert abs(bucket_manager.stat("output-bucket", "life.json")[0]["expiration"] - (now + 2 * 86400)) < 60
    assert bucket_manager.delete_after_days("demo-bucket", "absent.txt", 1)[1].status_code == 612
