"""rclone's Qiniu S3 provider against the S3 door: copy, sync, ls, check."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from support import ACCESS_KEY, SECRET_KEY

from s3_clients import image_size, jpeg, pfop_thumbnail

BUCKET = "demo-bucket"


@pytest.fixture
def rclone(server, tmp_path):
    binary = shutil.which("rclone")
    if binary is None:
        pytest.skip("rclone is not installed: apt-get install rclone")
    # rclone's Qiniu provider always addresses buckets virtual-host style: it is given Kodo's endpoint
    # name and the emulator's S3 port as its HTTP proxy, which stands in for DNS. (A machine-wide
    # AWS_CA_BUNDLE or NO_PROXY would get in the way of a plain-http endpoint.)
    kept = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k.lower() != "no_proxy"}
    env = {**kept, "HTTP_PROXY": server.s3_url, "RCLONE_CONFIG": str(tmp_path / "rclone.conf"), "RCLONE_CONFIG_KODO_TYPE": "s3",
           "RCLONE_CONFIG_KODO_PROVIDER": "Qiniu", "RCLONE_CONFIG_KODO_ACCESS_KEY_ID": ACCESS_KEY,
           "RCLONE_CONFIG_KODO_SECRET_ACCESS_KEY": SECRET_KEY, "RCLONE_CONFIG_KODO_REGION": "cn-east-1",
           "RCLONE_CONFIG_KODO_ENDPOINT": "http://s3-cn-east-1.qiniucs.com"}

    def run(*args: str) -> str:
        done = subprocess.run([binary, *args], capture_output=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode()

    return run


def test_copy_sync_ls_check_and_a_pfop_between(server, sdk, rclone, tmp_path):
    tree = tmp_path / "tree"
    (tree / "deep").mkdir(parents=True)
    (tree / "photo.jpg").write_bytes(jpeg())
    (tree / "deep" / "note.txt").write_text("note")
    rclone("copy", str(tree), f"kodo:{BUCKET}/rc")
    assert sorted(line.split()[-1] for line in rclone("ls", f"kodo:{BUCKET}/rc").splitlines()) == [
        "deep/note.txt", "photo.jpg"]
    rclone("check", str(tree), f"kodo:{BUCKET}/rc")
    pfop_thumbnail(server, sdk, BUCKET, "rc/photo.jpg", "rc-out/thumb.jpg", width=8)
    out = tmp_path / "out"
    rclone("copy", f"kodo:{BUCKET}/rc-out", str(out))
    assert image_size((out / "thumb.jpg").read_bytes()) == (8, 6)
    (tree / "deep" / "note.txt").unlink()
    (tree / "new.bin").write_bytes(os.urandom(6 * 1024 * 1024))
    rclone("sync", str(tree), f"kodo:{BUCKET}/rc")
    rclone("check", str(tree), f"kodo:{BUCKET}/rc")
    assert not server.emulator.storage.exists(BUCKET, "rc/deep/note.txt")
