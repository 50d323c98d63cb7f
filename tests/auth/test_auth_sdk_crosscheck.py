"""Requests signed by the official ``qiniu`` SDK, generated at random, must verify.

The SDK is the reference signer: for any path, query, body, content type and set of
X-Qiniu headers (sent in any letter case), our verifier must accept what it signed and
reject the same request once any signed part changes.
"""

from __future__ import annotations

import string

import pytest
import qiniu
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qiniu_emulator.auth import Authenticator, RawRequest, canonical_header_name, parse_download_query
from qiniu_emulator.errors import QiniuError

AK = "MockAccessKey123"
SK = "MockSecretKey456"
NOW = 1704067200
DATE = "20240101T000000Z"

_UNRESERVED = string.ascii_letters + string.digits + "-._~!$'()*+,;=:@"
_percent = st.integers(0, 255).map(lambda b: f"%{b:02X}")
# No raw ';' in paths: the SDK parses URLs with urlparse, which cuts ';params' off the
# last path segment before signing, so such a request is unsignable by it.
_segment = st.lists(
    st.one_of(st.sampled_from(_UNRESERVED.replace(";", "")), _percent), min_size=0, max_size=12
).map("".join)
paths = st.lists(_segment, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))
_query_char = st.one_of(st.sampled_from(_UNRESERVED + "/?=&"), _percent)
queries = st.lists(_query_char, max_size=30).map("".join)
content_types = st.sampled_from(
    [None, "application/x-www-form-urlencoded", "application/json", "text/plain",
     "application/octet-stream", "multipart/form-data; boundary=x"]
)
bodies = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40).map(str.encode)
_header_name = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)
_header_value = (
    st.text(string.ascii_letters + string.digits + " -_.:/", min_size=1, max_size=16)
    .map(str.strip)
    .filter(bool)
)
qiniu_headers = st.dictionaries(_header_name.map(lambda n: f"X-Qiniu-{n}"), _header_value, max_size=3)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE"])
hosts = st.sampled_from(["127.0.0.1:9100", "localhost", "rs.example.test:8080"])


def _random_case(name: str, flips: list[bool]) -> str:
    return "".join(c.swapcase() if flip else c for c, flip in zip(name, flips + [False] * len(name)))


def _qiniu_request(method, host, path, query, content_type, body, extra, flips) -> RawRequest:
    """Sign with ``qiniu.QiniuMacAuth`` and put headers on the wire in random case."""
    canonical = {canonical_header_name(k): v for k, v in extra.items()}
    canonical["X-Qiniu-Date"] = DATE
    mac = qiniu.QiniuMacAuth(AK, SK)
    url = f"http://{host}{path}" + (f"?{query}" if query else "")
    token = mac.token_of_request(
        method, host, url, mac.qiniu_headers(canonical), content_type, body.decode() if body else None
    )
    wire = [(_random_case(k, flips), v) for k, v in canonical.items()]
    if content_type:
        wire.append(("Content-Type", content_type))
    wire.append(("Authorization", f"Qiniu {token}"))
    return RawRequest(method, path, query, host, wire, body)


def _auth() -> Authenticator:
    return Authenticator({AK: SK}, clock=lambda: NOW)


_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(methods, hosts, paths, queries, content_types, bodies, qiniu_headers, st.lists(st.booleans(), max_size=20))
def test_qiniu_mac_auth_signatures_verify(method, host, path, query, content_type, body, extra, flips) -> None:
    req = _qiniu_request(method, host, path, query, content_type, body, extra, flips)
    assert _auth().verify_management(req) == AK


@_settings
@given(paths, queries, content_types, bodies)
def test_qbox_signatures_verify(path, query, content_type, body) -> None:
    url = f"http://127.0.0.1:9100{path}" + (f"?{query}" if query else "")
    token = qiniu.Auth(AK, SK).token_of_request(url, body.decode() if body else None, content_type)
    headers = {"Authorization": f"QBox {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    req = RawRequest("POST", path, query, "127.0.0.1:9100", headers, body)
    assert _auth().verify_management(req) == AK


_tamperings = st.sampled_from(["path", "query", "host", "method", "header", "signature"])


@_settings
@given(methods, paths, queries, content_types, bodies, qiniu_headers, _tamperings)
def test_tampered_sdk_requests_are_rejected(method, path, query, content_type, body, extra, tampering) -> None:
    req = _qiniu_request(method, "127.0.0.1:9100", path, query, content_type, body, extra, [])
    headers = list(req.headers.items())
    changes = {
        "path": dict(raw_path=req.raw_path + "x"),
        "query": dict(raw_query=req.raw_query + "&x=1"),
        "host": dict(host="127.0.0.1:9101"),
        "method": dict(method="PATCH"),
        "header": dict(headers=headers + [("X-Qiniu-Injected", "1")]),
        "signature": dict(headers=[(k, v[:-2] + "A=" if k == "Authorization" else v) for k, v in headers]),
    }[tampering]
    if tampering == "signature" and req.headers["Authorization"].endswith("A="):
        changes = dict(headers=[(k, v[:-2] + "B=" if k == "Authorization" else v) for k, v in headers])
    forged = RawRequest(**{**vars(req), **changes})
    with pytest.raises(QiniuError) as caught:
        _auth().verify_management(forged)
    assert (caught.value.status, caught.value.message) == (401, "bad token")


@_settings
@given(paths, content_types.filter(lambda ct: ct not in (None, "application/octet-stream")),
       bodies.filter(bool), st.binary(min_size=1, max_size=8))
def test_tampered_bodies_are_rejected(path, content_type, body, extra) -> None:
    req = _qiniu_request("POST", "127.0.0.1:9100", path, "", content_type, body, {}, [])
    forged = RawRequest(req.method, req.raw_path, req.raw_query, req.host, req.headers, body + extra)
    with pytest.raises(QiniuError) as caught:
        _auth().verify_management(forged)
    assert caught.value.status == 401


@_settings
@given(st.text(min_size=1, max_size=20).filter(lambda k: ":" not in k), st.integers(1_800_000_000, 2_000_000_000))
def test_sdk_upload_tokens_verify(key, deadline) -> None:
    sdk = qiniu.Auth(AK, SK)
    token = sdk.upload_token("demo-bucket", key, deadline - NOW, {"insertOnly": 1})
    grant = Authenticator({AK: SK}, clock=lambda: NOW).verify_upload_token(token)
    assert (grant.policy.bucket, grant.policy.key, grant.policy.insert_only) == ("demo-bucket", key, True)


def test_sdk_private_download_url_verifies() -> None:
    url = qiniu.Auth(AK, SK).private_download_url("http://127.0.0.1:9100/a b/视频.mp4?avinfo", expires=3600)
    # requests percent-encodes the space and the non-ASCII bytes before sending.
    wire = url.replace(" ", "%20").replace("视频", "%E8%A7%86%E9%A2%91")
    target = wire.removeprefix("http://127.0.0.1:9100")
    path, _, query = target.partition("?")
    req = RawRequest("GET", path, query, "127.0.0.1:9100", {}, b"")
    parsed = parse_download_query(req)
    assert parsed.fop_query == "avinfo"
    assert Authenticator({AK: SK}).verify_download(parsed.url_variants, parsed.params) == AK
