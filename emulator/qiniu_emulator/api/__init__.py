"""HTTP blueprints: parse the request, call a service, render the answer.

Helpers shared by every blueprint live here: reaching the emulator's services, the raw
request for signature checks, and JSON responses with Qiniu's conventions.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, request

from ..auth import RawRequest
from ..errors import QiniuError

if TYPE_CHECKING:
    from ..emulator import Emulator

EXTENSION = "qiniu_emulator"


def emulator() -> "Emulator":
    return current_app.extensions[EXTENSION]


def raw_request() -> RawRequest:
    """The request as signed by the client: raw path, raw query and the body bytes."""
    return RawRequest.from_environ(request.environ, request.get_data(cache=True))


def require_management_auth() -> str:
    """Verify a QBox or Qiniu management signature; returns the access key."""
    return emulator().auth.verify_management(raw_request())


def json_response(payload: Any, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(payload, ensure_ascii=False), status=status,
                        mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def empty_response() -> Response:
    """Qiniu's 200 with an empty body (delete, move, copy, chgm)."""
    return Response(b"", status=200, mimetype="application/json")


def form_value(name: str, default: str = "") -> str:
    """A field from the query string or the url-encoded form body."""
    value = request.values.get(name)
    return default if value is None else value


def int_arg(name: str, default: int, value: str | None = None) -> int:
    text = form_value(name, "") if value is None else value
    if text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise QiniuError.bad_request(f"{name} must be an integer, not {text!r}") from None
