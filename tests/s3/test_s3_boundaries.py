"""Boundaries through the S3 door, as the native API keeps them: hostile sizes and numbers, long
keys, malformed XML, and a full disk (a clear error, no temp file, nothing stored)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError

from s3_clients import client_for

BUCKET = "demo-bucket"


def error_of(call) -> tuple[int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["ResponseMetadata"]["HTTPStatusCode"], caught.value.response["Error"]["Code"]


def test_hostile_numbers_keys_and_documents_are_clear_400s(server, s3):
    assert error_of(lambda: s3.put_object(Bucket=BUCKET, Key="k" * 751, Body=b"x")) == (400, "KeyTooLongError")
    assert error_of(lambda: s3.list_objects(Bucket=BUCKET, MaxKeys=-1))[1] in ("InvalidArgument",)
    uid = s3.create_multipart_upload(Bucket=BUCKET, Key="m")["UploadId"]
    assert error_of(lambda: s3.upload_part(Bucket=BUCKET, Key="m", UploadId=uid, PartNumber=10001, Body=b"x")) == (
        400, "InvalidArgument")
    assert error_of(lambda: s3.list_parts(Bucket=BUCKET, Key="other", UploadId=uid))[1] == "NoSuchUpload"
    assert error_of(lambda: s3.get_object(Bucket="Bad_Name", Key="k"))[1] == "NoSuchBucket"
    assert error_of(lambda: s3.create_bucket(Bucket="Bad_Name"))[1] == "InvalidBucketName"


def test_an_entity_expansion_document_is_malformed_xml(server):
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from support import ACCESS_KEY, SECRET_KEY

    body = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Delete><Object><Key>&a;</Key></Object></Delete>'
    request = AWSRequest(method="POST", url=f"{server.s3_url}/{BUCKET}?delete", data=body)
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "cn-east-1").add_auth(request)
    answer = requests.post(request.url, data=body, headers=dict(request.prepare().headers), timeout=10)
    assert answer.status_code == 400 and b"<Code>MalformedXML</Code>" in answer.content


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(start_emulator, small_disk):
    server = start_emulator(data=small_disk / "data")
    s3 = client_for(server.s3_url)
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * max(free - 64 * 1024, 0))
    status, code = error_of(lambda: s3.put_object(Bucket=BUCKET, Key="big.bin", Body=os.urandom(512 * 1024)))
    assert (status, code) == (507, "InsufficientStorage")
    assert not server.emulator.storage.exists(BUCKET, "big.bin")
    assert sorted(Path(small_disk / "data" / "tmp").iterdir()) == []
