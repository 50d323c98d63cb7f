"""The S3 door's Flask app: addressing (path-style and virtual-host), the operation's name, the
SigV4 check, scenario rules, errors as S3's XML, and the shared request log.

It serves on its own port (``--s3-port``); the native port hands it requests whose Host is an
S3 endpoint name (``s3.<region>.qiniucs.com``, ``<bucket>.s3.<region>.qiniucs.com``).
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import unquote

from flask import Flask, Response, g, request
from werkzeug.exceptions import ClientDisconnected

from ..api import faults
from ..app import record_exchange
from ..scenarios import Facts
from ..auth import RawRequest
from ..errors import QiniuError
from .api import HANDLERS, S3Call
from ..s3_errors import S3Error, translate
from .multipart import S3Multipart
from .names import BucketNames
from ..cors import requested_headers
from .cross_origin import Preflight, preflight_headers, response_headers
from .operations import PREFLIGHT, is_supported, operation_for, scenario_name
from .payload import Payload
from .regions import is_s3_label, kodo_region, region_of_host
from .service import S3Service, s3_errors
from ..auth.sigv4 import SigV4Caller, Signed, query_pairs
from .wire import error_xml

if TYPE_CHECKING:
    from ..emulator import Emulator

log = logging.getLogger("qiniu_emulator.s3")
EXTENSION = "qiniu_emulator_s3"


@dataclass
class S3Door:
    """The services behind the S3 app, built once per emulator."""

    emulator: "Emulator"
    service: S3Service
    multipart: S3Multipart
    names: BucketNames

    @classmethod
    def build(cls, emulator: "Emulator") -> "S3Door":
        service = S3Service(emulator.storage, emulator.cors)
        return cls(emulator, service, S3Multipart(emulator.storage, service.attributes),
                   BucketNames(emulator.settings.s3_aliases))

    def signed(self, raw: RawRequest) -> Signed:
        """What the request's SigV4 (header or presigned query) vouches for."""
        auth = self.emulator.auth
        caller = auth.authenticate(raw, auth.s3)
        if isinstance(caller, SigV4Caller) and caller.signed is not None:
            return caller.signed
        return auth.sigv4.anonymous()


def is_s3_host(host: str) -> bool:
    """Whether a Host header names an S3 endpoint (``s3[-<region>].<...>``, ``<bucket>.s3[-<region>].<...>``)."""
    return any(is_s3_label(label) for label in host.rsplit(":", 1)[0].lower().split("."))


def route_s3_hosts(native: Any, s3: Any) -> Callable[[dict, Any], Any]:
    """A WSGI app that hands S3 endpoint names to the S3 app and everything else to ``native``."""
    def route(environ: dict, start_response: Any) -> Any:
        app = s3 if is_s3_host(environ.get("HTTP_HOST", "")) else native
        return app(environ, start_response)

    return route


def addressed(host: str, raw_path: str, domain_suffix: str) -> tuple[str, str]:
    """(bucket, key) of a request: from ``<bucket>.s3.<...>`` or ``<bucket>.<suffix>`` hosts, else the path."""
    hostname = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else ""
    labels = hostname.split(".")
    bucket = ""
    for index, label in enumerate(labels[1:], start=1):
        if is_s3_label(label):
            bucket = ".".join(labels[:index])
            break
    if not bucket and hostname.endswith("." + domain_suffix) and not hostname.startswith("s3."):
        bucket = hostname[: -len(domain_suffix) - 1]
    path = unquote(raw_path)
    if bucket:
        return bucket, path[1:] if path.startswith("/") else path
    bucket, _, key = path.lstrip("/").partition("/") if path.startswith("/") else ("", "", "")
    return bucket, key


