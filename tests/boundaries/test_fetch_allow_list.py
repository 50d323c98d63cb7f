"""``--fetch allow=<prefix>`` decides on the URL's one spelling (dot segments, escapes, host
case, default ports, user info, IDNA) and the GET sends exactly that spelling."""

from __future__ import annotations

import pytest
import requests
from boundary_support import PUBLIC, png
from receiver import RecordingServer, Reply

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fetch_policy import FetchPolicy
from qiniu_emulator.normal_url import BadUrl, normal_url

MARK = png((0, 0, 255), (8, 8))


def watermarked(server, url: str) -> requests.Response:
    server.emulator.storage.put_bytes(PUBLIC, "base.png", png((255, 255, 255)), mime="image/png")
    fop = f"watermark/1/image/{b64_encode(url)}/gravity/NorthWest/dx/0/dy/0"
    return requests.get(f"{server.url}/_io/{PUBLIC}/base.png?{fop}", timeout=30)


@pytest.fixture
def allowed():
    with RecordingServer() as server:
        server.responder = lambda req: Reply(body=MARK, headers={"X-Reqid": "r"})
        yield server


def test_paths_that_climb_out_of_the_prefix_are_refused_and_nothing_is_sent(start_emulator, allowed):
    server = start_emulator(fetch=f"allow={allowed.url}/ok/")
    base = allowed.url
    for hostile in (f"{base}/ok/../secret.png", f"{base}/ok/%2e%2e/secret.png", f"{base}/ok/%2E%2e/%2e%2E/secret.png",
                    f"{base}/ok/..\\secret.png", f"{base}/ok/./../secret.png", f"{base}/OK/../ok/../secret.png"):
        answer = watermarked(server, hostile)
        assert answer.status_code == 400, (hostile, answer.text)
        assert answer.json()["error"] == \
            f"failed to GET {hostile}: not allowed by the fetch policy (--fetch allow={base}/ok/)"
    escaped = f"{base}/ok/..%2Fsecret.png"
    answer = watermarked(server, escaped)
    assert answer.status_code == 400
    assert answer.json()["error"] == f"failed to GET {escaped}: an escaped '/' or '\\' in the path"
    assert allowed.requests == []


def test_user_info_cannot_point_the_request_at_another_host(start_emulator, allowed):
    with RecordingServer() as other:
        server = start_emulator(fetch=f"allow={allowed.url}")  # no path: the whole origin
        hostile = f"{allowed.url}@{other.url.split('://')[1]}/mark.png"
        answer = watermarked(server, hostile)
        assert answer.status_code == 400 and "not allowed by the fetch policy" in answer.json()["error"]
        assert other.requests == [] and allowed.requests == []


def test_the_request_sends_the_spelling_that_was_allowed(start_emulator, allowed):
    server = start_emulator(fetch=f"allow={allowed.url}/ok/")
    port = allowed.url.rsplit(":", 1)[1]
    spellings = (f"HTTP://127.0.0.1:{port}/ok/./a/../%6Dark.png",
                 f"http://user:secret@127.0.0.1:{port}/ok/mark.png#part",
                 f"http://127.0.0.1:{port}/ok/m%61rk.png?v=a b")
    for url in spellings:
        assert watermarked(server, url).status_code == 200, url
    assert [r.path for r in allowed.requests] == ["/ok/mark.png", "/ok/mark.png", "/ok/mark.png?v=a%20b"]
    assert all("Authorization" not in r.headers for r in allowed.requests)


@pytest.mark.parametrize("url, spelling", [
    ("http://Allowed.Example:80/ok/%2e%2e/x", "http://allowed.example/x"),
    ("https://allowed.example:443/ok/", "https://allowed.example/ok/"),
    ("http://allowed.example./ok/%7euser/%41", "http://allowed.example/ok/~user/A"),
    ("http://%61llowed.example/ok/", "http://allowed.example/ok/"),
    ("http://bücher.example/ok/", "http://xn--bcher-kva.example/ok/"),
    ("http://allowed。example/ok/", "http://allowed.example/ok/"),
    ("http://2130706433/", "http://127.0.0.1/"),
    ("http://0x7f.1/", "http://127.0.0.1/"),
    ("http://[::FFFF:127.0.0.1]:8080/a", "http://[::ffff:7f00:1]:8080/a"),
    ("http://allowed.example/ok/a b/é", "http://allowed.example/ok/a%20b/%C3%A9"),
    ("http://allowed.example/ok/%", "http://allowed.example/ok/%25"),
])
def test_one_spelling(url, spelling):
    assert str(normal_url(url)) == spelling


@pytest.mark.parametrize("url", ["http://allowed.example/ok/..%2fx", "http://allowed.example/ok/%5C..%5Cx",
                                 "http://allowed.example:99999/", "http://allowed.example:0/", "ftp://allowed.example/",
                                 "http:///ok/", "http://bad host/"])
def test_urls_with_no_one_spelling_are_refused(url):
    with pytest.raises(BadUrl):
        normal_url(url)


def test_the_allow_list_compares_origins_not_strings():
    policy = FetchPolicy.parse("allow=http://allowed.example:4123,https://cdn.example/ok/")
    allows = lambda url: policy.allows_url(normal_url(url))  # noqa: E731
    assert allows("http://allowed.example:4123/anything") and allows("HTTPS://CDN.example:443/ok/x.png")
    for hostile in ("http://allowed.example:41230/", "http://allowed.example:4123@evil.example/",
                    "http://allowed.example.evil.example:4123/", "https://cdn.example/ok/../secret",
                    "https://cdn.example/ok/%2e%2e/secret", "http://cdn.example/ok/x.png", "https://cdn.example:8443/ok/"):
        assert not allows(hostile), hostile
    with pytest.raises(ValueError, match="allow= prefix"):
        FetchPolicy.parse("allow=http://bad host/")
