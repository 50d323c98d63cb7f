"""Signatures: the worked examples of spec section 4.7 (A-L), checked against the
literal vectors and against the official ``qiniu`` SDK signing the same inputs."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest
import qiniu
import requests
from qiniu_fop import Auth, QBoxRequestsAuth, QiniuRequestsAuth, op_save

AK, SK = "MockAccessKey123", "MockSecretKey456"
NOW = 1893452400  # the spec's "now" for token examples
DATE_2024 = 1704067200  # 20240101T000000Z
HOST = "http://127.0.0.1:9100"
FORM = "application/x-www-form-urlencoded"
FOP_A = "imageView2/1/w/100/h/100|saveas/ZGVtby1idWNrZXQ6b3V0L3RodW1iLmpwZw=="
BODY_A = ("bucket=demo-bucket&key=hello.jpg&notifyURL=http%3A%2F%2F127.0.0.1%3A8000%2Fnotify"
          "&fops=imageView2%2F1%2Fw%2F100%2Fh%2F100%7Csaveas%2FZGVtby1idWNrZXQ6b3V0L3RodW1iLmpwZw%3D%3D"
          "&force=1")
PREFOP = "/status/get/prefop?id=z0.0123456789abcdef01234567"
DATE_HEADERS = {"Content-Type": FORM, "X-Qiniu-Date": "20240101T000000Z"}


@pytest.fixture
def auth() -> Auth:
    return Auth(AK, SK, clock=lambda: NOW)


@pytest.fixture
def sdk() -> qiniu.Auth:
    return qiniu.Auth(AK, SK)


@pytest.fixture
def sdk_mac() -> qiniu.QiniuMacAuth:
    return qiniu.QiniuMacAuth(AK, SK)


def sdk_v2(mac: qiniu.QiniuMacAuth, method: str, url: str, headers: dict, body=None) -> str:
    """Sign as the official SDK's requests adapter does (headers already canonical)."""
    return mac.token_of_request(method, None, url, mac.qiniu_headers(headers),
                                headers.get("Content-Type"), body)


def test_a_qbox_pfop(auth, sdk) -> None:
    assert op_save("imageView2/1/w/100/h/100", "demo-bucket", "out/thumb.jpg") == FOP_A
    assert BODY_A == urlencode([("bucket", "demo-bucket"), ("key", "hello.jpg"),
                                ("notifyURL", "http://127.0.0.1:8000/notify"),
                                ("fops", FOP_A), ("force", "1")])
    for path, expected in (("/pfop", "MockAccessKey123:veDKllLvDRjTaY7_q7L2Nkzrdt4="),
                           ("/pfop/", "MockAccessKey123:5C5Aw9Rn6oPDgeXCFU6CabeDTFM=")):
        assert auth.token_of_request(HOST + path, BODY_A, FORM) == expected
        assert sdk.token_of_request(HOST + path, BODY_A, FORM) == expected


def test_b_qbox_prefop(auth, sdk) -> None:
    expected = "MockAccessKey123:YuDHsmFO3Y4-S2rVXv9g1Em1F24="
    assert auth.token_of_request(HOST + PREFOP) == expected
    assert sdk.token_of_request(HOST + PREFOP) == expected


def test_qbox_body_only_counts_for_form_content(auth) -> None:
    assert auth.token_of_request(HOST + "/pfop", BODY_A, "application/json") == \
        auth.token_of_request(HOST + "/pfop")


def test_c_qiniu_pfop(auth, sdk_mac) -> None:
    expected = "MockAccessKey123:e6p913rbpJ7cFXyP7MGdBYpjNNk="
    assert auth.token_of_request_v2("POST", HOST + "/pfop/", DATE_HEADERS, BODY_A) == expected
    assert sdk_v2(sdk_mac, "POST", HOST + "/pfop/", DATE_HEADERS, BODY_A) == expected


