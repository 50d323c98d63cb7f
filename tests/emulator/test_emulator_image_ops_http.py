"""roundPic, imageslim and HEIC over HTTP: download-URL fops and pfop against a real server."""

from __future__ import annotations

import io

import pillow_heif
import pytest
import qiniu
import requests
from PIL import Image

from qiniu_emulator.encoding import b64_encode

from support import wait_for

pillow_heif.register_heif_opener()


def upload(sdk, key: str, data: bytes, bucket: str = "demo-bucket") -> None:
    ret, info = qiniu.put_data(sdk.upload_token(bucket, key), key, data)
    assert info.status_code == 200, info


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def run_pfop(sdk, key: str, fops: str) -> dict:
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    ret, info = pfop.execute(key, [fops])
    assert info.status_code == 200, info
    return wait_for(lambda: (s := pfop.get_status(ret["persistentId"])[0])["code"] not in (1, 2) and s,
                    message="image job")


@pytest.fixture
def photo(sdk):
    noisy = Image.effect_noise((320, 200), 40).convert("RGB")
    upload(sdk, "round/photo.jpg", encoded(noisy, "JPEG", quality=97))
    return "round/photo.jpg"


def test_round_pic_on_a_download_url(server, photo):
    response = requests.get(f"{server.url}/_io/demo-bucket/{photo}?roundPic/radius/30")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "image/png"
    alpha = Image.open(io.BytesIO(response.content)).getchannel("A")
    assert (alpha.getpixel((0, 0)), alpha.getpixel((319, 199)), alpha.getpixel((160, 100))) == (0, 0, 255)


def test_round_pic_parameter_mistakes_are_a_400(server, photo):
    response = requests.get(f"{server.url}/_io/demo-bucket/{photo}?roundPic/radiusx/30")
    assert response.status_code == 400
    assert "radiusx and radiusy go together" in response.json()["error"]


def test_round_pic_in_a_pfop_pipeline(server, sdk, photo):
    saveas = b64_encode("output-bucket:round/avatar.png")
    status = run_pfop(sdk, photo, f"imageView2/1/w/120/h/120|roundPic/radius/!50p|saveas/{saveas}")
    assert status["code"] == 0, status
    stored = requests.get(f"{server.url}/_io/output-bucket/round/avatar.png")
    assert stored.headers["Content-Type"] == "image/png"
    alpha = Image.open(io.BytesIO(stored.content)).getchannel("A")
    assert alpha.size == (120, 120) and alpha.getpixel((0, 0)) == 0 and alpha.getpixel((60, 60)) == 255


def test_imageslim_on_a_download_url_is_smaller_and_the_same_size(server, photo):
    original = requests.get(f"{server.url}/_io/demo-bucket/{photo}").content
    response = requests.get(f"{server.url}/_io/demo-bucket/{photo}?imageslim")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
    assert len(response.content) < len(original)
    assert Image.open(io.BytesIO(response.content)).size == (320, 200)


def test_heic_upload_is_read_and_heic_output_is_stored(server, sdk):
    gradient = Image.linear_gradient("L").resize((400, 300)).convert("RGB")
    upload(sdk, "ios/IMG_0001.HEIC", encoded(gradient, "HEIF", quality=80))
    thumb = requests.get(f"{server.url}/_io/demo-bucket/ios/IMG_0001.HEIC?imageView2/2/w/200/format/jpg")
    assert thumb.status_code == 200, thumb.text
    assert Image.open(io.BytesIO(thumb.content)).size == (200, 150)
    saveas = b64_encode("output-bucket:ios/small.heic")
    status = run_pfop(sdk, "ios/IMG_0001.HEIC", f"imageMogr2/thumbnail/100x/format/heic|saveas/{saveas}")
    assert status["code"] == 0, status
    stored = requests.get(f"{server.url}/_io/output-bucket/ios/small.heic")
    assert stored.headers["Content-Type"] == "image/heic"
    image = Image.open(io.BytesIO(stored.content))
    assert (image.format, image.size) == ("HEIF", (100, 75))
