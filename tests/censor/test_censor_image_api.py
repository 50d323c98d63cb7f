"""POST /v3/image/censor through the official SDK's Qiniu-signed request
(QiniuMacAuth, as SDK users call ai.qiniuapi.com), with the answer of docs/censor.md §2."""

from __future__ import annotations

import base64
import json

import qiniu
import requests
from censor_support import jpeg, upload
from qiniu import QiniuMacAuth
from qiniu import http as qiniu_http

from qiniu_contracts.scenarios import ScenarioControl
from support import ACCESS_KEY, SECRET_KEY

BUCKET = "demo-bucket"


def image_censor(server, body: dict, secret: str = SECRET_KEY):
    """The request as the SDK sends it: JSON body, Content-Type signed with the body."""
    auth = QiniuMacAuth(ACCESS_KEY, secret)
    return qiniu_http._post_with_qiniu_mac_and_headers(
        f"{server.url}/v3/image/censor", json.dumps(body), auth, {"Content-Type": "application/json"})


def body(uri: str, *scenes: str) -> dict:
    return {"data": {"uri": uri}, "params": {"scenes": list(scenes) or ["pulp", "terror", "politician"]}}


def test_an_own_object_passes_by_default(server, sdk):
    upload(sdk, BUCKET, "a.jpg", jpeg())
    ret, info = image_censor(server, body(f"qiniu://{BUCKET}/a.jpg"))
    assert info.status_code == 200, info
    assert (ret["code"], ret["message"], ret["result"]["suggestion"]) == (200, "OK", "pass")
    assert list(ret["result"]["scenes"]) == ["pulp", "terror", "politician"]
    for scene in ret["result"]["scenes"].values():
        assert scene["suggestion"] == "pass"
        assert scene["details"][0]["label"] == "normal"


def test_metadata_and_rules_decide_through_a_download_url(server, sdk):
    upload(sdk, BUCKET, "m.jpg", jpeg(), meta={"x-qn-meta-censor-pulp": "block"})
    ret, info = image_censor(server, body(f"{server.url}/_io/{BUCKET}/m.jpg", "pulp", "ads"))
    assert info.status_code == 200, info
    assert ret["result"]["suggestion"] == "block"
    assert ret["result"]["scenes"]["pulp"]["details"] == [{"suggestion": "block", "label": "pulp", "score": 0.99}]
    assert ret["result"]["scenes"]["ads"]["suggestion"] == "pass"
    rule = ScenarioControl(server.url)(endpoint="censor.image", censor={"scene": "ads", "suggestion": "review"})
    again, _ = image_censor(server, body(f"{server.url}/_io/{BUCKET}/m.jpg", "pulp", "ads"))
    assert again["result"]["scenes"]["ads"]["suggestion"] == "review" and rule.hits == 1


def test_a_data_uri_is_judged_too(server):
    data = base64.b64encode(jpeg()).decode()
    ret, info = image_censor(server, body(f"data:application/octet-stream;base64,{data}", "terror"))
    assert info.status_code == 200 and ret["result"]["suggestion"] == "pass"


def test_bad_requests_are_400_with_a_reason(server, sdk):
    cases = [
        (body(f"qiniu://{BUCKET}/missing.jpg"), "could not be read"),
        (body(f"qiniu://{BUCKET}/x.jpg", "porn"), "unknown scene 'porn'"),
        ({"data": {"uri": f"qiniu://{BUCKET}/x.jpg"}, "params": {}}, "params.scenes"),
        ({"params": {"scenes": ["pulp"]}}, "data must be a JSON object"),
        (body("data:application/octet-stream;base64,@@@", "pulp"), "not valid base64"),
        (body("http://[::1/x.jpg", "pulp"), "unreadable URL"),
        (body("http://example.com:port/x.jpg", "pulp"), "unreadable URL"),
        (body(f"qiniu://{BUCKET}/../etc/passwd", "pulp"), "no such file"),
        (body("file:///etc/passwd", "pulp"), "only http(s) and kodo://"),
        ({"data": {"uri": 5}, "params": {"scenes": ["pulp"]}}, "data.uri is required"),
        ({"data": {"uri": f"qiniu://{BUCKET}/x.jpg"}, "params": {"scenes": [1, {}]}}, "params.scenes"),
    ]
    for request_body, words in cases:
        ret, info = image_censor(server, request_body)
        assert info.status_code == 400, (request_body, info)
        assert words in info.text_body, (request_body, info.text_body)
    for raw in (b"{", b"[]", b"null", b'"text"'):
        auth = QiniuMacAuth(ACCESS_KEY, SECRET_KEY)
        ret, info = qiniu_http._post_with_qiniu_mac_and_headers(
            f"{server.url}/v3/image/censor", raw, auth, {"Content-Type": "application/json"})
        assert info.status_code == 400 and "the body must be a JSON object" in info.text_body, (raw, info)


