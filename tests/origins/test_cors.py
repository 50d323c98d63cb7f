"""CORS as Qiniu does it: the upload host answers every page, bucket rules decide for
downloads and sync fops, preflights asking for more than a rule allows are refused, and a
`*` rule still answers credentialed requests the way browsers require."""

from __future__ import annotations

import io
import json

import pytest
import qiniu
import requests
from PIL import Image
from support import ACCESS_KEY, SECRET_KEY

PAGE = "http://localhost:5173"
OTHER = "http://127.0.0.1:5173"  # the same page reached another way: another origin


def auth() -> qiniu.Auth:
    return qiniu.Auth(ACCESS_KEY, SECRET_KEY)


def set_rules(server, bucket: str, rules: object) -> requests.Response:
    url = f"{server.url}/corsRules/set/{bucket}"
    return requests.post(url, data=json.dumps(rules), timeout=10,
                         headers={"Content-Type": "application/json", "Authorization": f"QBox {auth().token_of_request(url)}"})


def get_rules(server, bucket: str) -> requests.Response:
    url = f"{server.url}/corsRules/get/{bucket}"
    return requests.get(url, headers={"Authorization": f"QBox {auth().token_of_request(url)}"}, timeout=10)


def preflight(url: str, origin: str, method: str, headers: str = "") -> requests.Response:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return requests.options(url, headers=asked, timeout=10)


def cors(answer: requests.Response) -> dict[str, str]:
    return {k: v for k, v in answer.headers.items() if k.lower().startswith("access-control-")}


@pytest.fixture
def photo(server) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "PNG")
    answer = requests.post(f"{server.url}/", files={"file": ("p.png", buffer.getvalue(), "image/png")},
                           data={"token": auth().upload_token("demo-bucket"), "key": "p.png"}, timeout=10)
    assert answer.status_code == 200
    return f"{server.url}/_io/demo-bucket/p.png"


UPLOADS = [("POST", "/"), ("POST", "/mkblk/4"), ("POST", "/bput/ctx/0"), ("POST", "/mkfile/4"),
           ("POST", "/buckets/demo-bucket/objects/~/uploads"), ("PUT", "/buckets/demo-bucket/objects/~/uploads/id/1"),
           ("GET", "/buckets/demo-bucket/objects/~/uploads/id"), ("DELETE", "/buckets/demo-bucket/objects/~/uploads/id"),
           ("POST", "/buckets/demo-bucket/objects/~/uploads/id")]


