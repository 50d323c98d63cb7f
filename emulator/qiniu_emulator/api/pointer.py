"""The service port's answers that point elsewhere: its root and ``/_emulator/`` live on the
admin origin (``admin_origin.py``), which is never the origin of object bytes."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from ..admin_origin import ADMIN_URL_HEADER, admin_url
from . import emulator, json_response

bp = Blueprint("pointer", __name__)

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]


def _admin() -> str:
    return admin_url(emulator().settings, request.host)


@bp.route("/", methods=["GET"])
def browser_root() -> BaseResponse:
    """A browser opening the emulator's address lands in the console, on the admin origin."""
    if request.accept_mimetypes.accept_html and emulator().settings.console:
        return redirect(f"{_admin()}/_emulator/ui/")
    return _pointer("this is the qiniu-emulator's service port", 400)


@bp.route("/_emulator", methods=ALL_METHODS)
@bp.route("/_emulator/<path:_rest>", methods=ALL_METHODS)
def elsewhere(_rest: str = "") -> Response:
    return _pointer("the emulator's /_emulator/ endpoints and console are on their own origin", 404)


def _pointer(what: str, status: int) -> Response:
    where = _admin()
    body = {"error": f"{what}; use {where}{request.path if request.path.startswith('/_emulator') else '/_emulator/ui/'}",
            "code": status, "admin": where}
    return json_response(body, status=status, headers={ADMIN_URL_HEADER: where})
