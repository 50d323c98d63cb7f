"""Helpers of the S3 door tests: boto3 clients, a JPEG, a pfop through the official SDK."""

from __future__ import annotations

import io

import pytest
import qiniu
import requests
from PIL import Image
from support import ACCESS_KEY, SECRET_KEY, wait_for

boto3 = pytest.importorskip("boto3", reason="boto3 is not installed: pip install -e '.[test]'")


def client_for(url: str, secret: str = SECRET_KEY, verify: str | None = None, **config):
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=secret,
                        region_name="cn-east-1", verify=verify, config=Config(retries={"max_attempts": 1}, **config))




def error_of(call) -> dict:
    """The S3 error a boto3 call fails with: its Code, Message, ... and HTTP status."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        call()
    return {**caught.value.response["Error"], "status": caught.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def jpeg(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def pfop_thumbnail(server, auth, bucket: str, key: str, saved: str, width: int = 32) -> None:
    """Run ``imageView2/2/w/<width>|saveas`` on an object through the official qiniu SDK, and wait."""
    saveas = qiniu.urlsafe_base64_encode(f"{bucket}:{saved}")
    ret, info = qiniu.PersistentFop(auth, bucket).execute(key, [f"imageView2/2/w/{width}|saveas/{saveas}"])
    assert info.status_code == 200, info

    def finished():
        status = requests.get(f"{server.url}/status/get/prefop", params={"id": ret["persistentId"]}, timeout=5).json()
        return status if status["code"] in (0, 3) else None

    assert wait_for(finished)["code"] == 0


def image_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size
