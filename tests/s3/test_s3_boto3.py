"""boto3 (current, default checksums on) against the S3 door: one store behind two doors."""

from __future__ import annotations

import io
import subprocess
import shutil

import pytest
import qiniu
import requests
from support import wait_for

from s3_clients import client_for, error_of, image_size, jpeg, pfop_thumbnail

BUCKET = "demo-bucket"


def test_upload_through_s3_pfop_through_the_sdk_read_the_result_through_s3(server, s3, sdk):
    s3.put_object(Bucket=BUCKET, Key="in/photo.jpg", Body=jpeg(), ContentType="image/jpeg",
                  Metadata={"owner": "alice"})
    ret, _ = qiniu.BucketManager(sdk).stat(BUCKET, "in/photo.jpg")
    assert ret["hash"] == qiniu.utils.etag_stream(io.BytesIO(jpeg())) and ret["mimeType"] == "image/jpeg"
    assert ret["x-qn-meta"] == {"owner": "alice"}
    pfop_thumbnail(server, sdk, BUCKET, "in/photo.jpg", "out/thumb.jpg")
    result = s3.get_object(Bucket=BUCKET, Key="out/thumb.jpg")
    assert image_size(result["Body"].read()) == (32, 24)
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="out/")["Contents"]
    assert [o["Key"] for o in listed] == ["out/thumb.jpg"]


def test_metadata_headers_and_etag_round_trip(s3):
    put = s3.put_object(Bucket=BUCKET, Key="doc.txt", Body=b"hello world", ContentType="text/plain",
                        ContentDisposition='attachment; filename="d.txt"', ContentEncoding="identity",
                        CacheControl="no-cache", Metadata={"color": "blue"})
    assert put["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
    head = s3.head_object(Bucket=BUCKET, Key="doc.txt")
    assert head["Metadata"] == {"color": "blue"} and head["ContentDisposition"] == 'attachment; filename="d.txt"'
    assert head["CacheControl"] == "no-cache" and head["ContentEncoding"] == "identity"
    got = s3.get_object(Bucket=BUCKET, Key="doc.txt", Range="bytes=6-", ResponseContentType="text/x-test")
    assert got["Body"].read() == b"world" and got["ContentRange"] == "bytes 6-10/11"
    assert got["ContentType"] == "text/x-test"
    assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="doc.txt", Range="bytes=50-"))["Code"] == "InvalidRange"
    assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="doc.txt", IfMatch='"nope"'))["status"] == 412
    assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="doc.txt", IfNoneMatch=put["ETag"]))["status"] == 304


def test_copy_keeps_or_replaces_metadata(s3):
    s3.put_object(Bucket=BUCKET, Key="src", Body=b"x", Metadata={"a": "1"}, ContentType="text/plain")
    s3.copy_object(Bucket="output-bucket", Key="kept", CopySource={"Bucket": BUCKET, "Key": "src"})
    assert s3.head_object(Bucket="output-bucket", Key="kept")["Metadata"] == {"a": "1"}
    s3.copy_object(Bucket=BUCKET, Key="src", CopySource=f"{BUCKET}/src", MetadataDirective="REPLACE",
                   Metadata={"b": "2"}, ContentType="text/csv")
    head = s3.head_object(Bucket=BUCKET, Key="src")
    assert head["Metadata"] == {"b": "2"} and head["ContentType"] == "text/csv"


def test_listing_v1_and_v2_page_with_delimiters(s3):
    for key in ["a/1", "a/2", "b", "c/1", "d"]:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"")
    page = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/", MaxKeys=2, FetchOwner=True)
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/"] and page["Contents"][0]["Key"] == "b"
    assert page["IsTruncated"] and page["KeyCount"] == 2 and "Owner" in page["Contents"][0]
    rest = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/", ContinuationToken=page["NextContinuationToken"])
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["c/"] and [o["Key"] for o in rest["Contents"]] == ["d"]
    v1 = s3.list_objects(Bucket=BUCKET, Marker="a/2", MaxKeys=1)
    assert [o["Key"] for o in v1["Contents"]] == ["b"] and v1["IsTruncated"]
    keys = [o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, PaginationConfig={
        "PageSize": 2}) for o in p.get("Contents", [])]
    assert keys == ["a/1", "a/2", "b", "c/1", "d"]


