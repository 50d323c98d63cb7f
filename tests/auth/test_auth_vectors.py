"""Every worked example of the wire spec (section 4.7 A-L) and the SDK-published vectors."""

from __future__ import annotations

import pytest

from qiniu_emulator.auth import (
    Authenticator,
    RawRequest,
    parse_download_query,
    parse_saveas_signature,
)

AK = "MockAccessKey123"
HOST = "127.0.0.1:9100"
DATE = "20240101T000000Z"
FORM = "application/x-www-form-urlencoded"
PFOP_BODY = (
    b"bucket=demo-bucket&key=hello.jpg&notifyURL=http%3A%2F%2F127.0.0.1%3A8000%2Fnotify"
    b"&fops=imageView2%2F1%2Fw%2F100%2Fh%2F100%7Csaveas%2FZGVtby1idWNrZXQ6b3V0L3RodW1iLmpwZw%3D%3D"
    b"&force=1"
)
PREFOP_QUERY = "id=z0.0123456789abcdef01234567"


def request(method: str, target: str, authorization: str, body: bytes = b"", **headers: str) -> RawRequest:
    path, _, query = target.partition("?")
    all_headers = {k.replace("_", "-"): v for k, v in headers.items()}
    all_headers["Authorization"] = authorization
    return RawRequest(method, path, query, HOST, all_headers, body)


@pytest.mark.parametrize(
    ("path", "authorization"),
    [
        ("/pfop", "QBox MockAccessKey123:veDKllLvDRjTaY7_q7L2Nkzrdt4="),
        ("/pfop/", "QBox MockAccessKey123:5C5Aw9Rn6oPDgeXCFU6CabeDTFM="),
    ],
)
def test_a_qbox_pfop_as_python_sdk_sends_it(auth: Authenticator, path: str, authorization: str) -> None:
    req = request("POST", path, authorization, PFOP_BODY, Content_Type=FORM)
    assert auth.verify_management(req) == AK


def test_b_qbox_prefop_get(auth: Authenticator) -> None:
    req = request(
        "GET", f"/status/get/prefop?{PREFOP_QUERY}", "QBox MockAccessKey123:YuDHsmFO3Y4-S2rVXv9g1Em1F24="
    )
    assert auth.verify_management(req) == AK


def test_c_qiniu_pfop_post(auth: Authenticator) -> None:
    req = request(
        "POST", "/pfop/", "Qiniu MockAccessKey123:e6p913rbpJ7cFXyP7MGdBYpjNNk=", PFOP_BODY,
        Content_Type=FORM, X_Qiniu_Date=DATE,
    )
    assert auth.verify_management(req) == AK


def test_d_qiniu_prefop_get_with_form_content_type(auth: Authenticator) -> None:
    req = request(
        "GET", f"/status/get/prefop?{PREFOP_QUERY}", "Qiniu MockAccessKey123:KxjGUuO--ImOVwTyUpePPrblTsI=",
        Content_Type=FORM, X_Qiniu_Date=DATE,
    )
    assert auth.verify_management(req) == AK


def test_d_qiniu_prefop_get_without_content_type(auth: Authenticator) -> None:
    req = request(
        "GET", f"/status/get/prefop?{PREFOP_QUERY}", "Qiniu MockAccessKey123:Nk0IbIvkwmm6uO8k3UKwQMEpeQA=",
        X_Qiniu_Date=DATE,
    )
    assert auth.verify_management(req) == AK


def test_e_qiniu_stat_post_with_empty_body(auth: Authenticator) -> None:
    req = request(
        "POST", "/stat/ZGVtby1idWNrZXQ6aGVsbG8udHh0", "Qiniu MockAccessKey123:18iW4bivW9jU0voXChpWqR4FD3g=",
        Content_Type=FORM, X_Qiniu_Date=DATE,
    )
    assert auth.verify_management(req) == AK