@pytest.mark.parametrize("method,path", UPLOADS)
def test_the_upload_host_answers_every_page(server, method, path):
    answer = preflight(f"{server.url}{path}", PAGE, method, "authorization,content-type,content-md5")
    assert answer.status_code == 200
    assert cors(answer)["Access-Control-Allow-Origin"] == "*"
    assert method in cors(answer)["Access-Control-Allow-Methods"]
    assert cors(answer)["Access-Control-Allow-Headers"] == "authorization, content-type, content-md5"
    actual = requests.request(method, f"{server.url}{path}", headers={"Origin": PAGE}, timeout=10)
    assert actual.status_code >= 400  # no token: refused, and the page can still read why
    assert cors(actual) == {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-Log, X-Reqid"}


def test_an_upload_from_a_page_is_readable_there(server):
    answer = requests.post(f"{server.url}/", headers={"Origin": PAGE}, files={"file": ("a.txt", b"hi")},
                           data={"token": auth().upload_token("demo-bucket"), "key": "a.txt"}, timeout=10)
    assert answer.status_code == 200 and cors(answer)["Access-Control-Allow-Origin"] == "*"


def test_other_endpoints_and_methods_speak_no_cors(server):
    assert preflight(f"{server.url}/stat/eA==", PAGE, "POST").status_code == 403
    assert preflight(f"{server.url}/", PAGE, "PATCH").status_code == 403
    answer = requests.post(f"{server.url}/stat/eA==", headers={"Origin": PAGE}, timeout=10)
    assert not cors(answer)


def test_a_bucket_without_rules_allows_every_origin(server, photo):
    for url in (photo, f"{photo}?imageInfo", f"{photo}?imageMogr2/thumbnail/16x"):
        answer = requests.get(url, headers={"Origin": PAGE}, timeout=30)
        assert answer.status_code == 200
        assert cors(answer) == {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-Log, X-Reqid",
                                "Access-Control-Max-Age": "2592000"}
    assert preflight(photo, PAGE, "GET", "range").status_code == 200


def test_rules_are_set_and_read_as_the_sdks_send_them(server):
    rule = {"allowed_origin": [PAGE], "allowed_method": ["GET", "HEAD"], "allowed_header": ["range"],
            "exposed_header": ["ETag"], "max_age": 600}
    assert set_rules(server, "demo-bucket", [rule]).status_code == 200
    assert get_rules(server, "demo-bucket").json() == [rule]
    assert set_rules(server, "demo-bucket", []).status_code == 200
    assert get_rules(server, "demo-bucket").json() == []


@pytest.mark.parametrize("body,field", [
    ({"allowed_origin": ["*"]}, "array"), ([{"allowed_method": ["GET"]}], "allowed_origin"),
    ([{"allowed_origin": [PAGE]}], "allowed_method"), ([{"allowed_origin": [PAGE], "allowed_method": ["FETCH"]}], "FETCH"),
    ([{"allowed_origin": [PAGE], "allowed_method": ["GET"], "max_age": -1}], "max_age"),
    ([{"allowed_origin": ["http://a\r\nSet-Cookie: x"], "allowed_method": ["GET"]}], "allowed_origin"),
    ([{"allowed_origin": [PAGE], "allowed_method": ["GET"], "allowed_headers": ["x"]}], "allowed_headers"),
])
def test_bad_rules_are_a_400_naming_the_field(server, body, field):
    answer = set_rules(server, "demo-bucket", body)
    assert answer.status_code == 400 and field in answer.json()["error"]
    assert get_rules(server, "demo-bucket").json() == []


def test_rules_need_a_signature_and_a_bucket(server):
    assert requests.post(f"{server.url}/corsRules/set/demo-bucket", data="[]", timeout=10).status_code == 401
    assert set_rules(server, "no-such-bucket", []).status_code == 631


def test_origins_match_exactly_and_credentials_get_the_origin_back(server, photo):
    set_rules(server, "demo-bucket", [{"allowed_origin": [PAGE], "allowed_method": ["GET"], "exposed_header": ["ETag"]}])
    for url in (photo, f"{photo}?imageInfo"):
        listed = requests.get(url, headers={"Origin": PAGE}, timeout=30)
        assert cors(listed) == {"Access-Control-Allow-Origin": PAGE, "Access-Control-Allow-Credentials": "true",
                                "Access-Control-Expose-Headers": "X-Log, X-Reqid, ETag"}
        assert listed.headers["Vary"] == "Origin"
        unlisted = requests.get(url, headers={"Origin": OTHER}, timeout=30)
        assert unlisted.status_code == 200 and not cors(unlisted)  # the browser refuses to hand it over
    for origin in (OTHER, "https://localhost:5173", "http://localhost:51730", "null"):
        assert preflight(photo, origin, "GET").status_code == 403, origin


def test_a_star_rule_with_credentials_echoes_the_origin(server, photo):
    set_rules(server, "demo-bucket", [{"allowed_origin": ["*"], "allowed_method": ["GET"], "allowed_header": ["*"]}])
    answer = requests.get(photo, headers={"Origin": OTHER, "Cookie": "session=1"}, timeout=10)
    assert cors(answer)["Access-Control-Allow-Origin"] == OTHER  # never "*" beside credentials
    assert cors(answer)["Access-Control-Allow-Credentials"] == "true"
    flight = preflight(photo, OTHER, "GET", "x-anything,range")
    assert flight.status_code == 200 and cors(flight)["Access-Control-Allow-Origin"] == OTHER
    assert "Access-Control-Max-Age" not in cors(flight)  # no max_age: not cached


def test_preflights_for_unlisted_methods_and_headers_are_refused(server, photo):
    set_rules(server, "demo-bucket", [{"allowed_origin": ["http://*.example.com"], "allowed_method": ["GET"],
                                       "allowed_header": ["Range"], "max_age": 60}])
    origin = "http://app.example.com"
    allowed = preflight(photo, origin, "GET", "range")
    assert allowed.status_code == 200 and cors(allowed)["Access-Control-Max-Age"] == "60"
    for method, headers in (("PUT", ""), ("DELETE", ""), ("GET", "range,x-secret"), ("GET", "authorization")):
        refused = preflight(photo, origin, method, headers)
        assert refused.status_code == 403 and not cors(refused), (method, headers)
    assert preflight(photo, "http://example.com", "GET").status_code == 403  # the * stands for some text


def test_bucket_domains_follow_the_same_rules(server, photo):
    set_rules(server, "demo-bucket", [{"allowed_origin": [PAGE], "allowed_method": ["GET"]}])
    port = server.url.rsplit(":", 1)[1]
    host = {"Host": f"demo-bucket.localhost:{port}"}
    listed = requests.get(f"{server.url}/p.png", headers={**host, "Origin": PAGE}, timeout=10)
    assert listed.status_code == 200 and cors(listed)["Access-Control-Allow-Origin"] == PAGE
    refused = requests.options(f"{server.url}/p.png", timeout=10,
                               headers={**host, "Origin": OTHER, "Access-Control-Request-Method": "GET"})
    assert refused.status_code == 403


def test_dropping_a_bucket_drops_its_rules(server, sdk):
    signer = qiniu.QiniuMacAuth(ACCESS_KEY, SECRET_KEY)
    assert requests.post(f"{server.url}/mkbucketv3/cors-temp/region/z0", auth=qiniu.auth.QiniuMacRequestsAuth(signer),
                         timeout=10).status_code == 200
    set_rules(server, "cors-temp", [{"allowed_origin": [PAGE], "allowed_method": ["GET"]}])
    assert requests.post(f"{server.url}/drop/cors-temp", auth=qiniu.auth.QiniuMacRequestsAuth(signer),
                         timeout=10).status_code == 200
    assert requests.post(f"{server.url}/mkbucketv3/cors-temp/region/z0", auth=qiniu.auth.QiniuMacRequestsAuth(signer),
                         timeout=10).status_code == 200
    assert get_rules(server, "cors-temp").json() == []


def test_rules_survive_a_restart(start_emulator, tmp_path):
    first = start_emulator(data=tmp_path / "data")
    set_rules(first, "demo-bucket", [{"allowed_origin": [PAGE], "allowed_method": ["GET"]}])
    first.stop()
    second = start_emulator(data=tmp_path / "data")
    assert get_rules(second, "demo-bucket").json()[0]["allowed_origin"] == [PAGE]
