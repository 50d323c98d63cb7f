"""Arbitrary credentials never crash the verifier: they are accepted or a 4xx QiniuError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qiniu_emulator.auth import Authenticator, AuthMode, RawRequest, parse_download_query, parse_saveas_signature
from qiniu_emulator.errors import QiniuError

ACCOUNTS = {"MockAccessKey123": "MockSecretKey456"}
modes = st.sampled_from(list(AuthMode))
junk = st.text(max_size=60)
# What can arrive in a header: no line breaks (werkzeug refuses them).
header_text = st.text(st.characters(exclude_characters="\r\n"), max_size=60)
credential_like = st.builds(lambda a, b, c: f"{a}:{b}:{c}", header_text, header_text, header_text)


def outcome(call, *args) -> object:
    try:
        return call(*args)
    except QiniuError as error:
        assert 400 <= error.status < 500, error
        return error


@settings(max_examples=300, deadline=None)
@given(modes, st.one_of(header_text, credential_like), st.sampled_from(["QBox ", "Qiniu ", "UpToken ", ""]),
       header_text)
def test_garbage_management_headers(mode, credential, scheme, date) -> None:
    headers = {"Authorization": scheme + credential, "X-Qiniu-Date": date}
    req = RawRequest("POST", "/pfop", "", "h", headers, b"x")
    result = outcome(Authenticator(ACCOUNTS, mode).verify_management, req)
    assert isinstance(result, (str, QiniuError))


@settings(max_examples=300, deadline=None)
@given(modes, st.one_of(st.none(), junk, credential_like))
def test_garbage_upload_tokens(mode, token) -> None:
    outcome(Authenticator(ACCOUNTS, mode).verify_upload_token, token)


@settings(max_examples=300, deadline=None)
@given(modes, junk, junk)
def test_garbage_download_and_saveas_queries(mode, path, query) -> None:
    req = RawRequest("GET", "/" + path, query, "h", {}, b"")
    auth = Authenticator(ACCOUNTS, mode)
    parsed = parse_download_query(req)
    outcome(auth.verify_download, parsed.url_variants, parsed.params)
    saveas = parse_saveas_signature(req)
    if saveas is not None:
        outcome(auth.verify_sync_saveas, saveas.signed_variants, saveas.sign)