def test_d_qiniu_prefop_with_and_without_content_type(auth, sdk_mac) -> None:
    with_ct = "MockAccessKey123:KxjGUuO--ImOVwTyUpePPrblTsI="
    without_ct = "MockAccessKey123:Nk0IbIvkwmm6uO8k3UKwQMEpeQA="
    date_only = {"X-Qiniu-Date": "20240101T000000Z"}
    assert auth.token_of_request_v2("GET", HOST + PREFOP, DATE_HEADERS) == with_ct
    assert auth.token_of_request_v2("GET", HOST + PREFOP, date_only) == without_ct
    assert sdk_v2(sdk_mac, "GET", HOST + PREFOP, DATE_HEADERS) == with_ct
    assert sdk_v2(sdk_mac, "GET", HOST + PREFOP, date_only) == without_ct


def test_e_qiniu_stat(auth, sdk_mac) -> None:
    url = HOST + "/stat/ZGVtby1idWNrZXQ6aGVsbG8udHh0"
    expected = "MockAccessKey123:18iW4bivW9jU0voXChpWqR4FD3g="
    assert auth.token_of_request_v2("POST", url, DATE_HEADERS, "") == expected
    assert sdk_v2(sdk_mac, "POST", url, DATE_HEADERS, "") == expected


def test_f_qiniu_list_signs_the_raw_query(auth, sdk_mac) -> None:
    url = HOST + "/list?bucket=demo-bucket&prefix=%E8%A7%86%E9%A2%91%2F&limit=10"
    expected = "MockAccessKey123:4UYekt84zoAWezCYzTInEwVOvd8="
    assert auth.token_of_request_v2("GET", url, DATE_HEADERS) == expected
    assert sdk_v2(sdk_mac, "GET", url, DATE_HEADERS) == expected


def test_g_lower_case_qiniu_headers_are_canonicalised(auth, sdk_mac) -> None:
    url = HOST + "/v2/list?bucket=demo-bucket&limit=2"
    expected = "MockAccessKey123:xI1Ts4B6LMDmBQ4BZPvXoX9DK9I="
    lower = {"Content-Type": FORM, "x-qiniu-date": "20240101T000000Z", "X-Qiniu-Meta-Foo": "bar"}
    assert auth.token_of_request_v2("GET", url, lower) == expected
    # The SDK matches the prefix case-sensitively, so it is given canonical names.
    canonical = {"Content-Type": FORM, "X-Qiniu-Date": "20240101T000000Z", "X-Qiniu-Meta-Foo": "bar"}
    assert sdk_v2(sdk_mac, "GET", url, canonical) == expected


def test_h_qiniu_json_body(auth, sdk_mac) -> None:
    url = HOST + "/buckets/demo-bucket/objects/~/uploads/abc"
    headers = {"Content-Type": "application/json"}
    expected = "MockAccessKey123:d-MA0ADq6UsI1YMwHsks_8BxDsw="
    assert auth.token_of_request_v2("POST", url, headers, '{"parts":[]}') == expected
    assert sdk_v2(sdk_mac, "POST", url, headers, '{"parts":[]}') == expected


def test_qiniu_octet_stream_body_is_not_signed(auth) -> None:
    url = HOST + "/buckets/b/objects/~/uploads/abc/1"
    headers = {"Content-Type": "application/octet-stream"}
    assert auth.token_of_request_v2("PUT", url, headers, b"\x00\xff") == \
        auth.token_of_request_v2("PUT", url, headers, None)


def test_i_upload_tokens(auth, sdk, monkeypatch) -> None:
    policy = {"persistentOps": FOP_A, "persistentNotifyUrl": "http://127.0.0.1:8000/notify"}
    full = ("MockAccessKey123:Di0KkctMkCGhe5bzavDCqN3Oduk=:eyJzY29wZSI6ImRlbW8tYnVja2V0OmhlbGxvLmpw"
            "ZyIsImRlYWRsaW5lIjoxODkzNDU2MDAwLCJwZXJzaXN0ZW50T3BzIjoiaW1hZ2VWaWV3Mi8xL3cvMTAwL2gvMTAw"
            "fHNhdmVhcy9aR1Z0YnkxaWRXTnJaWFE2YjNWMEwzUm9kVzFpTG1wd1p3PT0iLCJwZXJzaXN0ZW50Tm90aWZ5VXJs"
            "IjoiaHR0cDovLzEyNy4wLjAuMTo4MDAwL25vdGlmeSJ9")
    minimal = ("MockAccessKey123:9Rt_3T0S8YkbfK9mYslL7JmEAhg=:"
               "eyJzY29wZSI6ImRlbW8tYnVja2V0IiwiZGVhZGxpbmUiOjE4OTM0NTYwMDB9")
    assert auth.upload_token("demo-bucket", "hello.jpg", 3600, policy) == full
    assert auth.upload_token("demo-bucket") == minimal
    # Pin the clock of the official SDK's own module only.
    monkeypatch.setattr(qiniu.auth, "time", type("Clock", (), {"time": staticmethod(lambda: NOW)}))
    assert sdk.upload_token("demo-bucket", "hello.jpg", 3600, policy) == full
    assert sdk.upload_token("demo-bucket") == minimal


