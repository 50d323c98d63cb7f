"""Auth.sync_saveas_url against the emulator: the result is answered and stored; the sign is checked."""

from __future__ import annotations

import io

import requests
from PIL import Image

import qiniu_fop
from qiniu_fop import Auth, BucketManager, download_url, put_data

from support import ACCESS_KEY, SECRET_KEY

VECTOR_K = ("http://127.0.0.1:9100/hello.jpg?imageView2/1/w/100/h/100|saveas/"
            "ZGVtby1idWNrZXQ6dGh1bWIvaGVsbG8tMTAwLmpwZw==/sign/MockAccessKey123:TRS52Xu2CFln15pCR01MKa9MjRI=")


def test_the_url_is_docs_wire_vector_k():
    auth = Auth("MockAccessKey123", "MockSecretKey456")
    url = auth.sync_saveas_url("http://127.0.0.1:9100/hello.jpg", "imageView2/1/w/100/h/100",
                               "demo-bucket", "thumb/hello-100.jpg")
    assert url == VECTOR_K  # docs/wire.md §4.7


def jpeg(size=(200, 100)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "JPEG")
    return buffer.getvalue()


def setup(server, bucket: str = "demo-bucket"):
    config = qiniu_fop.Config.for_url(server.url)
    auth = Auth(ACCESS_KEY, SECRET_KEY)
    assert put_data(auth.upload_token(bucket, "photo.jpg"), "photo.jpg", jpeg(), config=config)[1].ok()
    domains, info = BucketManager(auth, config=config).domains(bucket)
    assert info.ok(), info
    # The path-style domain comes first: the one Python can reach (*.localhost does not resolve).
    assert domains[0] == f"{server.url.split('://')[1]}/_io/{bucket}"
    return auth, config, domains[0]


def test_a_signed_saveas_answers_and_stores_the_result(server):
    auth, config, domain = setup(server)
    url = auth.sync_saveas_url(download_url(domain, "photo.jpg"), "imageView2/2/w/50", "output-bucket", "t/photo.jpg")
    answer = requests.get(url)
    assert answer.status_code == 200, answer.text
    stat, info = BucketManager(auth, config=config).stat("output-bucket", "t/photo.jpg")
    assert info.ok() and answer.json() == {"key": "t/photo.jpg", "hash": stat["hash"]}
    stored = requests.get(download_url(domain.replace("demo-bucket", "output-bucket"), "t/photo.jpg"))
    assert Image.open(io.BytesIO(stored.content)).size == (50, 25)


def test_a_sign_by_another_secret_is_refused(server):
    _, _, domain = setup(server)
    forged = Auth(ACCESS_KEY, "guessed").sync_saveas_url(download_url(domain, "photo.jpg"), "imageView2/2/w/50",
                                                         "output-bucket", "forged.jpg")
    assert requests.get(forged).status_code == 401


def test_a_private_object_needs_the_download_token_as_well(server):
    auth, config, domain = setup(server)
    manager = BucketManager(auth, config=config)
    assert requests.post(f"{server.url}/private", data={"bucket": "demo-bucket", "private": "1"},
                         auth=qiniu_fop.QBoxRequestsAuth(auth)).status_code == 200
    saveas = auth.sync_saveas_url(download_url(domain, "photo.jpg"), "imageView2/2/w/40", "output-bucket", "p.jpg")
    assert requests.get(saveas).status_code == 401
    answer = requests.get(auth.private_download_url(saveas))
    assert answer.status_code == 200, answer.text
    assert manager.stat("output-bucket", "p.jpg")[1].ok()
