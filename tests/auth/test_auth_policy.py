"""Put policy parsing, the key decision of an upload, size/mime limits, magic variables."""

from __future__ import annotations

import json

import pytest

from qiniu_emulator.errors import QiniuError
from qiniu_emulator.magic import render_template
from qiniu_emulator.put_policy import PutPolicy

DEADLINE = 1893456000


def policy(**fields) -> PutPolicy:
    return PutPolicy.from_json({"scope": "demo-bucket", "deadline": DEADLINE, **fields})


def rejected(call, *args) -> QiniuError:
    with pytest.raises(QiniuError) as caught:
        call(*args)
    return caught.value


# -- parsing --------------------------------------------------------------------


def test_full_policy_is_typed() -> None:
    parsed = policy(
        scope="demo-bucket:photos/", isPrefixalScope=1, insertOnly=1, endUser="u1",
        returnBody='{"k":$(key)}', callbackUrl="http://a/cb;http://b/cb", callbackBody="k=$(key)",
        callbackBodyType="application/json", persistentOps="avinfo", persistentType=1,
        saveKey="$(etag)$(ext)", forceSaveKey=True, fsizeMin=1, fsizeLimit=100, detectMime=-1,
        mimeLimit="image/*", fileType=1, deleteAfterDays=7, keylimit=["a", "b"], trafficLimit=819200,
        futureField={"x": 1},
    )
    assert (parsed.bucket, parsed.key, parsed.is_prefixal_scope) == ("demo-bucket", "photos/", True)
    assert (parsed.insert_only, parsed.force_save_key, parsed.detect_mime) == (True, True, -1)
    assert (parsed.fsize_min, parsed.fsize_limit, parsed.traffic_limit) == (1, 100, 819200)
    assert parsed.keylimit == ["a", "b"] and parsed.persistent_type == 1
    assert parsed.raw["futureField"] == {"x": 1}


