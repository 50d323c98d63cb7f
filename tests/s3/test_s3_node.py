"""The AWS SDK for JavaScript v3 (pinned in node/package-lock.json) against the S3 door: the README's
snippet as written, and a round trip with a pfop through the official Python SDK between.

The test installs the pinned packages with `npm ci` into tests/s3/node/node_modules; without node
and npm it skips and says why (CI, with QINIU_REQUIRE_NODE=1, fails instead).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from readme_snippets import snippet
from support import ACCESS_KEY, SECRET_KEY, npm_install

from s3_clients import image_size, jpeg, pfop_thumbnail
from qiniu_emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

HERE = Path(__file__).parent / "node"
BUCKET = "demo-bucket"


@pytest.fixture(scope="module")
def node() -> str:
    problem = npm_install(HERE, "@aws-sdk/client-s3")
    if problem:
        if os.environ.get("QINIU_REQUIRE_NODE") == "1":
            pytest.fail(f"the AWS SDK for JavaScript test must run here: {problem}")
        pytest.skip(problem)
    return shutil.which("node") or "node"


def step(node: str, server, *args: str) -> dict:
    env = {**os.environ, "S3_ENDPOINT": server.s3_url, "AK": ACCESS_KEY, "SK": SECRET_KEY, "BUCKET": BUCKET}
    done = subprocess.run([node, "steps.js", *args], cwd=HERE, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_put_pfop_get_and_a_presigned_put(node, server, sdk, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg())
    assert step(node, server, "put", "js/photo.jpg", str(photo))["etag"].startswith('"')
    pfop_thumbnail(server, sdk, BUCKET, "js/photo.jpg", "js/thumb.jpg", width=16)
    out = tmp_path / "thumb.jpg"
    assert step(node, server, "get", "js/thumb.jpg", str(out))["type"] == "image/jpeg"
    assert image_size(out.read_bytes()) == (16, 12)
    url = step(node, server, "presign-put", "js/presigned.txt")["url"]
    assert requests.put(url, data=b"presigned", timeout=10).status_code == 200
    assert step(node, server, "list", "js/")["keys"] == ["js/photo.jpg", "js/presigned.txt", "js/thumb.jpg"]


def test_the_readme_snippet(node, start_emulator, tmp_path):
    server = start_emulator(accounts=[(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)], buckets=["demo-bucket"])
    script = snippet("s3-js").text.replace("127.0.0.1:9003", server.s3_url.split("://", 1)[1])
    path = tmp_path / "readme.js"
    path.write_text(script)
    done = subprocess.run([node, str(path)], env={**os.environ, "NODE_PATH": str(HERE / "node_modules")},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text, url = done.stdout.strip().splitlines()
    assert text == "hello from js" and requests.get(url, timeout=5).content == b"hello from js"
