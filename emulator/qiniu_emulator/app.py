"""Build the Flask app around an :class:`~.emulator.Emulator`: blueprints, hooks, errors."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import unquote

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .api import EXTENSION, admin, dora, faults, fetch, io, json_response, raw_request, rs, scenarios, uc, up
from .config import Settings
from .emulator import Emulator
from .errors import REASONS, NoSuchBucket, QiniuError

log = logging.getLogger("qiniu_emulator")


def create_app(settings: Settings | None = None, emulator: Emulator | None = None) -> Flask:
    """A Flask app serving every Qiniu endpoint the emulator knows.

    Given only settings, it builds the services and starts the job workers itself;
    a caller passing ``emulator`` starts it when it is ready (see ``server.py``).
    """
    if emulator is None:
        emulator = Emulator.build(settings or Settings())
        emulator.start()
    app = Flask("qiniu_emulator")
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.url_map.converters["key_path"] = io.KeyPathConverter
    app.extensions[EXTENSION] = emulator
    for blueprint in (admin.bp, scenarios.bp, dora.bp, up.bp, rs.bp, uc.bp, fetch.bp, io.bp):
        app.register_blueprint(blueprint)
    _install_hooks(app, emulator)
    _install_scenario_answers(app, emulator)
    return app


def _install_hooks(app: Flask, em: Emulator) -> None:
    @app.before_request
    def start_request():
        g.reqid = secrets.token_urlsafe(12)
        bucket = _bucket_of_host(em, request.host)
        faults.before(em, bucket if request.method in ("GET", "HEAD") else None)
        if bucket and request.method in ("GET", "HEAD"):
            return io.serve(bucket, unquote(raw_request().raw_path.lstrip("/")))
        return None

    @app.after_request
    def stamp(response: Response) -> Response:
        response.headers["X-Reqid"] = getattr(g, "reqid", "") or secrets.token_urlsafe(12)
        response.headers["X-Log"] = "qiniu-emulator"
        reason = REASONS.get(response.status_code)
        if reason:
            response.status = f"{response.status_code} {reason}"
        return response

    @app.errorhandler(QiniuError)
    def qiniu_error(exc: QiniuError) -> Response:
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