def test_multipart_etag_and_part_errors(s3):
    mp = s3.create_multipart_upload(Bucket=BUCKET, Key="big.bin", ContentType="application/x-big")
    uid = mp["UploadId"]
    first = s3.upload_part(Bucket=BUCKET, Key="big.bin", UploadId=uid, PartNumber=1, Body=b"a" * (5 << 20))
    s3.put_object(Bucket=BUCKET, Key="tail", Body=b"tail-bytes")
    second = s3.upload_part_copy(Bucket=BUCKET, Key="big.bin", UploadId=uid, PartNumber=2,
                                 CopySource=f"{BUCKET}/tail", CopySourceRange="bytes=0-3")
    parts = s3.list_parts(Bucket=BUCKET, Key="big.bin", UploadId=uid)["Parts"]
    assert [p["Size"] for p in parts] == [5 << 20, 4]
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket=BUCKET)["Uploads"]] == ["big.bin"]
    bad = error_of(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="big.bin", UploadId=uid, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": '"00"'}]}))
    assert bad["Code"] == "InvalidPart"
    listed = [{"PartNumber": 1, "ETag": first["ETag"]}, {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]
    done = s3.complete_multipart_upload(Bucket=BUCKET, Key="big.bin", UploadId=uid, MultipartUpload={"Parts": listed})
    assert done["ETag"].endswith('-2"')
    head = s3.head_object(Bucket=BUCKET, Key="big.bin")
    assert head["ContentLength"] == (5 << 20) + 4 and head["ContentType"] == "application/x-big"
    assert head["ETag"] == done["ETag"]
    small = s3.create_multipart_upload(Bucket=BUCKET, Key="small")["UploadId"]
    etags = [s3.upload_part(Bucket=BUCKET, Key="small", UploadId=small, PartNumber=n, Body=b"x")["ETag"]
             for n in (1, 2)]
    too_small = error_of(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key="small", UploadId=small,
                         MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), etags)]}))
    assert too_small["Code"] == "EntityTooSmall"
    s3.abort_multipart_upload(Bucket=BUCKET, Key="small", UploadId=small)
    assert error_of(lambda: s3.list_parts(Bucket=BUCKET, Key="small", UploadId=small))["Code"] == "NoSuchUpload"


def test_upload_file_uses_multipart_and_native_stat_sees_it(s3, sdk, tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(range(256)) * 40000)  # 10 MB: boto3 goes multipart at 8 MB
    s3.upload_file(str(path), BUCKET, "f.bin")
    ret, _ = qiniu.BucketManager(sdk).stat(BUCKET, "f.bin")
    assert ret["fsize"] == path.stat().st_size
    out = tmp_path / "back.bin"
    s3.download_file(BUCKET, "f.bin", str(out))
    assert out.read_bytes() == path.read_bytes()


def test_bucket_operations_and_errors(s3):
    s3.create_bucket(Bucket="fresh-bucket")
    assert error_of(lambda: s3.create_bucket(Bucket="fresh-bucket"))["Code"] == "BucketAlreadyOwnedByYou"
    assert s3.get_bucket_location(Bucket="fresh-bucket")["LocationConstraint"] == "cn-east-1"
    s3.head_bucket(Bucket="fresh-bucket")
    s3.put_object(Bucket="fresh-bucket", Key="k", Body=b"1")
    assert error_of(lambda: s3.delete_bucket(Bucket="fresh-bucket"))["Code"] == "BucketNotEmpty"
    s3.delete_object(Bucket="fresh-bucket", Key="k")
    s3.delete_object(Bucket="fresh-bucket", Key="k")  # deleting a missing key succeeds, as on S3
    s3.delete_bucket(Bucket="fresh-bucket")
    assert "fresh-bucket" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert error_of(lambda: s3.get_object(Bucket="no-such-bucket", Key="k"))["Code"] == "NoSuchBucket"
    assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="missing"))["Code"] == "NoSuchKey"
    unsupported = error_of(lambda: s3.get_bucket_policy(Bucket=BUCKET))
    assert (unsupported["status"], unsupported["Code"]) == (501, "NotImplemented")
    assert "GetBucketPolicy" in unsupported["Message"]


