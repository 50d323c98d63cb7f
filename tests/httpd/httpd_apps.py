"""Small WSGI apps the server tests run."""

from __future__ import annotations

import json
import threading
from typing import Any


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answers what it saw: method, path, query, CONTENT_LENGTH and the body's bytes."""
    body = environ["wsgi.input"].read()
    seen = {"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"], "query": environ["QUERY_STRING"],
            "uri": environ["REQUEST_URI"], "length": environ.get("CONTENT_LENGTH"), "body": body.decode("latin-1"),
            "port": environ["SERVER_PORT"], "headers": sorted(k for k in environ if k.startswith("HTTP_"))}
    data = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                              ("x-amz-meta-color", "red")])
    return [data]


def streamed(environ: dict[str, Any], start_response: Any) -> Any:
    """A body of three parts and no Content-Length."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return iter([b"one ", b"two ", b"three"])


def ignores_body(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answers 401 without reading the body, as a handler refusing a bad token does."""
    start_response("401 Unauthorized", [("Content-Type", "text/plain"), ("Content-Length", "3")])
    return [b"no\n"]


class Held:
    """An app whose requests wait until released; it records how many ran at once and what
    the client-gone check said."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.saw_gone = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.entered.release()
        gone = environ["qiniu_emulator.client_disconnected"]
        while not self.release.wait(0.01):
            if gone():
                self.saw_gone.set()
        with self.lock:
            self.running -= 1
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return [b"done"]
