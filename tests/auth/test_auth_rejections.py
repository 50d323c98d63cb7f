"""What the verifier refuses, with which status and error string, in each mode."""

from __future__ import annotations

import json
import logging

import pytest

from qiniu_emulator.auth import (
    Authenticator,
    AuthMode,
    RawRequest,
    parse_download_query,
    qiniu_strings_to_sign,
    upload_token_from_authorization,
)
from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.errors import QiniuError

AK = "MockAccessKey123"
SK = "MockSecretKey456"
NOW = 1704067200
HOST = "127.0.0.1:9100"
PREFOP = "/status/get/prefop"
PREFOP_QUERY = "id=z0.0123456789abcdef01234567"
QBOX_PREFOP = "QBox MockAccessKey123:YuDHsmFO3Y4-S2rVXv9g1Em1F24="
QINIU_PREFOP = "Qiniu MockAccessKey123:Nk0IbIvkwmm6uO8k3UKwQMEpeQA="  # docs/wire.md §4.7 example D, no Content-Type


def prefop(authorization: str | None, date: str = "20240101T000000Z", query: str = PREFOP_QUERY) -> RawRequest:
    headers = {"X-Qiniu-Date": date}
    if authorization is not None:
        headers["Authorization"] = authorization
    return RawRequest("GET", PREFOP, query, HOST, headers, b"")


def rejected(call, *args) -> QiniuError:
    with pytest.raises(QiniuError) as caught:
        call(*args)
    return caught.value


def upload_token(policy: dict, secret: str = SK, access_key: str = AK) -> str:
    encoded = b64_encode(json.dumps(policy, separators=(",", ":")))
    signer = Authenticator({access_key: secret})
    return f"{signer.sign(access_key, encoded)}:{encoded}"


# -- management ---------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "QBox",
        "QBox MockAccessKey123",
        "Bearer MockAccessKey123:YuDHsmFO3Y4-S2rVXv9g1Em1F24=",
        "QBox UnknownKey:YuDHsmFO3Y4-S2rVXv9g1Em1F24=",
        "QBox MockAccessKey123:YuDHsmFO3Y4-S2rVXv9g1Em1F24",  # padding dropped
        "QBox MockAccessKey123:视频",
        "Qiniu MockAccessKey123:YuDHsmFO3Y4-S2rVXv9g1Em1F24=",  # a QBox signature under Qiniu
    ],
)
def test_bad_management_authorization_is_401_bad_token(auth: Authenticator, authorization) -> None:
    error = rejected(auth.verify_management, prefop(authorization))
    assert (error.status, error.message) == (401, "bad token")


def test_signature_does_not_cover_another_query(auth: Authenticator) -> None:
    error = rejected(auth.verify_management, prefop(QBOX_PREFOP, query="id=z0.other"))
    assert error.status == 401


@pytest.mark.parametrize("date", ["20240101T001501Z", "20231231T234459Z"])
def test_x_qiniu_date_beyond_fifteen_minutes_is_403(make_auth, date: str) -> None:
    req = prefop(None, date=date)
    claimed = make_auth().sign(AK, qiniu_strings_to_sign(req)[0])
    signed = RawRequest(req.method, req.raw_path, req.raw_query, req.host,
                        {"X-Qiniu-Date": date, "Authorization": f"Qiniu {claimed}"}, b"")
    error = rejected(make_auth().verify_management, signed)
    assert (error.status, error.message) == (403, "request time too skewed")


def test_x_qiniu_date_within_fifteen_minutes_is_accepted(make_auth) -> None:
    assert make_auth(now=NOW + 899).verify_management(prefop(QINIU_PREFOP)) == AK


def test_unparsable_x_qiniu_date_is_403(auth: Authenticator) -> None:
    req = RawRequest("GET", PREFOP, PREFOP_QUERY, HOST, {"X-Qiniu-Date": "yesterday"}, b"")
    signed = RawRequest(req.method, req.raw_path, req.raw_query, req.host,
                        {"X-Qiniu-Date": "yesterday",
                         "Authorization": f"Qiniu {auth.sign(AK, qiniu_strings_to_sign(req)[0])}"}, b"")
    assert rejected(auth.verify_management, signed).status == 403


