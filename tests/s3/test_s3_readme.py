"""The README's S3 section: its snippets run as written, its table of operations is the code's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from PIL import Image
from readme_snippets import README, snippet

from qiniu_emulator.s3.operations import operations_table

README_S3 = "127.0.0.1:9003"


def on(text: str, server) -> str:
    """The snippet with the README's two addresses replaced by the test server's."""
    return text.replace(README_S3, server.s3_url.split("://", 1)[1]).replace(
        "127.0.0.1:9000", server.url.split("://", 1)[1])


@pytest.fixture
def workdir(tmp_path):
    Image.linear_gradient("L").resize((800, 600)).convert("RGB").save(tmp_path / "photo.jpg", "JPEG")
    return tmp_path


def shell(script: str, cwd, env: dict[str, str] | None = None) -> str:
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    done = subprocess.run(["bash", "-ec", script], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PATH": path, **(env or {})})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_operations_table_is_the_generated_one():
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- s3-operations:[^>]*-->\n(.*?)\n<!-- end s3-operations -->", text, re.S)
    assert match, "README lacks the S3 operations table markers"
    assert match.group(1) == operations_table()


def test_the_boto3_snippet(readme_server, workdir):
    code = on(snippet("s3-boto3").text, readme_server)
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    size = int(done.stdout.strip())
    stored = readme_server.emulator.storage.stat("output-bucket", "s3/thumb.jpg")
    assert size == stored.fsize and Image.open(stored.path).size == (200, 150)


def test_the_aws_cli_snippet(readme_server, workdir):
    pytest.importorskip("awscli", reason="the AWS CLI is not installed: pip install -e '.[test]'")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    out = shell(on(snippet("s3-awscli").text, readme_server), workdir, {**env, "AWS_CONFIG_FILE": "/nonexistent"})
    assert "photo.jpg" in out and '"ContentType": "image/jpeg"' in out and "X-Amz-Signature=" in out


def test_the_rclone_snippet(readme_server, workdir):
    if shutil.which("rclone") is None:
        pytest.skip("rclone is not installed: apt-get install rclone")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k.lower() != "no_proxy"}
    script = on(snippet("s3-rclone").text, readme_server)
    done = subprocess.run(["bash", "-ec", script], cwd=workdir, capture_output=True, text=True, timeout=300,
                          env={**env, "RCLONE_CONFIG": str(workdir / "rclone.conf")})
    assert done.returncode == 0, done.stderr
    assert "photo.jpg" in done.stdout
    assert readme_server.emulator.storage.stat("demo-bucket", "rclone/photo.jpg").fsize == (
        workdir / "photo.jpg").stat().st_size
