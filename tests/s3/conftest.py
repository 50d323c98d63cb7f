"""boto3 clients pointed at the S3 door of an in-process emulator."""

from __future__ import annotations

import pytest
from support import ACCESS_KEY, SECRET_KEY

boto3 = pytest.importorskip("boto3", reason="boto3 is not installed: pip install -e '.[test]'")


def client_for(url: str, secret: str = SECRET_KEY, **config):
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=secret,
                        region_name="cn-east-1", config=Config(retries={"max_attempts": 1}, **config))


@pytest.fixture
def s3(server):
    return client_for(server.s3_url)
