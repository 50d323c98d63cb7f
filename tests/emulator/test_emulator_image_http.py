"""Image vectors of spec section 12 over HTTP: through pfop and through download-URL fops."""

from __future__ import annotations

import io

import pytest
import qiniu
import requests
from PIL import Image

from qiniu_emulator.encoding import b64_encode

from support import wait_for

# (fop, expected width, expected height, expected format)
VECTORS = [
    ("imageView2/1/w/200/h/200", 200, 200, "JPEG"),
    ("imageView2/2/w/200", 200, 133, "JPEG"),
    ("imageView2/2/h/200", 300, 200, "JPEG"),
    ("imageView2/2/w/800", 640, 427, "JPEG"),
    ("imageView2/2/format/webp", 640, 427, "WEBP"),
    ("imageView2/2/w/100/format/png", 100, 67, "PNG"),
    ("imageMogr2/thumbnail/!75p", 480, 320, "JPEG"),
    ("imageMogr2/thumbnail/!x75p", 640, 320, "JPEG"),
    ("imageMogr2/thumbnail/700x", 700, 467, "JPEG"),
    ("imageMogr2/thumbnail/300x300", 300, 200, "JPEG"),
    ("imageMogr2/thumbnail/200x300!", 200, 300, "JPEG"),
    ("imageMogr2/thumbnail/200x300>", 200, 133, "JPEG"),
    ("imageMogr2/crop/300x", 300, 427, "JPEG"),
    ("imageMogr2/crop/!300x300a30-100", 300, 200, "JPEG"),
    ("imageMogr2/rotate/90", 427, 640, "JPEG"),
    ("imageView2/2/w/300|imageMogr2/format/gif", 300, 200, "GIF"),
]


@pytest.fixture(scope="module")
def server(module_emulator):
    """One server for the module: its tests read the same photo and save under keys of their own."""
    return module_emulator()


@pytest.fixture
def photo(server, sdk):
    data = io.BytesIO()
    Image.new("RGB", (640, 427), (40, 120, 200)).save(data, "JPEG", quality=90)
    ret, info = qiniu.put_data(sdk.upload_token("demo-bucket", "gopher.jpg"), "gopher.jpg", data.getvalue())
    assert info.status_code == 200, info
    return "gopher.jpg"


def assert_image(content: bytes, width: int, height: int, fmt: str) -> None:
    with Image.open(io.BytesIO(content)) as image:
        assert (image.width, image.height, image.format) == (width, height, fmt)


@pytest.mark.parametrize("fop, width, height, fmt", VECTORS)
def test_vector_through_download_url(server, photo, fop, width, height, fmt):
    response = requests.get(f"{server.url}/_io/demo-bucket/{photo}?{fop}")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == f"image/{fmt.lower()}"
    assert_image(response.content, width, height, fmt)


@pytest.mark.parametrize("fop, width, height, fmt", VECTORS)
def test_vector_through_pfop(server, sdk, photo, fop, width, height, fmt):
    key = f"vectors/{b64_encode(fop)}"
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    ret, info = pfop.execute(photo, [f"{fop}|saveas/{b64_encode('output-bucket:' + key)}"])
    assert info.status_code == 200, info
    status = wait_for(lambda: (s := pfop.get_status(ret["persistentId"])[0])["code"] not in (1, 2) and s,
                      message="image job")
    assert status["code"] == 0, status
    stored = requests.get(f"{server.url}/_io/output-bucket/{key}")
    assert stored.headers["Content-Type"] == f"image/{fmt.lower()}"
    assert_image(stored.content, width, height, fmt)


def test_image_info_after_a_pipe_and_bad_input(server, photo):
    info = requests.get(f"{server.url}/_io/demo-bucket/{photo}?imageView2/2/w/200|imageInfo")
    assert info.status_code == 200
    assert {k: info.json()[k] for k in ("format", "width", "height")} == {"format": "jpeg", "width": 200, "height": 133}
    bad = requests.get(f"{server.url}/_io/demo-bucket/{photo}?imageView2/9/w/200")
    assert bad.status_code == 400 and "mode" in bad.json()["error"]
    zero = requests.get(f"{server.url}/_io/demo-bucket/{photo}?imageView2/2/w/0")
    assert zero.status_code == 400