def test_f_qiniu_list_signs_the_raw_percent_encoded_query(auth: Authenticator) -> None:
    req = request(
        "GET", "/list?bucket=demo-bucket&prefix=%E8%A7%86%E9%A2%91%2F&limit=10",
        "Qiniu MockAccessKey123:4UYekt84zoAWezCYzTInEwVOvd8=", Content_Type=FORM, X_Qiniu_Date=DATE,
    )
    assert auth.verify_management(req) == AK


def test_g_qiniu_lower_case_x_qiniu_headers_are_canonicalised(auth: Authenticator) -> None:
    req = RawRequest(
        "GET", "/v2/list", "bucket=demo-bucket&limit=2", HOST,
        [
            ("Content-Type", FORM),
            ("x-qiniu-date", DATE),
            ("X-Qiniu-Meta-Foo", "bar"),
            ("Authorization", "Qiniu MockAccessKey123:xI1Ts4B6LMDmBQ4BZPvXoX9DK9I="),
        ],
        b"",
    )
    assert auth.verify_management(req) == AK


def test_h_qiniu_json_body(auth: Authenticator) -> None:
    req = request(
        "POST", "/buckets/demo-bucket/objects/~/uploads/abc", "Qiniu MockAccessKey123:d-MA0ADq6UsI1YMwHsks_8BxDsw=",
        b'{"parts":[]}', Content_Type="application/json",
    )
    assert auth.verify_management(req) == AK


UPLOAD_TOKEN_WITH_OPS = (
    "MockAccessKey123:Di0KkctMkCGhe5bzavDCqN3Oduk=:eyJzY29wZSI6ImRlbW8tYnVja2V0OmhlbGxvLmpwZyIsImRlYWRsaW5lIjoxODkz"
    "NDU2MDAwLCJwZXJzaXN0ZW50T3BzIjoiaW1hZ2VWaWV3Mi8xL3cvMTAwL2gvMTAwfHNhdmVhcy9aR1Z0YnkxaWRXTnJaWFE2YjNWMEwzUm9kVz"
    "FpTG1wd1p3PT0iLCJwZXJzaXN0ZW50Tm90aWZ5VXJsIjoiaHR0cDovLzEyNy4wLjAuMTo4MDAwL25vdGlmeSJ9"
)
MINIMAL_UPLOAD_TOKEN = (
    "MockAccessKey123:9Rt_3T0S8YkbfK9mYslL7JmEAhg=:eyJzY29wZSI6ImRlbW8tYnVja2V0IiwiZGVhZGxpbmUiOjE4OTM0NTYwMDB9"
)


def test_i_upload_token_with_persistent_ops(make_auth) -> None:
    grant = make_auth(now=1893452400).verify_upload_token(UPLOAD_TOKEN_WITH_OPS)
    assert grant.access_key == AK
    policy = grant.policy
    assert (policy.bucket, policy.key, policy.deadline) == ("demo-bucket", "hello.jpg", 1893456000)
    assert policy.persistent_ops == (
        "imageView2/1/w/100/h/100|saveas/ZGVtby1idWNrZXQ6b3V0L3RodW1iLmpwZw=="
    )
    assert policy.persistent_notify_url == "http://127.0.0.1:8000/notify"


def test_i_minimal_upload_token(make_auth) -> None:
    grant = make_auth(now=1893452400).verify_upload_token(MINIMAL_UPLOAD_TOKEN)
    assert (grant.policy.scope, grant.policy.key) == ("demo-bucket", None)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9100/hello.jpg?e=1893456000&token=MockAccessKey123:JcodQzgLbpUvTm5K_zREGtPq7hc=",
        "http://127.0.0.1:9100/hello.jpg?imageView2/1/w/100/h/100&e=1893456000"
        "&token=MockAccessKey123:pxmG6xIIENVAQJmJ7a7zVv3soTs=",
        "http://127.0.0.1:9100/%E8%A7%86%E9%A2%91/%E6%B5%8B%E8%AF%95%201.mp4?e=1893456000"
        "&token=MockAccessKey123:yuXmAlIe4kkLteksYq4RIoaoNT8=",
    ],
)
def test_j_private_download_urls(make_auth, url: str) -> None:
    host_and_path, _, query = url.removeprefix("http://").partition("?")
    host, slash, path = host_and_path.partition("/")
    req = RawRequest("GET", slash + path, query, host, {}, b"")
    parsed = parse_download_query(req)
    assert make_auth(now=1893452400).verify_download(parsed.url_variants, parsed.params) == AK


