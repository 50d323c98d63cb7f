"""The official browser SDK, qiniu-js 3.4 (pinned in package-lock.json), in Debian's chromium
with its CORS checks on: a page on another loopback origin uploads (form, and resumable v2
with Content-MD5), reads imageInfo and exif, fetches fop URLs, and is refused by a bucket
whose CORS rules leave it out.

Needs node/npm (``npm ci`` installs qiniu-js into tests/browser/node_modules) and
chromium with chromedriver; without them it skips and says how to get them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import pytest
import qiniu
import requests
from PIL import Image
from page_server import PageServer, run_page
from readme_snippets import snippet
from support import ACCESS_KEY, SECRET_KEY, npm_install
from ui.ui_support import browser_session

pytestmark = pytest.mark.timeout(300)

HERE = Path(__file__).parent
BIG = 5 * 1024 * 1024 + 123  # over one 4 MiB chunk: qiniu-js uploads it in v2 parts
MAKE = "EmulatorCam"
UNPKG = "https://unpkg.com/qiniu-js@3.4.4/dist/qiniu.min.js"


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def sdk_file() -> Path:
    problem = npm_install(HERE, "qiniu-js")
    if problem:
        unavailable(problem)
    return HERE / "node_modules" / "qiniu-js" / "dist" / "qiniu.min.js"


@pytest.fixture(scope="module")
def driver():
    with browser_session() as driver:
        yield driver


def photo() -> bytes:
    image = Image.new("RGB", (320, 240), (40, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = MAKE  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def set_rules(server, bucket: str, rules: list) -> None:
    url = f"{server.url}/corsRules/set/{bucket}"
    token = qiniu.Auth(ACCESS_KEY, SECRET_KEY).token_of_request(url)
    answer = requests.post(url, data=json.dumps(rules), headers={"Authorization": f"QBox {token}",
                                                                  "Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 200, answer.text


def write_page(directory: Path, sdk_file: Path, settings: dict) -> None:
    shutil.copy(sdk_file, directory / "qiniu.min.js")
    shutil.copy(HERE / "page.js", directory / "page.js")
    (directory / "photo.jpg").write_bytes(photo())
    (directory / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>qiniu-js</title>"
        f"<script type=application/json id=settings>{json.dumps(settings)}</script>"
        "<script src=qiniu.min.js></script><script src=page.js></script>", encoding="utf-8")


def test_qiniu_js_from_another_origin(start_emulator, sdk_file, driver, tmp_path):
    server = start_emulator(buckets=["demo-bucket", "strict-bucket"])
    host = server.url.removeprefix("http://")
    set_rules(server, "strict-bucket", [{"allowed_origin": ["http://elsewhere.example"], "allowed_method": ["GET"]}])
    form = requests.post(f"{server.url}/", files={"file": ("photo.jpg", photo(), "image/jpeg")}, timeout=10,
                         data={"token": qiniu.Auth(ACCESS_KEY, SECRET_KEY).upload_token("strict-bucket"),
                               "key": "photo.jpg"})
    assert form.status_code == 200
    settings = {"uphost": host, "token": qiniu.Auth(ACCESS_KEY, SECRET_KEY).upload_token("demo-bucket", expires=3600),
                "domain": f"{server.url}/_io/demo-bucket", "refusedDomain": f"{server.url}/_io/strict-bucket",
                "bigSize": BIG, "width": 320, "height": 240, "make": MAKE}
    write_page(tmp_path, sdk_file, settings)
    with PageServer(tmp_path) as page:
        results = run_page(driver, page, timeout=180)
    failed = [f"{r['step']}: {r['detail']}" for r in results if not r["ok"]]
    assert not failed, "\n".join(failed)
    assert len(results) == 9
    big = requests.get(f"{server.url}/_io/demo-bucket/big.bin", timeout=30).content
    assert len(big) == BIG and hashlib.sha1(big).digest() == hashlib.sha1(bytes((i * 31) & 0xFF for i in range(BIG))).digest()
    paths = [(r.method, r.path) for r in server.emulator.requests.recent(1000)]
    assert any(method == "PUT" and "/uploads/" in path for method, path in paths)  # v2 parts, not v1 blocks
    assert not any(path.startswith("/mkblk") for _, path in paths)


def test_the_readme_page_uploads_from_the_browser(server, sdk_file, driver, tmp_path):
    """The README's page, as written but for the emulator's address and a local copy of qiniu-js."""
    html = snippet("browser-page").on(server.url).replace(UNPKG, "qiniu.min.js")
    assert html != snippet("browser-page").text and "qiniu.min.js" in html
    shutil.copy(sdk_file, tmp_path / "qiniu.min.js")
    (tmp_path / "index.html").write_text(html, encoding="utf-8")
    token = qiniu.Auth(ACCESS_KEY, SECRET_KEY).upload_token("demo-bucket", expires=3600)
    with PageServer(tmp_path) as page:
        try:
            driver.get(f"{page.origin}/index.html")
            key = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "uploadFile(new File(['from the README'], 'readme.txt'), 'readme.txt', arguments[0])"
                ".then(answer => done(answer.key), err => done('failed: ' + (err.message || err)));", token)
        finally:
            driver.get("about:blank")
    assert key == "readme.txt"
    assert requests.get(f"{server.url}/_io/demo-bucket/readme.txt", timeout=10).content == b"from the README"