def test_upload_token_carries_every_persistent_field_in_order(auth) -> None:
    policy = {"persistentOps": "avinfo", "persistentNotifyUrl": "http://n/", "persistentPipeline": "p1",
              "persistentType": 1, "persistentWorkflowTemplateID": "wf-1", "returnBody": '{"k":$(key)}'}
    token = auth.upload_token("b", policy=policy, expires=60)
    decoded = base64.urlsafe_b64decode(token.split(":")[2]).decode()
    assert decoded == ('{"scope":"b","deadline":1893452460,"persistentOps":"avinfo",'
                       '"persistentNotifyUrl":"http://n/","persistentPipeline":"p1","persistentType":1,'
                       '"persistentWorkflowTemplateID":"wf-1","returnBody":"{\\"k\\":$(key)}"}')
    assert list(json.loads(decoded)) == ["scope", "deadline", *policy]


def test_upload_token_rejects_unknown_fields_unless_lax(auth) -> None:
    with pytest.raises(ValueError, match="persistentOp"):
        auth.upload_token("b", policy={"persistentOp": "avinfo"})
    token = auth.upload_token("b", policy={"x-custom": 1}, strict_policy=False)
    assert json.loads(base64.urlsafe_b64decode(token.split(":")[2]))["x-custom"] == 1


def test_upload_token_matches_sdk_structure_at_real_time(sdk) -> None:
    ours = Auth(AK, SK).upload_token("demo-bucket", "k", 600, {"insertOnly": 1})
    theirs = sdk.upload_token("demo-bucket", "k", 600, {"insertOnly": 1})
    ours_policy = json.loads(base64.urlsafe_b64decode(ours.split(":")[2]))
    theirs_policy = json.loads(base64.urlsafe_b64decode(theirs.split(":")[2]))
    assert abs(ours_policy.pop("deadline") - theirs_policy.pop("deadline")) <= 2
    assert ours_policy == theirs_policy == {"scope": "demo-bucket:k", "insertOnly": 1}


def test_j_private_download_urls(auth, sdk, monkeypatch) -> None:
    cases = {
        "http://127.0.0.1:9100/hello.jpg":
            "http://127.0.0.1:9100/hello.jpg?e=1893456000&token=MockAccessKey123:JcodQzgLbpUvTm5K_zREGtPq7hc=",
        "http://127.0.0.1:9100/hello.jpg?imageView2/1/w/100/h/100":
            "http://127.0.0.1:9100/hello.jpg?imageView2/1/w/100/h/100&e=1893456000"
            "&token=MockAccessKey123:pxmG6xIIENVAQJmJ7a7zVv3soTs=",
        "http://127.0.0.1:9100/%E8%A7%86%E9%A2%91/%E6%B5%8B%E8%AF%95%201.mp4":
            "http://127.0.0.1:9100/%E8%A7%86%E9%A2%91/%E6%B5%8B%E8%AF%95%201.mp4?e=1893456000"
            "&token=MockAccessKey123:yuXmAlIe4kkLteksYq4RIoaoNT8=",
    }
    monkeypatch.setattr(qiniu.auth, "time", type("Clock", (), {"time": staticmethod(lambda: NOW)}))
    for url, expected in cases.items():
        assert auth.private_download_url(url, 3600) == expected
        assert sdk.private_download_url(url, 3600) == expected