def test_cors_configuration_round_trips(s3):
    rules = [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"], "MaxAgeSeconds": 60}]
    s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": rules})
    got = s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    assert got[0]["AllowedOrigins"] == ["https://app.example"] and got[0]["MaxAgeSeconds"] == 60
    s3.delete_bucket_cors(Bucket=BUCKET)
    assert error_of(lambda: s3.get_bucket_cors(Bucket=BUCKET))["Code"] == "NoSuchCORSConfiguration"


def test_keys_with_dot_dot_stay_inside_the_bucket(server, s3):
    s3.put_object(Bucket=BUCKET, Key="../../escape.txt", Body=b"inside")
    assert s3.get_object(Bucket=BUCKET, Key="../../escape.txt")["Body"].read() == b"inside"
    assert not (server.emulator.storage.data_dir / "escape.txt").exists()
    assert not (server.emulator.storage.data_dir.parent / "escape.txt").exists()


@pytest.mark.parametrize("endpoint", ["s3-cn-east-1.qiniucs.com", "s3.cn-east-1.qiniucs.com"])
def test_virtual_host_addressing_on_both_ports(server, endpoint):
    port = server.s3_url.rsplit(":", 1)[1]
    client_for(server.s3_url).put_object(Bucket=BUCKET, Key="v.txt", Body=b"virtual")
    signed = client_for(f"http://{endpoint}:{port}", s3={"addressing_style": "virtual"})
    url = signed.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "v.txt"})
    host = f"{BUCKET}.{endpoint}:{port}"
    assert url.startswith(f"http://{host}/v.txt?")
    # Connect to the emulator while sending the virtual-host name, as DNS pointing at it would;
    # the native port hands S3 host names to the S3 door too.
    for base in (server.s3_url, server.url):
        answer = requests.get(base + url.split(f":{port}", 1)[1], headers={"Host": host}, timeout=5)
        assert (answer.status_code, answer.content) == (200, b"virtual")


def test_presigned_put_from_curl_and_an_expired_url(server, s3, tmp_path):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed: apt-get install curl")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "curl.txt"}, ExpiresIn=300)
    body = tmp_path / "body.txt"
    body.write_bytes(b"from curl")
    done = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-T", str(body), url],
                          capture_output=True, text=True, timeout=30)
    assert done.stdout == "200"
    assert s3.get_object(Bucket=BUCKET, Key="curl.txt")["Body"].read() == b"from curl"
    expired = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "curl.txt"}, ExpiresIn=1)
    wait_for(lambda: requests.get(expired, timeout=5).status_code == 403, timeout=5)
    answer = requests.get(expired, timeout=5)
    assert b"<Code>AccessDenied</Code>" in answer.content and b"Request has expired" in answer.content


def test_a_bucket_named_static_is_a_bucket_like_any_other(start_emulator):
    server = start_emulator(buckets=["static"])
    s3 = client_for(server.s3_url)
    s3.put_object(Bucket="static", Key="css/site.css", Body=b"body {}")
    assert s3.get_object(Bucket="static", Key="css/site.css")["Body"].read() == b"body {}"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="static")["Contents"]] == ["css/site.css"]
    assert requests.get(f"{server.url}/_io/static/css/site.css", timeout=10).content == b"body {}"
