"""Bodies on the S3 door that lie: chunk sizes that are not plain hex, a chunk larger than
the body, a body that stops before its last chunk. Each is a clear 400 and stores nothing."""

from __future__ import annotations

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from support import ACCESS_KEY, SECRET_KEY

BUCKET = "demo-bucket"
STREAMING = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


def put_chunked(server, key: str, body: bytes) -> requests.Response:
    """An aws-chunked PUT signed by botocore, its body sent exactly as given."""
    url = f"{server.s3_url}/{BUCKET}/{key}"
    request = AWSRequest(method="PUT", url=url, data=body, headers={"Content-Encoding": "aws-chunked"})
    request.context["checksum"] = {"request_algorithm": {"in": "trailer", "algorithm": "crc32"}}
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "z0").add_auth(request)
    prepared = request.prepare()
    assert prepared.headers["X-Amz-Content-SHA256"] == STREAMING
    return requests.put(prepared.url, data=body, headers=dict(prepared.headers), timeout=10)


@pytest.mark.parametrize("body", [
    b"1_0\r\n" + b"a" * 16 + b"\r\n0\r\n\r\n",   # int(..., 16) reads it as 16
    b"+5\r\nabcde\r\n0\r\n\r\n",
    b"0x5\r\nabcde\r\n0\r\n\r\n",
    b"-5\r\nabcde\r\n0\r\n\r\n",
    b"\r\nabcde\r\n0\r\n\r\n",
    b"fffffffffffffff\r\nabc",                   # a chunk far larger than the body
    b"5\r\nabcde\r\n" * 3,                        # no last chunk
    b"5" + b" " * 10000 + b"\r\nabcde\r\n0\r\n\r\n",
], ids=["underscore", "plus", "0x", "negative", "empty", "huge", "endless", "long-line"])
def test_a_lying_aws_chunked_body_is_incomplete_body_and_stores_nothing(server, body):
    answer = put_chunked(server, "lie", body)
    assert answer.status_code == 400 and b"<Code>IncompleteBody</Code>" in answer.content, answer.text
    assert not server.emulator.storage.exists(BUCKET, "lie")


def test_plain_hex_chunks_in_either_case_are_stored(server):
    assert put_chunked(server, "ok", b"A\r\n" + b"b" * 10 + b"\r\n0\r\n\r\n").status_code == 200
    assert server.emulator.storage.stat(BUCKET, "ok").path.read_bytes() == b"b" * 10
