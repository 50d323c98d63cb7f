"""Requests take turns in the app only briefly: one held in the app keeps no other from its
answer."""

from __future__ import annotations

import httpd_apps as apps
from rawhttp import connect, read_answer


def test_a_request_held_in_the_app_does_not_keep_the_next_from_its_answer(serve) -> None:
    held = apps.Held()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/held":
            return held(environ, start_response)
        return apps.echo(environ, start_response)

    _, port = serve(app, threads=4)
    with connect(port) as slow, connect(port) as quick:
        slow.sendall(b"GET /held HTTP/1.1\r\nHost: x\r\n\r\n")
        assert held.entered.acquire(timeout=10)
        quick.sendall(b"GET /quick HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_answer(quick.makefile("rb")).status == 200  # while /held is still in the app
        assert held.running == 1
        held.release.set()
        assert read_answer(slow.makefile("rb")).status == 200


def test_requests_in_turn_on_many_connections_all_get_their_answers(serve) -> None:
    _, port = serve(apps.echo, threads=4)
    socks = [connect(port) for _ in range(8)]
    try:
        for round_ in range(5):
            for number, sock in enumerate(socks):
                sock.sendall(f"GET /r{round_}-{number} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            readers = [sock.makefile("rb") for sock in socks]
            assert [read_answer(reader).status for reader in readers] == [200] * len(socks)
    finally:
        for sock in socks:
            sock.close()
