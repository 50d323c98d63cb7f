import io

import requests
from PIL import Image

from qiniu_fop import PersistentFop, build_op, op_save


def make_thumbnail(auth, key):
    """The code under test: yours, using qiniu_fop as it would against Qiniu."""
    pfop = PersistentFop(auth, "demo-bucket")
    thumbnail = op_save(build_op("imageView2", "2", w=200), "output-bucket", f"thumbs/{key}")
    ret, info = pfop.execute(key, fops=thumbnail)
    if ret is None:
        raise RuntimeError(f"pfop failed: {info}")
    status, info = pfop.wait(ret["persistentId"], timeout=60)
    return status


def test_my_thumbnailer(qiniu_emulator, qiniu_client):
    photo = io.BytesIO()
    Image.new("RGB", (1600, 1200), "teal").save(photo, "JPEG")
    reply = qiniu_client.put_data("demo-bucket", "photo.jpg", photo.getvalue())
    assert reply.status == 200, reply.text

    status = make_thumbnail(qiniu_client.auth, "photo.jpg")

    assert status["code"] == 0, status
    thumb = requests.get(f"{qiniu_emulator.url}/_io/output-bucket/thumbs/photo.jpg")
    assert Image.open(io.BytesIO(thumb.content)).size == (200, 150)
