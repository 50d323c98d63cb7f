"""Object bytes and upload answers never become markup where they should not: every answer
says nosniff, upload answers are JSON or text/plain with <, > and & escaped, and the
path-style origin (shared by every bucket) opens uploaded pages in a script-less sandbox."""

from __future__ import annotations

import json

import pytest
import qiniu
import requests
from support import ACCESS_KEY, SECRET_KEY

HOSTILE = "<img src=x onerror=alert(1)>&<script>alert(2)</script>"


def token(key: str | None = None, **policy) -> str:
    return qiniu.Auth(ACCESS_KEY, SECRET_KEY).upload_token("demo-bucket", key, policy=policy or None)


def form(server, key: str, data: bytes = b"x", mime: str = "application/octet-stream", **fields) -> requests.Response:
    return requests.post(f"{server.url}/", files={"file": ("f", data, mime)},
                         data={"token": fields.pop("token", None) or token(), "key": key, **fields}, timeout=10)


def assert_markup_free(answer: requests.Response) -> None:
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Type"].split(";")[0] in ("application/json", "text/plain")
    assert not any(c in answer.text for c in "<>&"), answer.text


@pytest.mark.parametrize("accept", ["", "application/json", "text/plain", "text/plain; charset=utf-8"])
def test_an_upload_answer_naming_a_hostile_key_is_never_markup(server, accept):
    answer = form(server, HOSTILE, accept=accept)
    assert answer.status_code == 200
    assert_markup_free(answer)
    assert json.loads(answer.text)["key"] == HOSTILE  # the same value, escaped
    assert answer.headers["Content-Type"].startswith(accept or "application/json")


@pytest.mark.parametrize("accept", ["text/html", "text/html; charset=utf-8", "application/xhtml+xml",
                                    "image/svg+xml", "text/xml", "*/*"])
def test_accept_cannot_ask_for_a_type_a_browser_renders(server, accept):
    answer = form(server, "page.html", accept=accept)
    assert answer.status_code == 400 and "text/html" not in answer.headers["Content-Type"]
    assert not server.emulator.storage.exists("demo-bucket", "page.html")


def test_a_return_body_carrying_markup_is_escaped(server):
    body = '{"key": $(key), "name": $(x:name), "mime": $(mimeType)}'
    answer = form(server, "a.txt", token=token(returnBody=body), **{"x:name": HOSTILE})
    assert answer.status_code == 200
    assert_markup_free(answer)
    assert answer.json()["name"] == HOSTILE


def test_a_return_body_that_is_not_json_is_still_not_markup(server):
    answer = form(server, "b.txt", token=token(returnBody="<html><body>$(key)</body></html>"), accept="text/plain")
    assert answer.status_code == 200
    assert_markup_free(answer)


def test_errors_naming_the_key_are_escaped(server):
    assert form(server, HOSTILE).status_code == 200
    again = form(server, HOSTILE, b"other bytes", token=token(HOSTILE, insertOnly=1))
    assert again.status_code == 614
    assert_markup_free(again)


def test_every_download_says_nosniff_and_path_style_pages_are_sandboxed(server):
    assert form(server, "page.html", b"<script>document.title='ran'</script>", "text/html").status_code == 200
    path_style = requests.get(f"{server.url}/_io/demo-bucket/page.html", timeout=10)
    assert path_style.headers["X-Content-Type-Options"] == "nosniff"
    assert path_style.headers["Content-Security-Policy"] == "sandbox"
    assert path_style.content == b"<script>document.title='ran'</script>"  # the bytes stay the object's
    port = server.url.rsplit(":", 1)[1]
    domain = requests.get(f"http://127.0.0.1:{port}/page.html", headers={"Host": f"demo-bucket.localhost:{port}"},
                          timeout=10)
    assert domain.headers["X-Content-Type-Options"] == "nosniff"
    assert domain.headers["Content-Type"].startswith("text/html")  # a bucket's own origin, as on Qiniu


def test_a_text_object_is_not_sniffed_into_a_page(server):
    assert form(server, "note.txt", b"<html><script>alert(1)</script>", "text/plain").status_code == 200
    answer = requests.get(f"{server.url}/_io/demo-bucket/note.txt", timeout=10)
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