def test_qbox_ignores_x_qiniu_date(make_auth) -> None:
    assert make_auth(now=NOW + 86400).verify_management(prefop(QBOX_PREFOP)) == AK


def test_optional_management_is_none_without_header_and_checked_with_one(auth: Authenticator) -> None:
    assert auth.verify_optional_management(prefop(None)) is None
    assert auth.verify_optional_management(prefop(QBOX_PREFOP)) == AK
    assert rejected(auth.verify_optional_management, prefop("QBox MockAccessKey123:AAAA")).status == 401


# -- the two Qiniu body rules ------------------------------------------------------


def signed_post(auth: Authenticator, content_type: str, body: bytes, sign_body: bool) -> RawRequest:
    head = f"POST /objects\nHost: {HOST}\nContent-Type: {content_type}\n\n".encode()
    token = auth.sign(AK, head + body if sign_body else head)
    headers = {"Content-Type": content_type, "Authorization": f"Qiniu {token}"}
    return RawRequest("POST", "/objects", "", HOST, headers, body)


@pytest.mark.parametrize(
    ("content_type", "sign_body", "accepted"),
    [
        ("application/x-www-form-urlencoded", True, True),
        ("application/x-www-form-urlencoded", False, False),
        ("application/json", True, True),
        ("application/json", False, False),
        ("text/plain", True, True),  # documented rule
        ("text/plain", False, True),  # Go SDK rule
        ("application/octet-stream", False, True),
        ("application/octet-stream", True, False),
    ],
)
def test_qiniu_body_rules(auth: Authenticator, content_type: str, sign_body: bool, accepted: bool) -> None:
    req = signed_post(auth, content_type, b"payload=1", sign_body)
    if accepted:
        assert auth.verify_management(req) == AK
    else:
        assert rejected(auth.verify_management, req).status == 401


def test_qbox_signs_the_body_only_when_exactly_form(auth: Authenticator) -> None:
    body = b"a=1"
    with_body = auth.sign(AK, b"/batch\n" + body)
    without_body = auth.sign(AK, b"/batch\n")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    json_ct = {"Content-Type": "application/json"}
    ok = RawRequest("POST", "/batch", "", HOST, {**form, "Authorization": f"QBox {with_body}"}, body)
    ok_json = RawRequest("POST", "/batch", "", HOST, {**json_ct, "Authorization": f"QBox {without_body}"}, body)
    bad = RawRequest("POST", "/batch", "", HOST, {**form, "Authorization": f"QBox {without_body}"}, body)
    assert auth.verify_management(ok) == AK
    assert auth.verify_management(ok_json) == AK
    assert rejected(auth.verify_management, bad).status == 401


# -- modes ---------------------------------------------------------------------------


def test_lax_accepts_any_configured_account(make_auth) -> None:
    auth = make_auth(mode=AuthMode.LAX, accounts={"OtherKey": "other-secret", AK: SK})
    claimed_unknown = QBOX_PREFOP.replace(AK, "NobodysKey")
    assert auth.verify_management(prefop(claimed_unknown)) == AK
    assert auth.verify_management(prefop(QBOX_PREFOP.replace(AK, "OtherKey"))) == AK


def test_strict_refuses_a_signature_made_by_another_account(make_auth) -> None:
    auth = make_auth(accounts={"OtherKey": "other-secret", AK: SK})
    assert rejected(auth.verify_management, prefop(QBOX_PREFOP.replace(AK, "OtherKey"))).status == 401


