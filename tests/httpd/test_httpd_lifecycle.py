"""The HTTP server over time: drain with a request in flight, listeners opened and closed
while it runs, slow and disconnecting clients, too many connections, and the gate that
bounds the requests in the app."""

from __future__ import annotations

import json
import os
import socket
import ssl
import threading

import httpd_apps as apps
import trustme
from rawhttp import closed, connect, ends, read_answer

from qiniu_emulator.httpd.server import Limits, gate

REQUEST = b"GET /held HTTP/1.1\r\nHost: x\r\n\r\n"


def refused(port: int) -> bool:
    try:
        connect(port, timeout=2).close()
        return False
    except OSError:
        return True


def test_drain_finishes_the_request_in_flight_and_closes_idle_connections(serve) -> None:
    held = apps.Held()
    server, port = serve(held)
    busy, idle = connect(port), connect(port)
    busy.sendall(REQUEST)
    assert held.entered.acquire(timeout=10)
    drained = threading.Thread(target=server.drain, args=(30,))
    drained.start()
    assert closed(idle)  # waited for a request: closed at once
    assert refused(port)
    held.release.set()
    answer = read_answer(busy.makefile("rb"))
    assert (answer.status, answer.body, answer.headers["connection"]) == (200, b"done", "close")
    assert closed(busy)
    drained.join(30)
    assert not drained.is_alive() and server.stopped.is_set()
    busy.close()
    idle.close()


def test_drain_gives_up_on_a_request_past_the_timeout(serve) -> None:
    held = apps.Held()
    server, port = serve(held)
    with connect(port) as sock:
        sock.sendall(REQUEST)
        assert held.entered.acquire(timeout=10)
        server.drain(0.2)
        assert server.stopped.is_set()
        held.release.set()


def test_a_listener_opened_and_closed_while_the_server_runs(serve) -> None:
    server, port = serve(apps.echo)
    extra = server.listen(apps.echo, "127.0.0.1", 0, gate(2))
    with connect(extra.port) as sock:
        sock.sendall(b"GET /extra HTTP/1.1\r\nHost: x\r\n\r\n")
        reader = sock.makefile("rb")
        seen = json.loads(read_answer(reader).body)
        assert (seen["path"], seen["port"]) == ("/extra", str(extra.port))
        server.remove(extra)
        assert refused(extra.port)
        sock.sendall(b"GET /still HTTP/1.1\r\nHost: x\r\n\r\n")  # its open connection goes on
        assert json.loads(read_answer(reader).body)["path"] == "/still"
    with connect(port) as sock:
        sock.sendall(b"GET /main HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_answer(sock.makefile("rb")).status == 200


def test_a_client_that_stops_sending_its_body_is_cut_off(serve) -> None:
    _, port = serve(apps.echo, limits=Limits(idle_timeout=0.3))
    with connect(port) as sock:
        sock.sendall(b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part")
        assert closed(sock)
    with connect(port) as sock:
        sock.sendall(b"GET /fine HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_answer(sock.makefile("rb")).status == 200


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(serve) -> None:
    _, port = serve(apps.echo, limits=Limits(idle_timeout=0.3))
    with connect(port) as sock:
        sock.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_answer(sock.makefile("rb")).status == 200
        assert closed(sock)


def test_a_client_that_disconnects_mid_request_is_noticed_by_the_app(serve) -> None:
    held = apps.Held()
    _, port = serve(held)
    sock = connect(port)
    sock.sendall(REQUEST)
    assert held.entered.acquire(timeout=10)
    sock.close()
    assert held.saw_gone.wait(10)
    held.release.set()


def test_the_gate_bounds_requests_in_the_app_and_queues_the_rest(serve) -> None:
    held = apps.Held()
    _, port = serve(held, threads=1)
    socks = [connect(port) for _ in range(3)]
    for sock in socks:
        sock.sendall(REQUEST)
    assert held.entered.acquire(timeout=10)
    held.release.set()
    assert [read_answer(sock.makefile("rb")).status for sock in socks] == [200, 200, 200]
    assert held.most == 1
    for sock in socks:
        sock.close()


def test_too_many_connections_get_503_and_the_server_goes_on(serve) -> None:
    _, port = serve(apps.echo, limits=Limits(max_connections=2))
    first, second = connect(port), connect(port)
    for sock in (first, second):  # both are served, so both are counted
        sock.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_answer(sock.makefile("rb")).status == 200
    with connect(port) as third:
        answer = read_answer(third.makefile("rb"))
        assert answer.status == 503 and answer.headers["retry-after"] == "1"
    first.close()
    second.close()


def test_a_client_that_resets_mid_answer_leaves_the_server_serving(serve) -> None:
    def big(environ, start_response):
        start_response("200 OK", [("Content-Length", str(64 * 1024 * 1024))])
        return (b"x" * 65536 for _ in range(1024))

    _, port = serve(big)
    sock = connect(port)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(1024).startswith(b"HTTP/1.1 200")
    sock.close()  # with linger 0: a reset
    with connect(port) as again:
        again.sendall(b"HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_answer(again.makefile("rb"), head_only=True).status == 200


def test_a_client_trickling_a_small_body_holds_no_app_thread(serve) -> None:
    _, port = serve(apps.echo, threads=1)
    with connect(port) as slow, connect(port) as other:
        slow.sendall(b"PUT /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nhalf")
        other.sendall(b"GET /other HTTP/1.1\r\nHost: x\r\n\r\n")
        assert json.loads(read_answer(other.makefile("rb")).body)["path"] == "/other"
        slow.sendall(b"-done")
        assert json.loads(read_answer(slow.makefile("rb")).body)["body"] == "half-done"


def tls_contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for 127.0.0.1, and a client context trusting it."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def test_drain_ends_a_connection_that_never_finishes_its_tls_handshake(serve) -> None:
    context, client = tls_contexts()
    server, port = serve(apps.echo, tls=context, scheme="https")
    with connect(port) as silent:
        with connect(port) as sock, client.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"GET /tls HTTP/1.1\r\nHost: x\r\n\r\n")
            assert json.loads(read_answer(tls.makefile("rb")).body)["path"] == "/tls"
        server.drain(30)
        assert ends(silent)


def test_a_large_file_body_over_tls_arrives_intact(serve, tmp_path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 5)
    (tmp_path / "big").write_bytes(data)

    def send(environ, start_response):
        start_response("200 OK", [("Content-Length", str(len(data)))])
        return environ["wsgi.file_wrapper"](open(tmp_path / "big", "rb"))

    context, client = tls_contexts()
    _, port = serve(send, tls=context, scheme="https")
    with connect(port) as sock, client.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
        tls.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_answer(tls.makefile("rb")).body == data
