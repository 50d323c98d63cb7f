"""Signature V4 verified for real: botocore's signer against the S3 door, and AWS's own published
example of a chunked upload (docs/s3.md §3) against the chunk-signature check."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import zlib

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from support import ACCESS_KEY, SECRET_KEY

from qiniu_emulator.auth import AuthMode, RawRequest
from qiniu_emulator.s3_errors import S3Error
from qiniu_emulator.s3.payload import Payload
from qiniu_emulator.auth.keys import Keyring
from qiniu_emulator.auth.sigv4 import SigV4Verifier

BUCKET = "demo-bucket"


def send(server, method: str, key: str, body: bytes = b"", headers: dict | None = None, secret: str = SECRET_KEY,
         trailer: bool = False, monkeypatch=None, shift: float = 0.0, sent: bytes | None = None) -> requests.Response:
    """A request signed by botocore's S3 signer, sent as it was signed."""
    url = f"{server.s3_url}/{BUCKET}/{key}"
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    if trailer:
        request.context["checksum"] = {"request_algorithm": {"in": "trailer", "algorithm": "crc32"}}
    if shift and monkeypatch is not None:
        moved = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=shift)
        monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: moved)
    S3SigV4Auth(Credentials(ACCESS_KEY, secret), "s3", "cn-east-1").add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, data=body if sent is None else sent,
                            headers=dict(prepared.headers), timeout=10)


def stored(server, key: str) -> bool:
    return server.emulator.storage.exists(BUCKET, key)


def test_a_wrong_secret_is_signature_does_not_match_with_the_canonical_request(server):
    answer = send(server, "GET", "x", secret="not-the-secret")
    assert answer.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in answer.content
    assert b"<CanonicalRequest>GET\n/demo-bucket/x\n" in answer.content and b"<StringToSign>AWS4-HMAC-SHA256" in answer.content
    record = server.emulator.requests.recent(1)[0]
    assert record.status == 403 and record.scheme == "SigV4" and "CanonicalRequest" in record.expected


def test_an_unknown_access_key_and_anonymous_requests_are_refused(server):
    assert b"<Code>AccessDenied</Code>" in requests.get(f"{server.s3_url}/{BUCKET}/x", timeout=5).content
    request = AWSRequest(method="GET", url=f"{server.s3_url}/{BUCKET}/x")
    S3SigV4Auth(Credentials("someone-else", "s"), "s3", "cn-east-1").add_auth(request)
    answer = requests.get(request.url, headers=dict(request.prepare().headers), timeout=5)
    assert answer.status_code == 403 and b"<Code>InvalidAccessKeyId</Code>" in answer.content


def test_a_clock_twenty_minutes_off_is_request_time_too_skewed(server, monkeypatch):
    answer = send(server, "PUT", "late", b"data", monkeypatch=monkeypatch, shift=-1200)
    assert answer.status_code == 403 and b"<Code>RequestTimeTooSkewed</Code>" in answer.content
    assert not stored(server, "late")


def test_a_body_that_is_not_the_signed_sha256_is_refused_and_not_stored(server):
    answer = send(server, "PUT", "tampered", b"data", sent=b"dat4")
    assert answer.status_code == 400 and b"<Code>XAmzContentSHA256Mismatch</Code>" in answer.content
    assert hashlib.sha256(b"data").hexdigest().encode() in answer.content
    assert not stored(server, "tampered")


def test_unsigned_payload_is_accepted_and_a_bad_crc32_header_refused(server):
    ok = send(server, "PUT", "unsigned", b"data", headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    assert ok.status_code == 200 and stored(server, "unsigned")
    wrong = base64.b64encode(zlib.crc32(b"nope").to_bytes(4, "big")).decode()
    bad = send(server, "PUT", "bad-crc", b"data", headers={"x-amz-checksum-crc32": wrong})
    assert bad.status_code == 400 and b"<Code>BadDigest</Code>" in bad.content and not stored(server, "bad-crc")


def trailer_body(data: bytes, crc: int, pieces: int = 2) -> bytes:
    size = -(-len(data) // pieces)
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    out = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
    value = base64.b64encode(crc.to_bytes(4, "big"))
    return out + b"0\r\nx-amz-checksum-crc32:" + value + b"\r\n\r\n"


@pytest.mark.parametrize("corrupt", [False, True])
def test_streaming_unsigned_payload_trailer_as_sdks_send_by_default(server, corrupt):
    data = b"trailer bytes " * 1000
    crc = zlib.crc32(data) ^ (1 if corrupt else 0)
    headers = {"Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
               "x-amz-decoded-content-length": str(len(data)), "x-amz-sdk-checksum-algorithm": "CRC32"}
    answer = send(server, "PUT", "trailed", trailer_body(data, crc), headers=headers, trailer=True)
    if corrupt:
        assert answer.status_code == 400 and b"<Code>BadDigest</Code>" in answer.content
        assert not stored(server, "trailed")
    else:
        assert answer.status_code == 200, answer.text
        assert server.emulator.storage.stat(BUCKET, "trailed").path.read_bytes() == data


# AWS's published example of a signed chunked upload (docs/s3.md §3): 66560 bytes of "a" in
# chunks of 65536 and 1024, with the seed and chunk signatures AWS lists for them.
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
CHUNK_SIGNATURES = ["ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"]


def example_request(body: bytes) -> RawRequest:
    headers = {
        "Host": "s3.amazonaws.com", "x-amz-date": "20130524T000000Z", "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "Authorization": f"AWS4-HMAC-SHA256 Credential={EXAMPLE_KEY}/20130524/us-east-1/s3/aws4_request,"
                         "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                         f"x-amz-decoded-content-length;x-amz-storage-class,Signature={SEED}",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": "66560", "Content-Length": "66824"}
    return RawRequest("PUT", "/examplebucket/chunkObject.txt", "", "s3.amazonaws.com", headers, body)


def example_body(flip: bool = False) -> bytes:
    out = b""
    for size, signature in zip((65536, 1024, 0), CHUNK_SIGNATURES):
        data = b"a" * size
        if flip and size == 1024:
            data = b"b" + data[1:]
        out += b"%x;chunk-signature=%s\r\n%s\r\n" % (size, signature.encode(), data)
    return out


def read_example(body: bytes) -> bytes:
    req = example_request(body)
    verifier = SigV4Verifier(Keyring({EXAMPLE_KEY: EXAMPLE_SECRET}, AuthMode.STRICT))
    signed = verifier.verify(req, now=datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc).timestamp())
    return Payload(io.BytesIO(body), signed, req.headers).read_all(1 << 20)


def test_aws_published_chunked_example_verifies_and_decodes():
    assert len(example_body()) == 66824
    assert read_example(example_body()) == b"a" * 66560


def test_a_changed_byte_in_a_signed_chunk_breaks_its_signature():
    with pytest.raises(S3Error) as caught:
        read_example(example_body(flip=True))
    assert caught.value.code == "SignatureDoesNotMatch"