def test_lax_logs_the_strings_to_sign_on_failure(make_auth, caplog) -> None:
    auth = make_auth(mode=AuthMode.LAX)
    req = RawRequest("POST", "/objects", "", HOST,
                     {"Content-Type": "text/plain", "Authorization": "Qiniu MockAccessKey123:AAAA"}, b"hi")
    with caplog.at_level(logging.WARNING, logger="qiniu_emulator.auth"):
        assert rejected(auth.verify_management, req).status == 401
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = record.getMessage()
    # Both body variants are shown, the documented one with the body, Go's without.
    assert f"'POST /objects\\nHost: {HOST}\\nContent-Type: text/plain\\n\\nhi'" in message
    assert f"'POST /objects\\nHost: {HOST}\\nContent-Type: text/plain\\n\\n'" in message


def test_strict_does_not_warn(auth: Authenticator, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="qiniu_emulator.auth"):
        rejected(auth.verify_management, prefop("QBox MockAccessKey123:AAAA"))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_off_accepts_garbage(make_auth) -> None:
    auth = make_auth(mode=AuthMode.OFF, now=4_000_000_000)
    assert auth.verify_management(prefop("QBox SomeKey:garbage", date="19990101T000000Z")) == "SomeKey"
    assert auth.verify_management(prefop(None)) == AK
    assert auth.verify_download(["http://x/y"], {"token": "K:nope", "e": "1"}) == "K"
    assert auth.verify_sync_saveas("x", "junk") == AK
    grant = auth.verify_upload_token(upload_token({"scope": "b", "deadline": 1}, secret="wrong"))
    assert (grant.access_key, grant.policy.bucket) == (AK, "b")


def test_off_still_refuses_an_unparsable_upload_token(make_auth) -> None:
    auth = make_auth(mode=AuthMode.OFF)
    assert rejected(auth.verify_upload_token, "not-a-token").message == "bad token"
    assert rejected(auth.verify_upload_token, "a:b:!!!").message == "bad token"
    assert rejected(auth.verify_upload_token, None).message == "token not specified"


# -- upload tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "   "])
def test_missing_upload_token_is_401_token_not_specified(auth: Authenticator, token) -> None:
    error = rejected(auth.verify_upload_token, token)
    assert (error.status, error.message) == (401, "token not specified")


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a:b",
        "a:b:c:d",
        upload_token({"scope": "b", "deadline": 2_000_000_000}, secret="wrong"),
        upload_token({"scope": "b", "deadline": 2_000_000_000}, access_key="Stranger"),
        f"{AK}:x:" + b64_encode("not json"),
        f"{AK}:x:" + b64_encode("[1,2]"),
    ],
)
def test_bad_upload_token_is_401_bad_token(auth: Authenticator, token: str) -> None:
    error = rejected(auth.verify_upload_token, token)
    assert (error.status, error.message) == (401, "bad token")


def test_tampered_policy_is_rejected(auth: Authenticator) -> None:
    token = upload_token({"scope": "b:k", "deadline": 2_000_000_000})
    access_key, sign, _ = token.split(":")
    forged = f"{access_key}:{sign}:" + b64_encode('{"scope":"b","deadline":2000000000}')
    assert rejected(auth.verify_upload_token, forged).status == 401


def test_unsigned_json_cannot_be_parsed_into_a_signed_token(auth: Authenticator) -> None:
    valid = upload_token({"scope": "b", "deadline": 2_000_000_000})
    assert auth.verify_upload_token(valid).policy.bucket == "b"
    assert rejected(auth.verify_upload_token, valid + "x").status == 401


def test_expired_upload_token_is_401_expired_token(make_auth) -> None:
    token = upload_token({"scope": "b", "deadline": NOW - 1})
    error = rejected(make_auth().verify_upload_token, token)
    assert (error.status, error.message) == (401, "expired token")
    assert make_auth(now=NOW - 1).verify_upload_token(token).policy.deadline == NOW - 1


def test_policy_with_a_mistyped_field_is_400_naming_it(auth: Authenticator) -> None:
    error = rejected(auth.verify_upload_token, upload_token({"scope": "b", "deadline": "soon"}))
    assert error.status == 400 and "deadline" in error.message


