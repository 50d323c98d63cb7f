"""A bucket's CORS rules applied on the S3 door as S3 applies them: unsigned preflights answered
from the rules (200 or 403 AccessForbidden), matching requests given Allow-Origin, Expose-Headers
and Vary. The rules are one bucket setting: set through S3, they hold on the native door's
downloads; set through `/corsRules/set`, they hold on the S3 door."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import qiniu
import requests
from support import ACCESS_KEY, SECRET_KEY

from s3_clients import error_of

BUCKET = "demo-bucket"
PAGE = "https://app.example"


def preflight(url: str, origin: str | None, method: str | None, headers: str = "") -> requests.Response:
    asked = {}
    if origin:
        asked["Origin"] = origin
    if method:
        asked["Access-Control-Request-Method"] = method
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return requests.options(url, headers=asked, timeout=10)


def error_code(answer: requests.Response) -> str:
    return ET.fromstring(answer.content).findtext("Code") or ""


def put_rules(s3, *rules: dict) -> None:
    s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": list(rules)})


UPLOADER = {"AllowedOrigins": [PAGE], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["content-type", "x-amz-*"],
            "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}


def test_preflight_allowed_by_a_rule_set_through_boto3(server, s3):
    put_rules(s3, UPLOADER)
    answer = preflight(f"{server.s3_url}/{BUCKET}/photos/a.jpg", PAGE, "PUT", "Content-Type, X-Amz-Date, x-amz-meta-who")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == PAGE
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"
    assert answer.headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert answer.headers["Access-Control-Allow-Headers"] == "Content-Type, X-Amz-Date, x-amz-meta-who"
    assert answer.headers["Access-Control-Expose-Headers"] == "ETag"
    assert answer.headers["Access-Control-Max-Age"] == "600"
    assert "Origin" in answer.headers["Vary"]


def test_preflights_no_rule_allows_are_refused_with_403(server, s3):
    url = f"{server.s3_url}/{BUCKET}/a.jpg"
    no_rules = preflight(url, PAGE, "GET")
    assert no_rules.status_code == 403 and error_code(no_rules) == "AccessForbidden"
    assert "CORSResponse" in ET.fromstring(no_rules.content).findtext("Message", "")
    put_rules(s3, UPLOADER)
    for origin, method, headers in [("https://evil.example", "GET", ""), (PAGE, "DELETE", ""),
                                    (PAGE, "PUT", "Authorization"), ("http://app.example", "GET", "")]:
        refused = preflight(url, origin, method, headers)
        assert refused.status_code == 403, (origin, method, headers)
        assert error_code(refused) == "AccessForbidden"
        assert "Access-Control-Allow-Origin" not in refused.headers


def test_a_preflight_missing_its_headers_is_a_bad_request(server, s3):
    put_rules(s3, UPLOADER)
    assert preflight(f"{server.s3_url}/{BUCKET}/a.jpg", None, "GET").status_code == 400
    assert preflight(f"{server.s3_url}/{BUCKET}/a.jpg", PAGE, None).status_code == 400


def test_a_wildcard_origin_rule_answers_star_on_the_bucket_url_too(server, s3):
    put_rules(s3, {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]})
    answer = preflight(f"{server.s3_url}/{BUCKET}", "http://localhost:5173", "GET")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in answer.headers


def test_actual_requests_get_cors_headers_only_when_a_rule_matches(server, s3):
    s3.put_object(Bucket=BUCKET, Key="page.txt", Body=b"hello")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "page.txt"}, ExpiresIn=600)
    plain = requests.get(url, headers={"Origin": PAGE}, timeout=10)
    assert plain.status_code == 200 and "Access-Control-Allow-Origin" not in plain.headers
    put_rules(s3, UPLOADER)
    allowed = requests.get(url, headers={"Origin": PAGE}, timeout=10)
    assert allowed.content == b"hello"
    assert allowed.headers["Access-Control-Allow-Origin"] == PAGE
    assert allowed.headers["Access-Control-Expose-Headers"] == "ETag"
    assert "Origin" in allowed.headers["Vary"]
    other = requests.get(url, headers={"Origin": "https://evil.example"}, timeout=10)
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]
    missing = requests.get(s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "nope"}),
                           headers={"Origin": PAGE}, timeout=10)
    assert missing.status_code == 404 and missing.headers["Access-Control-Allow-Origin"] == PAGE


def native_rules(server, bucket: str, rules: object | None = None) -> requests.Response:
    verb = "set" if rules is not None else "get"
    url = f"{server.url}/corsRules/{verb}/{bucket}"
    token = qiniu.Auth(ACCESS_KEY, SECRET_KEY).token_of_request(url)
    return requests.post(url, data=json.dumps(rules) if rules is not None else None, timeout=10,
                         headers={"Content-Type": "application/json", "Authorization": f"QBox {token}"})


def test_one_rule_set_serves_both_doors(server, s3):
    put_rules(s3, UPLOADER)
    assert native_rules(server, BUCKET).json() == [{
        "allowed_origin": [PAGE], "allowed_method": ["GET", "PUT"], "allowed_header": ["content-type", "x-amz-*"],
        "exposed_header": ["ETag"], "max_age": 600}]
    s3.put_object(Bucket=BUCKET, Key="both.txt", Body=b"x")
    download = requests.get(f"{server.url}/_io/{BUCKET}/both.txt", headers={"Origin": "https://evil.example"},
                            timeout=10)
    assert "Access-Control-Allow-Origin" not in download.headers  # the S3 rules hold on the native door

    rules = [{"allowed_origin": ["http://localhost:*"], "allowed_method": ["GET"], "max_age": 30}]
    assert native_rules(server, BUCKET, rules).status_code == 200
    got = s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    assert got == [{"AllowedOrigins": ["http://localhost:*"], "AllowedMethods": ["GET"], "MaxAgeSeconds": 30}]
    answer = preflight(f"{server.s3_url}/{BUCKET}/both.txt", "http://localhost:5173", "GET")
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"

    s3.delete_bucket_cors(Bucket=BUCKET)
    assert native_rules(server, BUCKET).json() == []


def test_put_bucket_cors_refuses_methods_s3_does_not_allow(server, s3):
    error = error_of(lambda: put_rules(s3, {"AllowedOrigins": ["*"], "AllowedMethods": ["OPTIONS"]}))
    assert (error["status"], error["Code"]) == (400, "InvalidRequest")
