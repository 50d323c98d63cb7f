"""Inputs that once hurt the emulator: each must give a clear answer and leave data intact."""

from __future__ import annotations

import io
import os

import qiniu
import requests
from PIL import Image

from qiniu_emulator.encoding import b64_encode, etag_of_bytes

from support import wait_for


def put(sdk, key: str, data: bytes, **policy):
    return qiniu.put_data(sdk.upload_token("demo-bucket", key, 3600, policy or None), key, data)


def noisy_png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(out, "PNG")
    return out.getvalue()


def finished(sdk, persistent_id: str) -> dict:
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    return wait_for(lambda: (s := pfop.get_status(persistent_id)[0])["code"] not in (1, 2) and s,
                    message=f"job {persistent_id}")


def test_a_pass_through_result_never_moves_the_source(server, sdk):
    data = noisy_png()
    put(sdk, "keep.png", data)
    # size-limit with "!" that cannot be met returns the source unchanged
    fop = f"imageMogr2/format/png/size-limit/1k!|saveas/{b64_encode('output-bucket:kept.png')}"
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("keep.png", [fop])
    assert info.status_code == 200, info
    assert finished(sdk, ret["persistentId"])["code"] == 0
    source = requests.get(f"{server.url}/_io/demo-bucket/keep.png")
    assert source.status_code == 200 and source.content == data
    assert requests.get(f"{server.url}/_io/output-bucket/kept.png").content == data


def test_sync_fops_leave_no_scratch_files(server, sdk):
    put(sdk, "scratch.png", noisy_png())
    tmp = server.emulator.storage.tmp_dir
    before = set(os.listdir(tmp))
    for fop in ("imageView2/2/w/50", "imageInfo", "imageMogr2/format/png/size-limit/1k!"):
        response = requests.get(f"{server.url}/_io/demo-bucket/scratch.png?{fop}")
        assert response.status_code == 200 and response.content
    assert set(os.listdir(tmp)) == before


def test_bad_notify_urls_are_400_and_upload_stores_nothing(server, sdk):
    put(sdk, "n.txt", b"x")
    pfop = qiniu.PersistentFop(sdk, "demo-bucket", notify_url="http://[::1")
    ret, info = pfop.execute("n.txt", ["qhash/md5"])
    assert info.status_code == 400 and "notifyURL" in info.text_body
    ret, info = put(sdk, "never.txt", b"x", persistentOps="qhash/md5", persistentNotifyUrl="ftp://example/x")
    assert info.status_code == 400
    assert requests.get(f"{server.url}/_io/demo-bucket/never.txt").status_code == 404


def test_control_characters_in_a_mime_type_are_refused(server, sdk):
    put(sdk, "m.txt", b"x")
    ret, info = qiniu.BucketManager(sdk).change_mime("demo-bucket", "m.txt", "text/plain\n\x00")
    assert info.status_code == 400
    response = requests.get(f"{server.url}/_io/demo-bucket/m.txt")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")


def test_the_empty_key_is_a_real_key_for_pfop(server, sdk):
    ret, info = put(sdk, "", b"empty-key object")
    assert info.status_code == 200 and ret["key"] == ""
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("", ["qhash/md5"])
    assert info.status_code == 200, info
    status = finished(sdk, ret["persistentId"])
    assert status["code"] == 0 and status["inputKey"] == ""


def test_saveas_with_save_key_on_a_download_url(server, sdk):
    put(sdk, "sk.txt", b"hello")
    host = server.url.removeprefix("http://")
    fop = f"qhash/md5|saveas/{b64_encode('output-bucket')}/saveKey/{b64_encode('hashes/$(etag).json')}"
    sign = sdk.token(f"{host}/_io/demo-bucket/sk.txt?{fop}".encode())
    saved = requests.get(f"{server.url}/_io/demo-bucket/sk.txt?{fop}/sign/{sign}")
    assert saved.status_code == 200, saved.text
    body = requests.get(f"{server.url}/_io/output-bucket/{saved.json()['key']}").content
    assert saved.json()["key"] == f"hashes/{etag_of_bytes(body)}.json"
