"""URLs ops fetch over the network pass the fetch policy (--fetch), and a failure reads
the same whether nothing listens, something answers garbage, or the policy refuses."""

from __future__ import annotations

import socket
import threading

import pytest
import requests
from boundary_support import PUBLIC, png
from receiver import RecordingServer, Reply
from support import free_port

from qiniu_emulator.encoding import b64_encode

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
