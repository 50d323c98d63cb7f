"""The AWS CLI v1 (PyPI ``awscli``) against the S3 door: cp, ls, sync, presign, s3api."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import requests
from support import ACCESS_KEY, SECRET_KEY

from s3_clients import image_size, jpeg, pfop_thumbnail

pytest.importorskip("awscli", reason="the AWS CLI is not installed: pip install -e '.[test]'")
BUCKET = "demo-bucket"


@pytest.fixture
def aws(server, tmp_path):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
           "AWS_DEFAULT_REGION": "cn-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "awscli", *args, "--endpoint-url", server.s3_url],
                              capture_output=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode()

    return run


def test_cp_pfop_and_cp_back(server, sdk, aws, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg())
    aws("s3", "cp", str(photo), f"s3://{BUCKET}/cli/photo.jpg")
    pfop_thumbnail(server, sdk, BUCKET, "cli/photo.jpg", "cli/thumb.jpg", width=16)
    back = tmp_path / "thumb.jpg"
    aws("s3", "cp", f"s3://{BUCKET}/cli/thumb.jpg", str(back))
    assert image_size(back.read_bytes()) == (16, 12)
    listing = aws("s3", "ls", f"s3://{BUCKET}/cli/")
    assert "photo.jpg" in listing and "thumb.jpg" in listing


def test_sync_presign_and_s3api(aws, tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "a.txt").write_text("a")
    (tree / "sub" / "b.txt").write_text("b" * 9 * 1024 * 1024)  # the CLI uploads it in parts
    aws("s3", "sync", str(tree), f"s3://{BUCKET}/tree")
    assert "upload:" not in aws("s3", "sync", str(tree), f"s3://{BUCKET}/tree")  # nothing left to send
    head = aws("s3api", "head-object", "--bucket", BUCKET, "--key", "tree/sub/b.txt")
    assert '"ContentLength": 9437184' in head and '-2\\""' in head
    url = aws("s3", "presign", f"s3://{BUCKET}/tree/a.txt", "--expires-in", "60").strip()
    assert requests.get(url, timeout=5).content == b"a"
    if shutil.which("curl"):
        assert subprocess.run(["curl", "-sf", url], capture_output=True, timeout=30).stdout == b"a"
