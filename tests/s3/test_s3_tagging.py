"""Bucket tagging through boto3, under Kodo's limits; object tagging is not in Qiniu's table
and stays 501."""

from __future__ import annotations

import pytest

from s3_clients import error_of

BUCKET = "demo-bucket"


def tag_set(*pairs: tuple[str, str]) -> dict:
    return {"TagSet": [{"Key": key, "Value": value} for key, value in pairs]}


def test_bucket_tags_round_trip_and_are_replaced_whole(s3):
    assert error_of(lambda: s3.get_bucket_tagging(Bucket=BUCKET))["Code"] == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging=tag_set(("team", "media"), ("env", "dev test")))
    assert s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"] == tag_set(("team", "media"), ("env", "dev test"))["TagSet"]
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging=tag_set(("owner", "a@b.example")))
    assert s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"] == [{"Key": "owner", "Value": "a@b.example"}]
    s3.delete_bucket_tagging(Bucket=BUCKET)
    assert error_of(lambda: s3.get_bucket_tagging(Bucket=BUCKET))["Code"] == "NoSuchTagSet"


@pytest.mark.parametrize("pairs, why", [
    ([(f"k{n}", "v") for n in range(11)], "at most 10"),
    ([("k", "v"), ("k", "w")], "same key"),
    ([("k" * 65, "v")], "64 bytes"),
    ([("k", "v" * 129)], "128 bytes"),
    ([("kodo-owner", "v")], "reserved"),
    ([("名字", "v")], "character"),
    ([("k", "")], "empty"),
])
def test_tag_sets_kodo_refuses_are_invalid_tags(s3, pairs, why):
    error = error_of(lambda: s3.put_bucket_tagging(Bucket=BUCKET, Tagging=tag_set(*pairs)))
    assert (error["status"], error["Code"]) == (400, "InvalidTag") and why in error["Message"]
    assert error_of(lambda: s3.get_bucket_tagging(Bucket=BUCKET))["Code"] == "NoSuchTagSet"


def test_the_limits_themselves_are_accepted(s3):
    pairs = [(f"k{n}" + "x" * 61, "+-=._:/@ " + "v" * 119) for n in range(10)]
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging=tag_set(*pairs))
    assert len(s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]) == 10


def test_tags_go_with_their_bucket(s3):
    s3.create_bucket(Bucket="tagged-bucket")
    s3.put_bucket_tagging(Bucket="tagged-bucket", Tagging=tag_set(("a", "b")))
    s3.delete_bucket(Bucket="tagged-bucket")
    assert error_of(lambda: s3.get_bucket_tagging(Bucket="tagged-bucket"))["Code"] == "NoSuchBucket"
    s3.create_bucket(Bucket="tagged-bucket")
    assert error_of(lambda: s3.get_bucket_tagging(Bucket="tagged-bucket"))["Code"] == "NoSuchTagSet"


def test_object_tagging_is_not_implemented(s3):
    s3.put_object(Bucket=BUCKET, Key="t.txt", Body=b"x")
    for call in (lambda: s3.get_object_tagging(Bucket=BUCKET, Key="t.txt"),
                 lambda: s3.put_object_tagging(Bucket=BUCKET, Key="t.txt", Tagging=tag_set(("a", "b"))),
                 lambda: s3.delete_object_tagging(Bucket=BUCKET, Key="t.txt")):
        error = error_of(call)
        assert (error["status"], error["Code"]) == (501, "NotImplemented")