def test_only_a_valid_qiniu_token_is_accepted(server, sdk):
    ret, info = image_censor(server, body(f"qiniu://{BUCKET}/a.jpg"), secret="wrong-secret")
    assert info.status_code == 401 and "bad token" in info.text_body
    qbox = qiniu.Auth(ACCESS_KEY, SECRET_KEY).token_of_request(f"{server.url}/v3/image/censor")
    answer = requests.post(f"{server.url}/v3/image/censor", json=body("qiniu://x/y"),
                           headers={"Authorization": f"QBox {qbox}"})
    assert answer.status_code == 401 and answer.json()["error"] == "bad token"
    assert requests.post(f"{server.url}/v3/image/censor", json=body("qiniu://x/y")).status_code == 401


def test_our_client_signs_for_the_sdk_host_without_a_date(server, sdk):
    """As the PHP examples call ai.qiniuapi.com: Qiniu-signed, no X-Qiniu-Date, Host ai.qiniuapi.com."""
    import qiniu_fop
    from qiniu_fop.auth import QiniuRequestsAuth

    upload(sdk, BUCKET, "censor-review-pulp/b.jpg", jpeg())
    auth = QiniuRequestsAuth(qiniu_fop.Auth(ACCESS_KEY, SECRET_KEY), sign_date=False)
    answer = requests.post(f"{server.url}/v3/image/censor", auth=auth,
                           headers={"Host": "ai.qiniuapi.com", "Content-Type": "application/json"},
                           data=json.dumps(body(f"qiniu://{BUCKET}/censor-review-pulp/b.jpg", "pulp")))
    assert answer.status_code == 200, answer.text
    assert "X-Qiniu-Date" not in answer.request.headers
    assert answer.request.headers["Authorization"].startswith("Qiniu ")
    assert answer.json()["result"]["scenes"]["pulp"]["details"][0]["label"] == "sexy"


def test_several_images_in_one_request(server, sdk):
    upload(sdk, BUCKET, "m/one.jpg", jpeg())
    upload(sdk, BUCKET, "m/two.jpg", jpeg(), meta={"x-qn-meta-censor": "review"})
    request_body = {"data": {"uris": [f"qiniu://{BUCKET}/m/one.jpg", f"qiniu://{BUCKET}/m/two.jpg",
                                      f"qiniu://{BUCKET}/m/missing.jpg"]},
                    "params": {"scenes": ["pulp", "terror"]}}
    ret, info = qiniu_http._post_with_qiniu_mac_and_headers(
        f"{server.url}/v3/image/censor/mult", json.dumps(request_body), QiniuMacAuth(ACCESS_KEY, SECRET_KEY),
        {"Content-Type": "application/json"})
    assert info.status_code == 200, info
    one, two, missing = ret["results"]
    assert (ret["code"], ret["message"]) == (200, "OK")
    assert one["uri"] == f"qiniu://{BUCKET}/m/one.jpg" and one["code"] == 200
    assert one["result"]["suggestion"] == "pass" and two["result"]["suggestion"] == "review"
    assert missing["code"] == 400 and "could not be read" in missing["message"] and "result" not in missing
    for bad in ({"data": {"uris": []}, "params": {"scenes": ["pulp"]}},
                {"data": {"uris": ["x"] * 101}, "params": {"scenes": ["pulp"]}}):
        _, info = qiniu_http._post_with_qiniu_mac_and_headers(
            f"{server.url}/v3/image/censor/mult", json.dumps(bad), QiniuMacAuth(ACCESS_KEY, SECRET_KEY),
            {"Content-Type": "application/json"})
        assert info.status_code == 400 and "data.uris must be a list of 1 to 100" in info.text_body
