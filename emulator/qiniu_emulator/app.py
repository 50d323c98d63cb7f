"""Build the Flask app around an :class:`~.emulator.Emulator`: blueprints, hooks, errors."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any, Callable
from urllib.parse import unquote

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from . import ui
from .admin_origin import AdminOrigin
from .api.form_parser import FormRequest
from .api import (EXTENSION, admin, censor, clock, context, cors, dora, faults, fetch, io, json_response, markup_free,
                  pointer, raw_request, regions, rs, scenarios, snapshot, uc, up)
from .auth import FORM_CONTENT_TYPE, RawRequest
from .bucket_ports import BUCKET_ENVIRON
from .config import Settings
from .emulator import Emulator
from .errors import REASONS, BadSignature, NoSuchBucket, QiniuError
from .requestlog import FORM_BODY_CHARS, Exchange

log = logging.getLogger("qiniu_emulator")


def create_app(settings: Settings | None = None, emulator: Emulator | None = None) -> Flask:
    """A Flask app serving every Qiniu endpoint the emulator knows (the service port).

    Given only settings, it builds the services and starts the job workers itself;
    a caller passing ``emulator`` starts it when it is ready (see ``server.py``).
    """
    if emulator is None:
        emulator = Emulator.build(settings or Settings())
        emulator.start()
    app = _flask(emulator)
    for blueprint in (dora.bp, up.bp, rs.bp, uc.bp, cors.bp, fetch.bp, censor.bp, io.bp, pointer.bp):
        app.register_blueprint(blueprint)
    _install_hooks(app, emulator)
    cors.install(app, emulator)
    regions.install(app, emulator)  # after the scenario hook: a rule may fail a region host first
    _install_scenario_answers(app, emulator)
    return app


def create_admin_app(emulator: Emulator) -> Flask:
    """The admin origin's app: ``/_emulator/`` endpoints and the console, behind the checks
    of ``admin_origin.py``; it serves no object bytes and sends no CORS headers."""
    app = _flask(emulator)
    for blueprint in (admin.bp, clock.bp, snapshot.bp, scenarios.bp):
        app.register_blueprint(blueprint)
    if emulator.settings.console:
        ui.install(app, emulator)
    guard = AdminOrigin.of(emulator.settings)

    @app.before_request
    def only_our_names_and_own_writes() -> None:
        g.reqid = secrets.token_urlsafe(12)
        guard.check(request.method, request.host, request.scheme, request.headers.get)

    @app.after_request
    def stamp(response: Response) -> Response:
        return _stamp(response)

    _install_errors(app)
    return app


class EmulatorFlask(Flask):
    """Flask, without asking on every request whether each hook is a coroutine: every view
    and hook of the emulator is a plain function."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return func


def _flask(emulator: Emulator) -> Flask:
    # No app-level /static/ route: that path belongs to the emulator (a key, a bucket), and
    # the console serves its files from its own blueprint.
    app = EmulatorFlask("qiniu_emulator", static_folder=None)
    app.request_class = FormRequest
    app.url_rule_class = BuilderOnFirstUseRule
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.url_map.converters["key_path"] = io.KeyPathConverter
    app.extensions[EXTENSION] = emulator
    return app


def _stamp(response: Response) -> Response:
    response.headers["X-Reqid"] = getattr(g, "reqid", "") or secrets.token_urlsafe(12)
    response.headers["X-Log"] = "qiniu-emulator"
    reason = REASONS.get(response.status_code)
    if reason:
        response.status = f"{response.status_code} {reason}"
    return response