def test_j_fop_query_survives_the_split() -> None:
    req = RawRequest(
        "GET", "/hello.jpg", "imageView2/1/w/100/h/100&e=1893456000&token=MockAccessKey123:x=", HOST, {}, b""
    )
    parsed = parse_download_query(req)
    assert parsed.fop_query == "imageView2/1/w/100/h/100"
    assert parsed.params == {"e": "1893456000", "token": "MockAccessKey123:x="}


SAVEAS_QUERY = "imageView2/1/w/100/h/100|saveas/ZGVtby1idWNrZXQ6dGh1bWIvaGVsbG8tMTAwLmpwZw=="
SAVEAS_SIGN = "MockAccessKey123:TRS52Xu2CFln15pCR01MKa9MjRI="


def test_k_sync_saveas_signing_string(auth: Authenticator) -> None:
    assert auth.verify_sync_saveas(f"{HOST}/hello.jpg?{SAVEAS_QUERY}", SAVEAS_SIGN) == AK


@pytest.mark.parametrize("pipe", ["|", "%7C"])
def test_k_sync_saveas_from_the_request(auth: Authenticator, pipe: str) -> None:
    query = SAVEAS_QUERY.replace("|", pipe) + "/sign/" + SAVEAS_SIGN
    parsed = parse_saveas_signature(RawRequest("GET", "/hello.jpg", query, HOST, {}, b""))
    assert parsed is not None
    assert parsed.fop_query == SAVEAS_QUERY.replace("|", pipe)
    assert auth.verify_sync_saveas(parsed.signed_variants, parsed.sign) == AK


def test_l_callback_qbox_signature(auth: Authenticator) -> None:
    signed = auth.sign(AK, b"/cb\nkey=hello.jpg&hash=FiqubDXJT8-0FdvpX0CLnOke6Ebt")
    assert f"QBox {signed}" == "QBox MockAccessKey123:e0CdhYnHIrXecIQhm9URp8ISd0Q="
    req = request(
        "POST", "/cb", f"QBox {signed}", b"key=hello.jpg&hash=FiqubDXJT8-0FdvpX0CLnOke6Ebt", Content_Type=FORM
    )
    assert auth.verify_management(req) == AK


# -- SDK-published vectors -------------------------------------------------------


def test_sdk_vector_plain_sign() -> None:
    auth = Authenticator({"ak": "sk"})
    assert auth.sign("ak", b"hello") == "ak:NDN8cM0rwosxhHJ6QAcI7ialr0g="


def test_sdk_vector_sign_with_data_is_an_upload_token_shape() -> None:
    auth = Authenticator({"ak": "sk"})
    assert auth.sign("ak", "aGVsbG8=") == "ak:2pn0qs-2kfEsQFuHI2pAYlo0hpc="


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"test", FORM, "svWRNcacOE-YMsc70nuIYdaa1e4="),
        (b"", None, "cFyRVoWrE3IugPIMP5YJFTO-O-Y="),
    ],
)
def test_sdk_vector_qbox_request(body: bytes, content_type: str | None, expected: str) -> None:
    auth = Authenticator({"abcdefghklmnopq": "1234567890"})
    headers = {"Authorization": f"QBox abcdefghklmnopq:{expected}"}
    if content_type:
        headers["Content-Type"] = content_type
    # https://www.qiniu.com?go=1 has an empty path.
    req = RawRequest("POST", "", "go=1", "www.qiniu.com", headers, body)
    assert auth.verify_management(req) == "abcdefghklmnopq"
