"""Every way an op reads another object follows the download rule: a private bucket's
object needs a valid download token in its URL, or (for kodo://) a signed request."""

from __future__ import annotations

import io

import pytest
import requests
from boundary_support import PRIVATE, PUBLIC, private_bucket, video
from PIL import Image
from support import wait_for

from qiniu_emulator.encoding import b64_encode


def own_urls(server) -> list[str]:
    port = server.url.rsplit(":", 1)[1]
    return [f"kodo://{PRIVATE}/secret.png", f"{server.url}/_io/{PRIVATE}/secret.png",
            f"http://{PRIVATE}.localhost:{port}/secret.png", f"http://localhost:{port}/_io/{PRIVATE}/secret.png"]


def watermark(url: str) -> str:
    return f"watermark/1/image/{b64_encode(url)}/gravity/NorthWest/dx/0/dy/0"


@pytest.mark.parametrize("which", range(4))
def test_a_sync_watermark_cannot_read_a_private_object_without_a_token(server, which):
    private_bucket(server)
    url = own_urls(server)[which]
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/base.png?{watermark(url)}", timeout=30)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error.startswith(f"failed to GET {url}") and "401" in error
    assert not answer.headers["Content-Type"].startswith("image/")


def test_a_signed_url_of_the_private_object_is_readable(server, sdk):
    private_bucket(server)
    signed = sdk.private_download_url(f"{server.url}/_io/{PRIVATE}/secret.png", expires=3600)
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/base.png?{watermark(signed)}", timeout=30)
    assert answer.status_code == 200, answer.text
    image = Image.open(io.BytesIO(answer.content)).convert("RGB")
    assert image.getpixel((0, 0)) == (255, 0, 0) and image.getpixel((40, 40)) == (255, 255, 255)


def test_a_public_object_is_readable_by_anyone(server):
    private_bucket(server)
    server.emulator.storage.put_bytes(PUBLIC, "mark.png", _blue(), mime="image/png")
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/base.png?{watermark(f'kodo://{PUBLIC}/mark.png')}",
                          timeout=30)
    assert answer.status_code == 200, answer.text
    assert Image.open(io.BytesIO(answer.content)).convert("RGB").getpixel((0, 0)) == (0, 0, 255)


def _blue() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_disabled_object_of_a_public_bucket_needs_a_token_too(server):
    private_bucket(server)
    storage = server.emulator.storage
    storage.put_bytes(PUBLIC, "off.png", _blue(), mime="image/png")
    storage.change_status(PUBLIC, "off.png", 1)
    url = f"{server.url}/_io/{PUBLIC}/off.png"
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/base.png?{watermark(url)}", timeout=30)
    assert answer.status_code == 400 and "401" in answer.json()["error"]


def pfop(sdk, key: str, fops: str) -> dict:
    import qiniu

    ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute(key, [fops])
    assert info.status_code == 200, info
    return ret


def finished(server, persistent_id: str) -> dict:
    def status():
        body = requests.get(f"{server.url}/status/get/prefop?id={persistent_id}", timeout=10).json()
        return body if body["code"] not in (1, 2) else None

    return wait_for(status, message="job to finish")


def test_a_signed_pfop_may_read_kodo_of_a_private_bucket_but_not_an_unsigned_http_url(server, sdk):
    private_bucket(server)
    kodo = finished(server, pfop(sdk, "base.png", watermark(f"kodo://{PRIVATE}/secret.png"))["persistentId"])
    assert kodo["code"] == 0, kodo
    http_url = f"{server.url}/_io/{PRIVATE}/secret.png"
    job = finished(server, pfop(sdk, "base.png", watermark(http_url))["persistentId"])
    item = job["items"][0]
    assert job["code"] == 3 and item["error"].startswith(f"execute fop cmd failed: failed to GET {http_url}")
    assert "401" in item["error"]


def test_avthumb_watermark_and_avconcat_follow_the_rule(server, sdk, tmp_path):
    private_bucket(server)
    storage = server.emulator.storage
    clip = video(tmp_path / "clip.mp4", 1)
    storage.put_path(PUBLIC, "clip.mp4", clip, mime="video/mp4")
    storage.put_path(PRIVATE, "piece.mp4", clip, mime="video/mp4")
    mark = b64_encode(f"kodo://{PRIVATE}/secret.png")
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/clip.mp4?avthumb/mp4/wmImage/{mark}", timeout=60)
    assert answer.status_code == 400 and "failed to GET kodo://" in answer.json()["error"]
    piece = f"{server.url}/_io/{PRIVATE}/piece.mp4"
    job = finished(server, pfop(sdk, "clip.mp4", f"avconcat/2/format/mp4/{b64_encode(piece)}")["persistentId"])
    assert job["code"] == 3 and f"failed to GET {piece}" in job["items"][0]["error"]
