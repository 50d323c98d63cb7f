"""Storage contracts: form and resumable uploads, stat, list, delete, and the etag.

Every test runs through both clients (``contract_client``); keys carry the client's
name so the two runs never share an object.
"""

from __future__ import annotations

import os
import time

import pytest
from qiniu_fop import qetag, qetag_file

from .clients import ContractClient, download
from .targets import Target

HELLO_WORLD_ETAG = "FiqubDXJT8-0FdvpX0CLnOke6Ebt"  # spec §10 vector for b"hello world"
FOUR_MIB = 4 * 1024 * 1024
# Above both clients' resumable thresholds (ours 4 MiB, the official SDK 8 MiB), and
# not a multiple of 4 MiB so the last block is short.
RESUMABLE_SIZE = 9 * 1024 * 1024 + 321


def key_for(target: Target, client: ContractClient, name: str) -> str:
    return target.key(f"storage/{client.name}/{name}")


def put(client: ContractClient, target: Target, key: str, data: bytes) -> dict:
    reply = client.put_data(target.bucket, key, data)
    assert reply.status == 200, f"upload {key}: {reply.status} {reply.text}"
    return reply.ret


@pytest.mark.parametrize("size", [11, FOUR_MIB + 1], ids=["11-bytes", "4MiB-plus-1"])
def test_form_upload_returns_key_and_local_qetag(contract_client, qiniu_target, size):
    data = (bytes(range(256)) * (size // 256 + 1))[:size]
    key = key_for(qiniu_target, contract_client, f"form-{len(data)}.bin")
    ret = put(contract_client, qiniu_target, key, data)
    assert ret["key"] == key
    assert ret["hash"] == qetag(data)
    # Single-block etags start with F, multi-block ones with l (spec §10).
    assert ret["hash"][0] == ("F" if len(data) <= FOUR_MIB else "l")
    assert download(qiniu_target, qiniu_target.bucket, key).content == data


def test_known_etag_vector(contract_client, qiniu_target):
    ret = put(contract_client, qiniu_target, key_for(qiniu_target, contract_client, "hello.txt"), b"hello world")
    assert ret["hash"] == HELLO_WORLD_ETAG


def test_resumable_put_file_of_9_mib(contract_client, qiniu_target, tmp_path):
    path = tmp_path / "random.bin"
    path.write_bytes(os.urandom(RESUMABLE_SIZE))
    key = key_for(qiniu_target, contract_client, "resumable.bin")
    reply = contract_client.put_file(qiniu_target.bucket, key, str(path))
    assert reply.status == 200, reply.text
    assert reply.ret["key"] == key
    assert reply.ret["hash"] == qetag_file(path)
    stat = contract_client.stat(qiniu_target.bucket, key)
    assert stat.status == 200, stat.text
    assert stat.ret["fsize"] == RESUMABLE_SIZE and stat.ret["hash"] == reply.ret["hash"]
    assert download(qiniu_target, qiniu_target.bucket, key).content == path.read_bytes()


def test_stat_reports_size_hash_mime_time_and_type(contract_client, qiniu_target):
    key = key_for(qiniu_target, contract_client, "stat.txt")
    before = time.time()
    ret = put(contract_client, qiniu_target, key, b"stat me, please")
    stat = contract_client.stat(qiniu_target.bucket, key)
    assert stat.status == 200, stat.text
    assert stat.ret["fsize"] == len(b"stat me, please")
    assert stat.ret["hash"] == ret["hash"]
    assert isinstance(stat.ret["mimeType"], str) and "/" in stat.ret["mimeType"]
    # putTime counts 100 ns units since the epoch; allow generous clock skew.
    assert abs(stat.ret["putTime"] / 10_000_000 - before) < 3600
    assert stat.ret["type"] in range(5)


def test_list_with_prefix_finds_exactly_the_keys_written(contract_client, qiniu_target):
    prefix = key_for(qiniu_target, contract_client, "list/in/")
    inside = sorted(prefix + name for name in ("a.txt", "b/c.txt", "d.txt"))
    for key in inside:
        put(contract_client, qiniu_target, key, key.encode())
    # Shares the prefix text up to the final "/", so a sloppy match would include it.
    put(contract_client, qiniu_target, prefix.rstrip("/") + "side.txt", b"outside")
    reply, eof = contract_client.list(qiniu_target.bucket, prefix)
    assert reply.status == 200, reply.text
    assert eof
    assert [item["key"] for item in reply.ret["items"]] == inside
    assert {item["key"]: item["hash"] for item in reply.ret["items"]} == {key: qetag(key.encode()) for key in inside}
    assert all(item["fsize"] == len(item["key"].encode()) for item in reply.ret["items"])


def test_list_pages_with_limit_and_marker(contract_client, qiniu_target):
    prefix = key_for(qiniu_target, contract_client, "pages/")
    written = sorted(f"{prefix}{index:02d}" for index in range(5))
    for key in written:
        put(contract_client, qiniu_target, key, b"page")
    seen, marker, pages = [], None, 0
    while True:
        reply, eof = contract_client.list(qiniu_target.bucket, prefix, limit=2, marker=marker)
        assert reply.status == 200, reply.text
        assert len(reply.ret["items"]) <= 2
        seen += [item["key"] for item in reply.ret["items"]]
        pages += 1
        if eof:
            break
        marker = reply.ret["marker"]
        assert pages < 10, "listing never reached the end"
    assert seen == written
    assert pages >= 3


def test_delete_then_stat_is_612(contract_client, qiniu_target):
    key = key_for(qiniu_target, contract_client, "delete-me.txt")
    put(contract_client, qiniu_target, key, b"short-lived")
    deleted = contract_client.delete(qiniu_target.bucket, key)
    assert deleted.status == 200, deleted.text
    stat = contract_client.stat(qiniu_target.bucket, key)
    assert stat.status == 612
    assert stat.error() == "no such file or directory"
    again = contract_client.delete(qiniu_target.bucket, key)
    assert again.status == 612


def test_overwrite_replaces_content_and_etag(contract_client, qiniu_target):
    key = key_for(qiniu_target, contract_client, "overwrite.txt")
    put(contract_client, qiniu_target, key, b"first version")
    ret = put(contract_client, qiniu_target, key, b"second version, longer")
    stat = contract_client.stat(qiniu_target.bucket, key)
    assert stat.ret["hash"] == ret["hash"] == qetag(b"second version, longer")
    assert stat.ret["fsize"] == len(b"second version, longer")


def test_the_bucket_and_its_download_domain_are_listed(contract_client, qiniu_target):
    """``buckets`` and ``list_domains``, as the official SDK names them, in both clients."""
    names, info = contract_client.buckets.buckets()
    assert info.status_code == 200 and qiniu_target.bucket in names, info
    domains, info = contract_client.buckets.list_domains(qiniu_target.bucket)
    assert info.status_code == 200, info
    assert qiniu_target.domain.split("/")[0] in [domain.split("/")[0] for domain in domains]
