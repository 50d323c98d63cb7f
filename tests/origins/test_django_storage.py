"""django-qiniu-storage (Django 3.2) as a Django app uses it, against the emulator.

The package builds every download URL as ``urljoin("http://" + QINIU_BUCKET_DOMAIN, name)``,
so its domain must be a plain host: the bucket's own port. It uploads and manages objects
through the official ``qiniu`` SDK, whose process-wide hosts the ``sdk`` fixture points at
the emulator. It reads its QINIU_* settings (environment first, then Django settings) when
``qiniustorage.backends`` is imported, so the test imports it afresh under its settings."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys

import pytest
import requests
from PIL import Image
from readme_snippets import snippet
from support import ACCESS_KEY, SECRET_KEY

from qiniu_emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

INSTALL = "pip install -e '.[test]' (Django 3.2 and django-qiniu-storage)"
django = pytest.importorskip("django", reason=f"Django is not installed: {INSTALL}")
pytest.importorskip("qiniustorage", reason=f"django-qiniu-storage is not installed: {INSTALL}")

from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.test import override_settings  # noqa: E402

QINIU_SETTINGS = ("QINIU_ACCESS_KEY", "QINIU_SECRET_KEY", "QINIU_BUCKET_NAME", "QINIU_BUCKET_DOMAIN",
                  "QINIU_SECURE_URL")


@pytest.fixture
def storage(server, sdk, monkeypatch):
    """Django's ``default_storage`` as a QiniuStorage on demo-bucket, its domain the bucket's port."""
    for name in QINIU_SETTINGS:  # the package prefers these environment variables to settings
        monkeypatch.delenv(name, raising=False)
    if not settings.configured:
        settings.configure(INSTALLED_APPS=[], USE_TZ=True)
        django.setup()
    domain = f"127.0.0.1:{server.emulator.bucket_ports.port_of('demo-bucket')}"
    with override_settings(QINIU_ACCESS_KEY=ACCESS_KEY, QINIU_SECRET_KEY=SECRET_KEY,
                           QINIU_BUCKET_NAME="demo-bucket", QINIU_BUCKET_DOMAIN=domain, QINIU_SECURE_URL=False,
                           DEFAULT_FILE_STORAGE="qiniustorage.backends.QiniuStorage"):
        sys.modules.pop("qiniustorage.backends", None)
        importlib.import_module("qiniustorage.backends")
        from django.core.files.storage import default_storage
        yield default_storage
    sys.modules.pop("qiniustorage.backends", None)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(out, "PNG")
    return out.getvalue()


def test_save_exists_size_url_delete_through_default_storage(server, storage):
    data = b"uploaded by a Django app\n" * 40
    name = storage.save("uploads/2026/report.txt", ContentFile(data))
    assert name == "uploads/2026/report.txt"
    assert type(storage._wrapped).__name__ == "QiniuStorage"
    assert storage.exists(name) and not storage.exists("uploads/2026/missing.txt")
    assert storage.size(name) == len(data)
    port = server.emulator.bucket_ports.port_of("demo-bucket")
    assert storage.url(name) == f"http://127.0.0.1:{port}/uploads/2026/report.txt"
    got = requests.get(storage.url(name), timeout=10)
    assert got.status_code == 200 and got.content == data
    with storage.open(name, "rb") as opened:  # the package reads through url() too
        assert opened.read() == data
    storage.delete(name)
    assert not storage.exists(name)
    assert requests.get(storage.url(name), timeout=10).status_code == 404


def test_an_image_fop_on_the_url_django_gives(storage):
    name = storage.save("avatars/me.png", ContentFile(png()))
    info = requests.get(storage.url(name) + "?imageInfo", timeout=30)
    assert info.status_code == 200, info.text
    assert (info.json()["width"], info.json()["height"], info.json()["format"]) == (64, 48, "png")
    thumb = requests.get(storage.url(name) + "?imageView2/2/w/32", timeout=30)
    assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.content)).size == (32, 24)


def test_listdir_and_writing_through_open(storage):
    for name in ("media/a.txt", "media/b.txt", "media/sub/c.txt", "other/d.txt"):
        storage.save(name, ContentFile(name.encode()))
    dirs, files = storage.listdir("media")
    assert (sorted(dirs), sorted(files)) == (["sub"], ["a.txt", "b.txt"])
    with storage.open("media/written.txt", "wb") as handle:  # QiniuFile uploads on close
        handle.write(b"written through a file handle")
    assert requests.get(storage.url("media/written.txt"), timeout=10).content == b"written through a file handle"


def test_a_private_bucket_with_the_private_storage(server, sdk, storage):
    from qiniustorage.backends import QiniuPrivateStorage

    storage.save("secret/plan.txt", ContentFile(b"private bytes"))
    url = f"{server.url}/private?bucket=demo-bucket&private=1"
    made = requests.post(url, headers={"Authorization": f"QBox {sdk.token_of_request(url)}"}, timeout=10)
    assert made.status_code == 200, made.text
    assert requests.get(storage.url("secret/plan.txt"), timeout=10).status_code == 401
    signed = QiniuPrivateStorage(bucket_domain=storage.bucket_domain).url("secret/plan.txt")
    assert signed.startswith(storage.url("secret/plan.txt") + "?e=") and "&token=" in signed
    assert requests.get(signed, timeout=10).content == b"private bytes"


def test_the_path_style_domain_loses_the_bucket_in_this_client(server, storage):
    """Why the bucket's own port is the domain to give it: urljoin drops the /_io/<bucket> path."""
    from qiniustorage.backends import QiniuStorage

    path_style = QiniuStorage(bucket_domain=f"{server.url.removeprefix('http://')}/_io/demo-bucket")
    assert path_style.url("a.txt") == f"{server.url}/_io/a.txt"


APP = """
import django, requests
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
name = default_storage.save("notes/hello.txt", ContentFile(b"hello from settings.py"))
assert default_storage.exists(name) and default_storage.size(name) == 22
print(default_storage.url(name))
assert requests.get(default_storage.url(name), timeout=10).content == b"hello from settings.py"
default_storage.delete(name)
assert not default_storage.exists(name)
"""


def test_the_readme_settings_as_a_django_project(start_emulator, tmp_path):
    server = start_emulator(accounts=[(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)], buckets=["demo-bucket"])
    port = server.emulator.bucket_ports.port_of("demo-bucket")
    text = snippet("django-settings").on(server.url).replace("127.0.0.1:9010", f"127.0.0.1:{port}")
    (tmp_path / "settings.py").write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINIU_")}
    done = subprocess.run([sys.executable, "-c", APP], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**env, "DJANGO_SETTINGS_MODULE": "settings", "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"http://127.0.0.1:{port}/notes/hello.txt"
