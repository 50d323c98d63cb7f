"""mkzip and concat through pfop against a real server: own URLs, private buckets, saveas."""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import quote

import pytest
import qiniu
import requests

from qiniu_emulator.encoding import b64_encode, etag_of_bytes

from support import wait_for


def upload(sdk, key: str, data: bytes, bucket: str = "demo-bucket") -> None:
    ret, info = qiniu.put_data(sdk.upload_token(bucket, key), key, data)
    assert info.status_code == 200, info


def run_pfop(sdk, key: str, fops: str, bucket: str = "demo-bucket") -> dict:
    pfop = qiniu.PersistentFop(sdk, bucket)
    ret, info = pfop.execute(key, [fops])
    assert info.status_code == 200, info
    return wait_for(lambda: (s := pfop.get_status(ret["persistentId"])[0])["code"] not in (1, 2) and s,
                    message="archive job")


def own_url(server, key: str, bucket: str = "demo-bucket") -> str:
    return f"{server.url}/_io/{bucket}/{quote(key)}"


def entry(url: str, alias: str | None = None) -> str:
    return f"url/{b64_encode(url)}" + (f"/alias/{b64_encode(alias)}" if alias else "")


def stored_zip(server, bucket: str, key: str, encoding: str | None = None) -> dict[str, bytes]:
    response = requests.get(own_url(server, key, bucket))
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content), metadata_encoding=encoding) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def photos(server, sdk):
    upload(sdk, "album/a.jpg", b"first photo")
    upload(sdk, "album/照片 2.jpg", b"second photo")
    return [own_url(server, "album/a.jpg"), own_url(server, "album/照片 2.jpg")]


def test_mkzip_mode_2_stores_the_zip_at_its_saveas(server, sdk, photos):
    saveas = b64_encode("output-bucket:zips/album.zip")
    status = run_pfop(sdk, "album/a.jpg", f"mkzip/2/{entry(photos[0])}/{entry(photos[1], '相册/2.jpg')}"
                                          f"|saveas/{saveas}")
    assert status["code"] == 0, status
    assert status["items"][0]["key"] == "zips/album.zip"
    assert stored_zip(server, "output-bucket", "zips/album.zip") == {
        "a.jpg": b"first photo", "相册/2.jpg": b"second photo"}


def test_mkzip_mode_4_reads_the_index_file_that_is_the_pfop_key(server, sdk, photos):
    index = "\n".join(f"/{entry(url)}" for url in photos) + "\n"
    upload(sdk, "album/index.txt", index.encode())
    saveas = b64_encode("output-bucket:zips/indexed.zip")
    status = run_pfop(sdk, "album/index.txt", f"mkzip/4/encoding/{b64_encode('gbk')}|saveas/{saveas}")
    assert status["code"] == 0, status
    assert stored_zip(server, "output-bucket", "zips/indexed.zip", encoding="gbk") == {
        "a.jpg": b"first photo", "照片 2.jpg": b"second photo"}


def test_without_saveas_the_zip_is_stored_under_its_own_hash(server, sdk, photos):
    status = run_pfop(sdk, "album/a.jpg", f"mkzip/2/{entry(photos[0])}")
    [item] = status["items"]
    assert item["code"] == 0 and item["key"] == item["hash"]
    stored = requests.get(own_url(server, item["key"]))
    assert etag_of_bytes(stored.content) == item["hash"]


def test_a_missing_url_fails_the_item_naming_it_and_stores_nothing(server, sdk, photos):
    missing = own_url(server, "album/missing.jpg")
    saveas = b64_encode("output-bucket:zips/broken.zip")
    status = run_pfop(sdk, "album/a.jpg", f"mkzip/2/{entry(photos[0])}/{entry(missing)}|saveas/{saveas}")
    [item] = status["items"]
    assert status["code"] == 3 and item["code"] == 3 and item["errorIndex"] == 0
    assert item["error"].startswith(f"execute fop cmd failed: failed to GET {missing}")
    assert requests.get(own_url(server, "zips/broken.zip", "output-bucket")).status_code == 404


def test_a_private_bucket_url_needs_its_download_token(server, sdk):
    manager = qiniu.BucketManager(sdk)
    assert manager.mkbucketv3("private-files", "z0")[1].status_code == 200
    assert manager.change_bucket_permission("private-files", 1)[1].status_code == 200
    upload(sdk, "secret.txt", b"classified", bucket="private-files")
    url = own_url(server, "secret.txt", "private-files")
    refused = run_pfop(sdk, "secret.txt", f"mkzip/2/{entry(url)}", bucket="private-files")
    assert refused["items"][0]["error"] == (f"execute fop cmd failed: failed to GET {url}: "
                                            "401 download token not specified")
    signed = sdk.private_download_url(url, expires=600)
    saveas = b64_encode("private-files:secret.zip")
    allowed = run_pfop(sdk, "secret.txt", f"mkzip/2/{entry(signed, 'secret.txt')}|saveas/{saveas}",
                       bucket="private-files")
    assert allowed["code"] == 0, allowed
    zipped = requests.get(sdk.private_download_url(own_url(server, "secret.zip", "private-files")))
    assert zipfile.ZipFile(io.BytesIO(zipped.content)).read("secret.txt") == b"classified"


def test_mkzip_is_refused_on_a_download_url_and_bad_commands_at_submit(server, sdk, photos):
    sync = requests.get(f"{photos[0]}?mkzip/2/{entry(photos[0])}")
    assert sync.status_code == 400 and "only available through pfop" in sync.json()["error"]
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("album/a.jpg", ["mkzip/3"])
    assert info.status_code == 400
    assert "mkzip mode must be 2" in json.loads(info.text_body)["error"]


def test_concat_joins_the_source_and_the_urls_with_the_given_mime(server, sdk):
    for name, text in (("a.txt", b"A\n"), ("b.txt", b"B\n"), ("c.txt", b"C\n")):
        upload(sdk, f"parts/{name}", text)
    urls = "/".join(b64_encode(own_url(server, f"parts/{name}")) for name in ("b.txt", "c.txt"))
    saveas = b64_encode("output-bucket:parts/all.txt")
    status = run_pfop(sdk, "parts/a.txt", f"concat/mimeType/{b64_encode('text/plain')}/{urls}|saveas/{saveas}")
    assert status["code"] == 0, status
    joined = requests.get(own_url(server, "parts/all.txt", "output-bucket"))
    assert joined.content == b"A\nB\nC\n" and joined.headers["Content-Type"].startswith("text/plain")