class BuilderOnFirstUseRule(Rule):
    """A URL rule whose ``url_for`` builder is generated at its first use.

    werkzeug generates two Python functions per rule when it is added; for the emulator's
    routes that was the largest single cost of start-up, and most are never built into a URL.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        built: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            if not built:
                built.append(Rule._compile_builder(rule, append_unknown))
            return built[0](rule, **values)

        return build


def _install_hooks(app: Flask, em: Emulator) -> None:
    # Hooks run on every request: each reads the request and ``g`` once through their proxies.
    @app.before_request
    def start_request():
        req, ctx = request._get_current_object(), g._get_current_object()
        ctx.started = time.monotonic()
        ctx.reqid = secrets.token_urlsafe(12)
        port_bucket = req.environ.get(BUCKET_ENVIRON)
        bucket = ctx.domain_bucket = port_bucket or _bucket_of_host(em, req.host)
        method = req.method
        context.begin(bucket if method in ("GET", "HEAD") else None)
        if port_bucket and method not in ("GET", "HEAD", "OPTIONS"):
            raise QiniuError.method_not_allowed(f"this port serves downloads of bucket {bucket} only")
        if method != "OPTIONS":  # a preflight is the browser's, not the client's request
            faults.before(em)
        if bucket and method in ("GET", "HEAD"):
            return io.serve(bucket, unquote(raw_request().raw_path.lstrip("/")))
        return None

    @app.after_request
    def stamp(response: Response) -> Response:
        _stamp(response)
        # Object bytes and every answer keep the type they are sent with: a .txt is never
        # sniffed into a page.
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.endpoint in cors.UPLOAD_ENDPOINTS and not response.is_streamed:
            text = response.get_data(as_text=True)
            escaped = markup_free(text)
            if escaped != text:
                response.set_data(escaped)
        record_exchange(em, response)
        return response

    _install_errors(app)


def _install_errors(app: Flask) -> None:
    @app.errorhandler(QiniuError)
    def qiniu_error(exc: QiniuError) -> Response:
        if isinstance(exc, BadSignature):
            g.auth_expected = exc.explanation()
        g.error_note = exc.note
        return json_response(exc.body(), status=exc.status, headers=exc.headers())

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return json_response({"error": exc.description or exc.name, "code": exc.code}, status=exc.code or 400)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return json_response({"error": f"internal error: {type(exc).__name__}", "code": 599}, status=599)


def _install_scenario_answers(app: Flask, em: Emulator) -> None:
    # Registered last, so it runs first of the after-request hooks: an injected answer is
    # stamped like any other.
    @app.after_request
    def scenario_answer(response: Response) -> Response:
        return faults.after(em, response)


def record_exchange(em: Emulator, response: Response, operation: str | None = None) -> None:
    """Hand the answered request to the request log (which leaves out ``/_emulator/``);
    ``operation`` names it when it is not a route of this app (the S3 door's)."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    raw = context.current().target()
    if not em.requests.wants(raw.raw_path, req.environ.get("HTTP_REFERER", "")):
        return
    try:
        em.requests.record(_exchange(req, raw, response, operation))
    except Exception:  # noqa: BLE001 - the log must never cost a client its answer
        log.exception("recording %s %s in the request log failed", request.method, request.path)


def _exchange(req: FormRequest, raw: RawRequest, response: Response, operation: str | None = None) -> Exchange:
    error = ""
    status = response.status_code
    if status >= 400 and not response.is_streamed:
        error = response.get_data()[:4096].decode("utf-8", "replace")
    ctx = g._get_current_object()
    environ = req.environ
    content_type = environ.get("CONTENT_TYPE", "")
    mimetype = req.mimetype if content_type else ""
    # Only the form-upload route has parsed its multipart body; others are left unread.
    form_upload = req.method == "POST" and req.path == "/" and mimetype == "multipart/form-data"
    small_form = mimetype == FORM_CONTENT_TYPE and (req.content_length or 0) <= FORM_BODY_CHARS
    started = ctx.get("started")
    return Exchange(
        method=raw.method, host=raw.host, raw_path=raw.raw_path, raw_query=raw.raw_query,
        authorization=environ.get("HTTP_AUTHORIZATION", ""), content_type=content_type, status=status,
        reqid=response.headers.get("X-Reqid", ""),
        seconds=time.monotonic() - started if started is not None else 0.0,
        form_token=(req.form.get("token") or "") if form_upload else "",
        form_body=req.get_data(cache=True).decode("utf-8", "replace") if small_form else "",
        error=error, expected=ctx.get("auth_expected", ""), note=ctx.get("error_note", ""),
        operation=operation if operation is not None else context.current().name or "")


def _bucket_of_host(em: Emulator, host: str) -> str | None:
    """``<bucket>.<domain suffix>[:port]`` names a bucket's download domain."""
    hostname = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host
    suffix = "." + em.settings.domain_suffix
    if not hostname.endswith(suffix):
        return None
    bucket = hostname[: -len(suffix)]
    try:
        em.storage.get_bucket(bucket)
    except NoSuchBucket:
        return None
    return bucket
