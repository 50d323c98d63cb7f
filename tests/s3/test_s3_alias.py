"""A bucket whose S3 name differs from its Kodo name (--s3-alias), as Kodo assigns when the name
is taken in S3's global namespace: the S3 door knows it only by its alias."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from s3_clients import client_for


@pytest.fixture
def aliased(start_emulator):
    return start_emulator(s3_aliases={"demo-bucket": "demo-bucket-7f3a"})


def code_of(call) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"]


def test_the_alias_is_the_bucket_s_only_s3_name(aliased, sdk_for):
    import qiniu

    s3 = client_for(aliased.s3_url)
    assert "demo-bucket-7f3a" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.put_object(Bucket="demo-bucket-7f3a", Key="a.txt", Body=b"through the alias")
    ret, _ = qiniu.BucketManager(sdk_for(aliased)).stat("demo-bucket", "a.txt")  # the native door: Kodo's name
    assert ret["fsize"] == len(b"through the alias")
    assert s3.list_objects_v2(Bucket="demo-bucket-7f3a")["Name"] == "demo-bucket-7f3a"
    s3.copy_object(Bucket="output-bucket", Key="b.txt", CopySource="demo-bucket-7f3a/a.txt")
    assert s3.get_object(Bucket="output-bucket", Key="b.txt")["Body"].read() == b"through the alias"
    assert code_of(lambda: s3.get_object(Bucket="demo-bucket", Key="a.txt")) == "NoSuchBucket"
    assert code_of(lambda: s3.create_bucket(Bucket="demo-bucket")) == "BucketAlreadyExists"