def test_k_sync_saveas_signature(auth, sdk) -> None:
    data = ("127.0.0.1:9100/hello.jpg?imageView2/1/w/100/h/100"
            "|saveas/ZGVtby1idWNrZXQ6dGh1bWIvaGVsbG8tMTAwLmpwZw==")
    assert auth.token(data) == sdk.token(data) == "MockAccessKey123:TRS52Xu2CFln15pCR01MKa9MjRI="


def test_l_callback_qbox(auth, sdk) -> None:
    body = "key=hello.jpg&hash=FiqubDXJT8-0FdvpX0CLnOke6Ebt"
    expected = "MockAccessKey123:e0CdhYnHIrXecIQhm9URp8ISd0Q="
    assert auth.token_of_request("/cb", body, FORM) == expected
    assert sdk.verify_callback(f"QBox {expected}", "/cb", body)


def test_sdk_published_vectors() -> None:
    ak = Auth("ak", "sk")
    assert ak.token("hello") == qiniu.Auth("ak", "sk").token("hello") == "ak:NDN8cM0rwosxhHJ6QAcI7ialr0g="
    assert ak.token_with_data("hello") == "ak:2pn0qs-2kfEsQFuHI2pAYlo0hpc=:aGVsbG8="
    other = Auth("abcdefghklmnopq", "1234567890")
    assert other.token_of_request("https://www.qiniu.com?go=1", "test", FORM).endswith(
        ":svWRNcacOE-YMsc70nuIYdaa1e4=")
    assert other.token_of_request("https://www.qiniu.com?go=1").endswith(":cFyRVoWrE3IugPIMP5YJFTO-O-Y=")


def test_requests_adapters_sign_what_is_sent() -> None:
    auth = Auth(AK, SK, clock=lambda: DATE_2024)
    pfop = requests.Request("POST", HOST + "/pfop/", data=BODY_A,
                            headers={"Content-Type": FORM}).prepare()
    QBoxRequestsAuth(auth)(pfop)
    assert pfop.headers["Authorization"] == "QBox MockAccessKey123:5C5Aw9Rn6oPDgeXCFU6CabeDTFM="

    QiniuRequestsAuth(auth)(pfop)
    assert pfop.headers["X-Qiniu-Date"] == "20240101T000000Z"
    assert pfop.headers["Authorization"] == "Qiniu MockAccessKey123:e6p913rbpJ7cFXyP7MGdBYpjNNk="

    stat = requests.Request("POST", HOST + "/stat/ZGVtby1idWNrZXQ6aGVsbG8udHh0").prepare()
    QiniuRequestsAuth(auth)(stat)
    assert stat.headers["Content-Type"] == FORM
    assert stat.headers["Authorization"] == "Qiniu MockAccessKey123:18iW4bivW9jU0voXChpWqR4FD3g="


def test_default_port_is_not_part_of_the_signed_host() -> None:
    auth = Auth(AK, SK)
    assert auth.token_of_request_v2("GET", "http://h:80/x", {}) == \
        auth.token_of_request_v2("GET", "http://h/x", {})
    assert auth.token_of_request_v2("GET", "http://h:8080/x", {}) != \
        auth.token_of_request_v2("GET", "http://h/x", {})


@pytest.mark.parametrize("ak, sk", [("", SK), (AK, ""), (None, SK), (AK, None), ("  ", SK)])
def test_missing_keys_are_a_clear_error(ak, sk) -> None:
    with pytest.raises(ValueError, match="must be a non-empty string"):
        Auth(ak, sk)


def test_secret_key_is_not_in_repr() -> None:
    assert SK not in repr(Auth(AK, SK))


@pytest.mark.parametrize("kwargs", [{"bucket": ""}, {"bucket": "b", "expires": 0},
                                    {"bucket": "b", "policy": ["persistentOps"]},
                                    {"bucket": "b", "policy": {"persistentType": "1"}}])
def test_upload_token_bad_input(auth, kwargs) -> None:
    with pytest.raises(ValueError):
        auth.upload_token(**kwargs)