@pytest.mark.parametrize(
    ("scope", "bucket", "key"),
    [
        ("demo-bucket", "demo-bucket", None),
        ("demo-bucket:", "demo-bucket", ""),
        ("demo-bucket:a:b", "demo-bucket", "a:b"),
        ("demo-bucket:视频/1.mp4", "demo-bucket", "视频/1.mp4"),
    ],
)
def test_scope_splits_on_the_first_colon(scope: str, bucket: str, key: str | None) -> None:
    parsed = policy(scope=scope)
    assert (parsed.bucket, parsed.key) == (bucket, key)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"deadline": DEADLINE}, "scope"),
        ({"scope": "", "deadline": DEADLINE}, "scope"),
        ({"scope": ":k", "deadline": DEADLINE}, "scope"),
        ({"scope": 3, "deadline": DEADLINE}, "scope"),
        ({"scope": "b"}, "deadline"),
        ({"scope": "b", "deadline": "1893456000"}, "deadline"),
        ({"scope": "b", "deadline": 1.5}, "deadline"),
        ({"scope": "b", "deadline": True}, "deadline"),
        ({"scope": "b", "deadline": DEADLINE, "fsizeLimit": "10"}, "fsizeLimit"),
        ({"scope": "b", "deadline": DEADLINE, "returnBody": {"a": 1}}, "returnBody"),
        ({"scope": "b", "deadline": DEADLINE, "keylimit": "a"}, "keylimit"),
        ({"scope": "b", "deadline": DEADLINE, "keylimit": ["k"] * 21}, "keylimit"),
        ({"scope": "b", "deadline": DEADLINE, "forceSaveKey": "yes"}, "forceSaveKey"),
        ({"scope": "b", "deadline": DEADLINE, "callbackUrl": "http://cb"}, "callbackBody"),
        ({"scope": "b", "deadline": DEADLINE, "trafficLimit": 10}, "trafficLimit"),
        ({"scope": "b", "deadline": DEADLINE, "fileType": 2, "persistentOps": "avinfo"}, "persistentOps"),
        ({"scope": "b:" + "k" * 751, "deadline": DEADLINE}, "750"),
    ],
)
def test_bad_fields_are_named(data: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        PutPolicy.from_json(data)


def test_nulls_mean_absent() -> None:
    parsed = policy(saveKey=None, fsizeLimit=None, keylimit=None)
    assert (parsed.save_key, parsed.fsize_limit, parsed.keylimit) == ("", None, [])


# -- key decision (docs/wire.md §4.3) ---------------------------------------------------------


def render(template: str) -> str:
    return template.replace("$(etag)", "Fhash").replace("$(x:name)", "alice")


@pytest.mark.parametrize(
    ("fields", "client_key", "expected"),
    [
        ({}, "a.jpg", "a.jpg"),
        ({}, "", ""),  # the empty string is a real key
        ({}, None, None),  # stored under the content hash
        ({"saveKey": "u/$(x:name)"}, None, "u/alice"),
        ({"saveKey": "u/$(x:name)"}, "mine.jpg", "mine.jpg"),
        ({"saveKey": "u/$(x:name)", "forceSaveKey": True}, "mine.jpg", "u/alice"),
        ({"forceSaveKey": True}, "mine.jpg", "mine.jpg"),
        ({"scope": "demo-bucket:hello.jpg"}, "hello.jpg", "hello.jpg"),
        ({"scope": "demo-bucket:hello.jpg", "saveKey": "hello.jpg"}, None, "hello.jpg"),
        ({"scope": "demo-bucket:img/", "isPrefixalScope": 1}, "img/a.jpg", "img/a.jpg"),
        ({"scope": "demo-bucket:", "isPrefixalScope": 1}, None, None),
        ({"keylimit": ["a", "b"]}, "b", "b"),
    ],
)
def test_resolve_key(fields: dict, client_key: str | None, expected: str | None) -> None:
    assert policy(**fields).resolve_key(client_key, render) == expected


@pytest.mark.parametrize(
    ("fields", "client_key"),
    [
        ({"scope": "demo-bucket:hello.jpg"}, None),  # fixed key and no key sent
        ({"scope": "demo-bucket:hello.jpg"}, "other.jpg"),
        ({"scope": "demo-bucket:hello.jpg"}, "hello.jpg.bak"),
        ({"scope": "demo-bucket:hello.jpg", "saveKey": "$(etag)", "forceSaveKey": True}, "hello.jpg"),
        ({"scope": "demo-bucket:img/", "isPrefixalScope": 1}, "video/a.mp4"),
        ({"scope": "demo-bucket:img/", "isPrefixalScope": 1}, None),
        ({"keylimit": ["a", "b"]}, "c"),
        ({"keylimit": ["a", "b"]}, None),
    ],
)
def test_resolve_key_outside_the_scope_is_403(fields: dict, client_key: str | None) -> None:
    error = rejected(policy(**fields).resolve_key, client_key, render)
    assert (error.status, error.message) == (403, "key doesn't match scope")


@pytest.mark.parametrize(
    ("fields", "key", "allowed"),
    [
        ({"scope": "demo-bucket:hello.jpg"}, "hello.jpg", True),
        ({"scope": "demo-bucket:hello.jpg", "insertOnly": 1}, "hello.jpg", False),
        ({"scope": "demo-bucket"}, "hello.jpg", False),
        ({"scope": "demo-bucket:img/", "isPrefixalScope": 1}, "img/a.jpg", False),
    ],
)
def test_allows_overwrite(fields: dict, key: str, allowed: bool) -> None:
    assert policy(**fields).allows_overwrite(key) is allowed


# -- size and mime limits --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "size", "status"),
    [
        ({"fsizeLimit": 100}, 100, None),
        ({"fsizeLimit": 100}, 101, 413),
        ({"fsizeMin": 10}, 10, None),
        ({"fsizeMin": 10}, 9, 403),
        ({"fsizeMin": 0, "fsizeLimit": 0}, 0, None),
        ({}, 10**12, None),
    ],
)
def test_check_size(fields: dict, size: int, status: int | None) -> None:
    if status is None:
        policy(**fields).check_size(size)
    else:
        assert rejected(policy(**fields).check_size, size).status == status