def create_s3_app(emulator: "Emulator") -> Flask:
    app = Flask("qiniu_emulator.s3", static_folder=None)  # /static/... is a bucket named static
    door = S3Door.build(emulator)
    app.extensions[EXTENSION] = door
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    # One view for every path: the operation is named from the raw request, not from Flask's routing.
    app.add_url_rule("/", "s3", view_func=lambda **_: _serve(door), methods=_METHODS)
    app.add_url_rule("/<path:anything>", "s3_path", view_func=lambda **_: _serve(door), methods=_METHODS)

    @app.before_request
    def start() -> None:
        g.started, g.reqid = time.monotonic(), secrets.token_hex(8).upper()

    @app.errorhandler(QiniuError)
    def native_error(exc: QiniuError) -> Response:
        return _error_response(exc)

    @app.errorhandler(S3Error)
    def s3_error(exc: S3Error) -> Response:
        return _error_response(exc)

    @app.errorhandler(ClientDisconnected)
    def body_cut(exc: ClientDisconnected) -> Response:
        # the client stopped sending the body it announced: closed, or silent too long
        return _error_response(S3Error.incomplete_body())

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error on S3 %s %s", request.method, request.path)
        return _error_response(S3Error.internal(f"internal error: {type(exc).__name__}"))

    @app.after_request
    def stamp(response: Response) -> Response:
        response = _scenario_after(emulator, response)
        _cors_after(door, response)
        response.headers["x-amz-request-id"] = g.get("reqid", "")
        response.headers["x-amz-id-2"] = g.get("reqid", "")
        response.headers["X-Reqid"] = g.get("reqid", "")  # what the shared request log shows
        response.headers["Server"] = "qiniu-emulator"
        operation = g.get("s3_operation")
        record_exchange(emulator, response, scenario_name(operation) if operation else "")
        return response

    return app


_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"]


def _serve(door: S3Door) -> Response:
    raw = RawRequest.from_environ(request.environ, b"")
    bucket, key = addressed(raw.host, raw.raw_path, door.emulator.settings.domain_suffix)
    g.s3_bucket, g.s3_key = bucket, key
    names = {name for name, _ in query_pairs(raw.raw_query)}
    operation = operation_for(raw.method, bucket, key, names, "x-amz-copy-source" in request.headers)
    g.s3_operation = operation
    if operation == PREFLIGHT and bucket:  # browsers never sign a preflight (docs/s3.md §8)
        return _preflight(door, bucket, key)
    signed = door.signed(raw)
    if not is_supported(operation):
        raise S3Error.not_implemented(operation)
    kodo = door.names.kodo(bucket, creating=operation == "CreateBucket") if bucket else ""
    _scenario_before(door.emulator, operation, kodo, key)
    call = S3Call(operation=operation, bucket=kodo, key=key, query=request.args, headers=request.headers,
                body=Payload(request.stream, signed, request.headers),
                region=kodo_region(region_of_host(raw.host)),
                service=door.service, multipart=door.multipart, names=door.names, name=bucket)
    return HANDLERS[operation](call)


def _scenario_before(em: "Emulator", operation: str, kodo: str, key: str) -> None:
    if em.scenarios.active():  # rules name the Kodo bucket, as on the native door
        faults.apply_before(em, Facts(scenario_name(operation), kodo or None, key or None))


def _preflight(door: S3Door, bucket: str, key: str) -> Response:
    kodo = door.names.kodo(bucket)
    _scenario_before(door.emulator, PREFLIGHT, kodo, key)
    origin, method = request.headers.get("Origin", ""), request.headers.get("Access-Control-Request-Method", "")
    if not origin or not method:
        raise S3Error.preflight_incomplete("Origin" if not origin else "Access-Control-Request-Method")
    asked = Preflight(origin, method, tuple(requested_headers(request.headers.get("Access-Control-Request-Headers",
                                                                                  ""))))
    with s3_errors(kodo):
        rules = door.service.cors_rules.get(kodo)
    return Response(status=200, headers=preflight_headers(rules, asked))


def _cors_after(door: S3Door, response: Response) -> None:
    """An actual request from a page gets its bucket's CORS headers (errors included)."""
    origin, bucket = request.headers.get("Origin"), g.get("s3_bucket", "")
    if not origin or not bucket or request.method == "OPTIONS":
        return
    try:
        rules = door.service.cors_rules.get(door.names.kodo(bucket))
    except (S3Error, QiniuError):  # no such bucket or a name that cannot be one: nothing to apply
        return
    response.headers.update(response_headers(rules, origin, request.method))


def _scenario_after(em: "Emulator", response: Response) -> Response:
    """A scenario's "after" answer replaces a successful one, in S3's error shape."""
    error = faults.after_answer(em, response)
    return response if error is None else _error_response(error)


def _error_response(exc: QiniuError | S3Error) -> Response:
    error = translate(exc, g.get("s3_bucket", ""), g.get("s3_key", ""))
    if error.expected:
        g.auth_expected = error.expected
    resource = request.path
    body = "" if request.method == "HEAD" else error_xml(error, resource, g.get("reqid", ""))
    return Response(body, status=error.status, mimetype="application/xml", headers=error.headers())


