"""Over https boto3 sends its default CRC32 in an aws-chunked trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER),
the combination that breaks many third-party S3 endpoints; with --tls the S3 door has an https port."""

from __future__ import annotations

import io
import zlib

from s3_clients import client_for


def test_boto3_over_https_sends_a_trailer_checksum_and_it_is_verified(start_emulator):
    server = start_emulator(tls=True)
    s3 = client_for(server.s3_https_url, verify=server.ca)  # trusting the emulator's local CA
    sent: list[dict] = []
    s3.meta.events.register("before-send.s3.PutObject", lambda request, **_: sent.append(dict(request.headers)))
    data = bytes(range(256)) * 4000
    put = s3.put_object(Bucket="demo-bucket", Key="tls.bin", Body=io.BytesIO(data))
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in sent[0].items()}
    assert headers["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    assert headers["x-amz-trailer"] == "x-amz-checksum-crc32"
    assert put["ChecksumCRC32"] and server.emulator.storage.stat("demo-bucket", "tls.bin").fsize == len(data)
    got = s3.get_object(Bucket="demo-bucket", Key="tls.bin")["Body"].read()
    assert got == data and zlib.crc32(got) == zlib.crc32(data)