@pytest.mark.parametrize(
    ("limit", "mime", "allowed"),
    [
        ("image/*", "image/png", True),
        ("image/*", "IMAGE/JPEG", True),
        ("image/*", "video/mp4", False),
        ("image/jpeg;image/png", "image/png", True),
        ("image/jpeg;image/png", "image/gif", False),
        ("image/jpeg; image/png", "image/png; charset=binary", True),
        ("!application/json;text/plain", "application/json", False),
        ("!application/json;text/plain", "text/plain", False),
        ("!application/json;text/plain", "image/png", True),
        ("!image/*", "image/webp", False),
        ("", "anything/at-all", True),
    ],
)
def test_check_mime(limit: str, mime: str, allowed: bool) -> None:
    parsed = policy(mimeLimit=limit)
    if allowed:
        parsed.check_mime(mime)
    else:
        error = rejected(parsed.check_mime, mime)
        assert error.status == 403 and "mime type not allowed" in error.message


# -- magic variables ------------------------------------------------------------------


VARIABLES = {
    "key": "photos/a.jpg",
    "etag": "FiqubDXJT8-0FdvpX0CLnOke6Ebt",
    "fsize": 1234,
    "x:a": 'quote " and 视频',
    "imageInfo": {"width": 640, "height": 480},
    "year": "2024",
}


def test_sdk_test_template_renders_valid_json() -> None:
    template = '{"custom_vars":{"a":$(x:a)},"key":$(key),"hash":$(etag)}'
    rendered = json.loads(render_template(template, VARIABLES, json_mode=True))
    assert rendered == {
        "custom_vars": {"a": 'quote " and 视频'},
        "key": "photos/a.jpg",
        "hash": "FiqubDXJT8-0FdvpX0CLnOke6Ebt",
    }


def test_json_mode_types_missing_and_nested_values() -> None:
    template = '{"size":${fsize},"w":$(imageInfo.width),"info":$(imageInfo),"none":$(x:missing)}'
    rendered = json.loads(render_template(template, VARIABLES, json_mode=True))
    assert rendered == {"size": 1234, "w": 640, "info": {"width": 640, "height": 480}, "none": None}


def test_json_mode_inside_a_string_literal_splices_escaped_text() -> None:
    template = '{"path":"$(year)/$(key)","a":"<$(x:a)>","lit":"\\"$(fsize)\\""}'
    rendered = json.loads(render_template(template, VARIABLES, json_mode=True))
    assert rendered == {"path": "2024/photos/a.jpg", "a": '<quote " and 视频>', "lit": '"1234"'}


def test_text_mode_for_save_keys() -> None:
    assert render_template("u/$(year)/${etag}$(x:none).jpg", VARIABLES, json_mode=False) == (
        "u/2024/FiqubDXJT8-0FdvpX0CLnOke6Ebt.jpg"
    )


def test_url_encoded_mode_for_form_callback_bodies() -> None:
    rendered = render_template("key=$(key)&a=$(x:a)&size=$(fsize)", VARIABLES, json_mode=False, url_encode=True)
    assert rendered == "key=photos%2Fa.jpg&a=quote%20%22%20and%20%E8%A7%86%E9%A2%91&size=1234"


def test_text_without_variables_is_unchanged() -> None:
    assert render_template('{"a":"$ (x)", "b": "$x"}', VARIABLES, json_mode=True) == '{"a":"$ (x)", "b": "$x"}'


def test_an_unset_variable_is_empty_in_quotes_and_null_bare() -> None:
    template = '{"quoted":"$(x:notsent)","around":"a$(x:notsent)b","bare":$(x:notsent),"w":"$(imageInfo.depth)"}'
    rendered = json.loads(render_template(template, VARIABLES, json_mode=True))
    assert rendered == {"quoted": "", "around": "ab", "bare": None, "w": ""}
