"""URLs ops fetch over the network pass the fetch policy (--fetch), and a failure reads
the same whether nothing listens, something answers garbage, or the policy refuses.
``allow=<prefix>`` decides on the URL's one spelling (dot segments, escapes, host case,
default ports, user info, IDNA) and the GET sends exactly that spelling."""

from __future__ import annotations

import socket
import threading

import pytest
import requests
from boundary_support import PUBLIC, png
from receiver import RecordingServer, Reply
from support import free_port

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fetch_policy import FetchPolicy
from qiniu_emulator.normal_url import BadUrl, normal_url

MARK = png((0, 0, 255), (8, 8))


def watermarked(server, url: str) -> requests.Response:
    server.emulator.storage.put_bytes(PUBLIC, "base.png", png((255, 255, 255)), mime="image/png")
    fop = f"watermark/1/image/{b64_encode(url)}/gravity/NorthWest/dx/0/dy/0"
    return requests.get(f"{server.url}/_io/{PUBLIC}/base.png?{fop}", timeout=30)


@pytest.fixture
def mark_server():
    with RecordingServer() as server:
        server.responder = lambda req: Reply(body=MARK, headers={"X-Reqid": "r"})
        yield server


@pytest.fixture
def garbage_server():
    """Accepts connections and answers with bytes that are not HTTP."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"\x00\x01 not http at all\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def error_of(answer: requests.Response) -> str:
    assert answer.status_code == 400, answer.text
    return answer.json()["error"]


def test_by_default_loopback_is_refused_and_nothing_is_sent(server, mark_server):
    url = f"{mark_server.url}/mark.png"
    assert error_of(watermarked(server, url)) == f"failed to GET {url}: not allowed by the fetch policy"
    closed = f"http://127.0.0.1:{free_port()}/mark.png"
    assert error_of(watermarked(server, closed)) == f"failed to GET {closed}: not allowed by the fetch policy"
    assert mark_server.requests == []


def test_loopback_when_allowed_and_failures_read_alike(start_emulator, mark_server, garbage_server):
    server = start_emulator(fetch="loopback")
    assert watermarked(server, f"{mark_server.url}/mark.png").status_code == 200
    closed = f"http://127.0.0.1:{free_port()}/mark.png"
    garbage = f"{garbage_server}/mark.png"
    assert error_of(watermarked(server, closed)) == f"failed to GET {closed}: could not be fetched"
    assert error_of(watermarked(server, garbage)) == f"failed to GET {garbage}: could not be fetched"


def test_allow_prefixes_and_redirects_are_checked_at_every_hop(start_emulator, mark_server):
    server = start_emulator(fetch=f"allow={mark_server.url}/ok/")
    mark_server.responder = lambda req: (
        Reply(status=302, headers={"Location": f"{mark_server.url}/elsewhere/mark.png", "X-Reqid": "r"})
        if req.path.startswith("/ok/redirect") else Reply(body=MARK, headers={"X-Reqid": "r"}))
    assert watermarked(server, f"{mark_server.url}/ok/mark.png").status_code == 200
    other = f"{mark_server.url}/other/mark.png"
    assert error_of(watermarked(server, other)) == \
        f"failed to GET {other}: not allowed by the fetch policy (--fetch allow={mark_server.url}/ok/)"
    redirect = f"{mark_server.url}/ok/redirect"
    assert "not allowed by the fetch policy" in error_of(watermarked(server, redirect))
    assert [r.path for r in mark_server.requests] == ["/ok/mark.png", "/ok/redirect"]


def test_none_fetches_nothing_but_own_objects_still_work(start_emulator, mark_server):
    server = start_emulator(fetch="none")
    server.emulator.storage.put_bytes(PUBLIC, "mark.png", MARK, mime="image/png")
    assert watermarked(server, f"kodo://{PUBLIC}/mark.png").status_code == 200
    assert watermarked(server, f"{server.url}/_io/{PUBLIC}/mark.png").status_code == 200
    assert "not allowed" in error_of(watermarked(server, f"{mark_server.url}/mark.png"))


def test_an_unreadable_url_is_a_400_naming_it_not_an_internal_error(server):
    for url in ("http://[::1/mark.png", "http://mark.example:port/mark.png"):
        assert error_of(watermarked(server, url)).startswith(f"failed to GET {url}: unreadable URL: "), url


def test_a_trickling_server_is_cut_off_at_the_fetch_deadline(start_emulator):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
            while not stop.wait(0.2):
                try:
                    conn.sendall(b"x")
                except OSError:
                    return

    threading.Thread(target=trickle, daemon=True).start()
    server = start_emulator(fetch="loopback", fetch_timeout=1.0)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/slow.png"
    try:
        assert error_of(watermarked(server, url)) == f"failed to GET {url}: could not be fetched"
    finally:
        stop.set()
        listener.close()


def test_paths_that_climb_out_of_the_prefix_are_refused_and_nothing_is_sent(start_emulator, mark_server):
    server = start_emulator(fetch=f"allow={mark_server.url}/ok/")
    base = mark_server.url
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
    assert mark_server.requests == []


def test_user_info_cannot_point_the_request_at_another_host(start_emulator, mark_server):
    with RecordingServer() as other:
        server = start_emulator(fetch=f"allow={mark_server.url}")  # no path: the whole origin
        hostile = f"{mark_server.url}@{other.url.split('://')[1]}/mark.png"
        answer = watermarked(server, hostile)
        assert answer.status_code == 400 and "not allowed by the fetch policy" in answer.json()["error"]
        assert other.requests == [] and mark_server.requests == []


def test_the_request_sends_the_spelling_that_was_allowed(start_emulator, mark_server):
    server = start_emulator(fetch=f"allow={mark_server.url}/ok/")
    port = mark_server.url.rsplit(":", 1)[1]
    spellings = (f"HTTP://127.0.0.1:{port}/ok/./a/../%6Dark.png",
                 f"http://user:secret@127.0.0.1:{port}/ok/mark.png#part",
                 f"http://127.0.0.1:{port}/ok/m%61rk.png?v=a b")
    for url in spellings:
        assert watermarked(server, url).status_code == 200, url
    assert [r.path for r in mark_server.requests] == ["/ok/mark.png", "/ok/mark.png", "/ok/mark.png?v=a%20b"]
    assert all("Authorization" not in r.headers for r in mark_server.requests)


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
