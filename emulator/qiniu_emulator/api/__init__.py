"""HTTP blueprints: parse the request, call a service, render the answer.

Helpers shared by every blueprint live here: reaching the emulator's services, the raw
request for signature checks, and JSON responses with Qiniu's conventions.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import logging

from flask import Response, current_app, request
from werkzeug.datastructures import MultiDict

from ..auth import RawRequest
from ..errors import BadSignature, QiniuError
from .context import current

if TYPE_CHECKING:
    from ..emulator import Emulator

EXTENSION = "qiniu_emulator"
# json.dumps builds an encoder for every call given options; this one is built once.
_JSON = json.JSONEncoder(ensure_ascii=False)
log = logging.getLogger("qiniu_emulator.auth")


def emulator() -> "Emulator":
    return current_app.extensions[EXTENSION]


def raw_request() -> RawRequest:
    """The request as signed by the client: raw path, raw query and the body bytes."""
    return current().raw()


def require_management_auth() -> str:
    """Verify a QBox or Qiniu management signature; returns the access key."""
    caller = emulator().auth.verify_caller(raw_request())
    current().body_signed = caller.covers_body
    return caller.access_key


def verify_optional_management() -> None:
    """Verify the signature when one is sent (prefop takes requests without one)."""
    caller = emulator().auth.verify_optional_caller(raw_request())
    if caller is not None:
        current().body_signed = caller.covers_body


def params() -> MultiDict[str, str]:
    """The request's parameters: the query, plus the form body when the signature covers it.

    A form body (url-encoded with any charset, or multipart) that a valid signature leaves
    out is a 401: it must not decide what a signed request does.
    """
    if not (request.form or request.files):
        return request.args
    if not current().body_signed:
        log.info("%s %s rejected: the signature does not cover its %s body", request.method,
                 request.path, request.mimetype)
        raise BadSignature("management token", None,
                           hint=f"the signature does not cover the {request.mimetype} body")
    return request.values


# In JSON these can only sit inside strings, where \u escapes mean the same characters; so
# escaped, no upload answer (a key, a returnBody, an error naming them) can be read as markup.
MARKUP_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def markup_free(text: str) -> str:
    return text.translate(MARKUP_ESCAPES)


def json_response(payload: Any, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(_JSON.encode(payload), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def empty_response() -> Response:
    """Qiniu's 200 with an empty body (delete, move, copy, chgm)."""
    return Response(b"", status=200, mimetype="application/json")


def signed_json() -> dict[str, Any]:
    """The request's JSON object body; 401 when the signature does not cover it, 400 when not JSON."""
    if not current().body_signed:
        log.info("%s %s rejected: the signature does not cover its JSON body", request.method, request.path)
        raise QiniuError.bad_token()
    try:
        body = current().json_body()
    except ValueError:
        raise QiniuError.bad_request("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise QiniuError.bad_request("the body must be a JSON object")
    return body


def emulator_json(what: str, unreadable: str) -> Any:
    """The JSON body of a write under ``/_emulator/``; ``unreadable`` is the 400's message
    when it does not parse.

    Only as ``application/json``: a page of another site can post a form to the emulator
    (text that parses as JSON included) but cannot send that type without the browser asking.
    """
    if request.mimetype != "application/json":
        raise QiniuError.bad_request(f"send {what} with Content-Type: application/json")
    try:
        return json.loads(request.get_data() or b"null")
    except ValueError:
        raise QiniuError.bad_request(unreadable) from None


def form_value(name: str, default: str = "") -> str:
    """A field from the query string or the url-encoded form body."""
    value = params().get(name)
    return default if value is None else value


def int_arg(name: str, default: int, value: str | None = None) -> int:
    text = form_value(name, "") if value is None else value
    if text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise QiniuError.bad_request(f"{name} must be an integer, not {text!r}") from None