def test_upload_token_from_authorization_header() -> None:
    assert upload_token_from_authorization("UpToken a:b:c") == "a:b:c"
    assert upload_token_from_authorization("QBox a:b") is None
    assert upload_token_from_authorization(None) is None


# -- private downloads --------------------------------------------------------------------


def download(auth: Authenticator, target: str):
    path, _, query = target.partition("?")
    parsed = parse_download_query(RawRequest("GET", path, query, HOST, {}, b""))
    return auth.verify_download(parsed.url_variants, parsed.params)


def signed_download(auth: Authenticator, target: str, deadline: int) -> str:
    base = f"http://{HOST}{target}" + ("&" if "?" in target else "?") + f"e={deadline}"
    return base.removeprefix(f"http://{HOST}") + "&token=" + auth.sign(AK, base)


def test_download_without_token_is_401_download_token_not_specified(auth: Authenticator) -> None:
    error = rejected(download, auth, "/hello.jpg?e=1893456000")
    assert (error.status, error.message) == (401, "download token not specified")


def test_expired_download_is_401_token_out_of_date(make_auth) -> None:
    target = signed_download(make_auth(), "/hello.jpg", NOW - 10)
    error = rejected(download, make_auth(), target)
    assert (error.status, error.message) == (401, "token out of date")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("hello", "hellp"),
        lambda t: t.replace("e=", "e=1"),
        lambda t: t.replace("imageInfo", "avinfo"),
        lambda t: t.replace("e=2000000000", "x=1"),
    ],
)
def test_tampered_download_is_401_bad_token(auth: Authenticator, mutate) -> None:
    target = mutate(signed_download(auth, "/hello.jpg?imageInfo", 2_000_000_000))
    error = rejected(download, auth, target)
    assert (error.status, error.message) == (401, "bad token")


def test_download_signed_over_https_is_accepted(auth: Authenticator) -> None:
    base = f"https://{HOST}/hello.jpg?e=2000000000"
    assert download(auth, f"/hello.jpg?e=2000000000&token={auth.sign(AK, base)}") == AK


def test_sync_saveas_with_a_wrong_sign_is_401(auth: Authenticator) -> None:
    error = rejected(auth.verify_sync_saveas, f"{HOST}/a.jpg?imageInfo|saveas/eA==", f"{AK}:AAAA")
    assert (error.status, error.message) == (401, "bad token")


def test_a_token_verified_before_expires_when_the_clock_passes_its_deadline() -> None:
    from qiniu_emulator.clock import Clock

    clock = Clock(source=lambda: NOW)
    auth = Authenticator({AK: SK}, mode=AuthMode.STRICT, clock=clock.now)
    token = upload_token({"scope": "b", "deadline": NOW + 60})
    assert auth.verify_upload_token(token).policy.bucket == "b"
    assert auth.verify_upload_token(token).policy.bucket == "b"  # the second use is the remembered one
    clock.advance(61)
    error = rejected(auth.verify_upload_token, token)
    assert (error.status, error.message) == (401, "expired token")
    assert rejected(auth.verify_upload_token, token + "x").message == "bad token"


def test_a_remembered_token_lends_nothing_to_a_token_with_its_signature_and_another_policy(
        auth: Authenticator) -> None:
    token = upload_token({"scope": "b", "deadline": 2_000_000_000})
    assert auth.verify_upload_token(token).policy.bucket == "b"  # now remembered
    access_key, sign, _ = token.split(":")
    wider = b64_encode(json.dumps({"scope": "other", "deadline": 2_000_000_000}).encode())
    error = rejected(auth.verify_upload_token, f"{access_key}:{sign}:{wider}")
    assert (error.status, error.message) == (401, "bad token")
    other_secret = Authenticator({AK: "another-secret"}, mode=AuthMode.STRICT)
    assert rejected(other_secret.verify_upload_token, token).message == "bad token"
