"""CORS on the service port: preflights are answered before routing, and answers to pages
get their headers after. Uploads answer every origin; downloads and sync fops follow their
bucket's rules (``cors.py``); no other endpoint speaks CORS, so a browser refuses them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from ..cors import (Preflight, download_headers, download_preflight, parse_rules, requested_headers,
                    upload_headers, upload_preflight)
from ..errors import QiniuError
from . import emulator, empty_response, json_response, require_management_auth

if TYPE_CHECKING:
    from ..emulator import Emulator

UPLOAD_ENDPOINTS = frozenset({
    "up.form_upload", "up.mkblk", "up.bput", "up.mkfile", "up.init_multipart", "up.upload_part",
    "up.list_parts", "up.complete_multipart", "up.abort_multipart", "up.putb64",
})
DOWNLOAD_ENDPOINTS = frozenset({"io.path_style"})

bp = Blueprint("cors", __name__)


def install(app: Flask, em: "Emulator") -> None:
    """Register the hooks; call after the hook that sets ``g.domain_bucket``."""

    @app.before_request
    def preflight() -> Response | None:
        if request.method != "OPTIONS":
            return None
        origin, wanted = request.headers.get("Origin"), request.headers.get("Access-Control-Request-Method")
        if not origin or not wanted:
            return None
        headers = requested_headers(request.headers.get("Access-Control-Request-Headers", ""))
        kind, bucket = _kind(app, wanted)
        if kind == "upload":
            answer = upload_preflight(wanted, headers)
        elif kind == "download":
            answer = download_preflight(em.cors.get(bucket), origin, wanted, headers)
        else:
            answer = Preflight({}, refused=True)
        if answer.refused:
            return json_response({"error": f"CORS preflight refused for {wanted} from {origin}", "code": 403},
                                 status=403, headers=answer.headers)
        return Response(status=200, headers=answer.headers, mimetype="text/plain")

    @app.after_request
    def cors_headers(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if not origin or request.method == "OPTIONS":
            return response
        kind, bucket = _kind(app, request.method)
        if kind == "upload":
            response.headers.update(upload_headers())
        elif kind == "download":
            response.headers.update(download_headers(em.cors.get(bucket), origin))
        return response


def _kind(app: Flask, method: str) -> tuple[str, str]:
    """("upload" | "download" | "", bucket) of the request as if sent with ``method``."""
    domain_bucket = g.get("domain_bucket")
    if domain_bucket:
        return "download", domain_bucket
    try:
        endpoint, args = app.url_map.bind_to_environ(request.environ).match(method=method)
    except HTTPException:
        return "", ""
    if endpoint in UPLOAD_ENDPOINTS:
        return "upload", ""
    if endpoint in DOWNLOAD_ENDPOINTS:
        return "download", str(args.get("bucket", ""))
    return "", ""


@bp.route("/corsRules/set/<bucket>", methods=["POST"])
def set_rules(bucket: str) -> Response:
    """The whole list replaces the bucket's rules; ``[]`` removes them.

    The SDKs sign these with QBox over the URL only (a JSON body is not covered), as
    Qiniu accepts them.
    """
    require_management_auth()
    em = emulator()
    em.storage.get_bucket(bucket)
    try:
        data = json.loads(request.get_data() or b"null")
    except ValueError:
        raise QiniuError.bad_request("the body must be a JSON array of CORS rules") from None
    em.cors.set(bucket, parse_rules(data))
    return empty_response()


@bp.route("/corsRules/get/<bucket>", methods=["GET", "POST"])
def get_rules(bucket: str) -> Response:
    require_management_auth()
    em = emulator()
    em.storage.get_bucket(bucket)
    return json_response([rule.as_json() for rule in em.cors.get(bucket)])
