"""fetch: ``/fetch/<b64 url>/to/<entry>`` (sync) and ``/sisyphus/fetch`` (in the background)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from ..encoding import b64_decode_text, decode_entry
from ..errors import QiniuError
from ..downloads import Access
from ..fetch_service import FetchRequest
from ..wire import fetch_json
from . import emulator, json_response, require_management_auth, signed_json

bp = Blueprint("fetch", __name__)


@bp.route("/fetch/<encoded_url>/to/<encoded_entry>", methods=["POST"])
@bp.route("/fetch/<encoded_url>/to/<encoded_entry>/host/<encoded_host>", methods=["POST"])
def fetch(encoded_url: str, encoded_entry: str, encoded_host: str = "") -> Response:
    account = require_management_auth()
    try:
        url = b64_decode_text(encoded_url)
    except ValueError:
        raise QiniuError.bad_request("the URL is not url-safe base64") from None
    bucket, key = decode_entry(encoded_entry)
    stored = emulator().fetches.fetch(url, bucket, key, Access(account))
    return json_response(fetch_json(stored))


@bp.route("/sisyphus/fetch", methods=["POST"])
def fetch_later() -> Response:
    account = require_management_auth()
    task = emulator().fetches.submit(_fetch_request(signed_json()), Access(account))
    _, wait = emulator().fetches.status(task.id)
    return json_response({"id": task.id, "wait": wait})


@bp.route("/sisyphus/fetch", methods=["GET"])
def fetch_status() -> Response:
    require_management_auth()
    task_id = request.args.get("id", "")
    if not task_id:
        raise QiniuError.bad_request("id is required")
    task, wait = emulator().fetches.status(task_id)
    return json_response({"id": task.id, "wait": wait})


def _fetch_request(body: dict[str, Any]) -> FetchRequest:
    def text(name: str, default: str = "") -> str:
        value = body.get(name, default)
        if not isinstance(value, str):
            raise QiniuError.bad_request(f"{name} must be a string")
        return value

    url, bucket = text("url"), text("bucket")
    if not url or not bucket:
        raise QiniuError.bad_request("url and bucket are required")
    file_type = body.get("file_type", 0)
    if not isinstance(file_type, int) or isinstance(file_type, bool):
        raise QiniuError.bad_request("file_type must be an integer")
    return FetchRequest(url=url, bucket=bucket, key=text("key") or None, md5=text("md5"), etag=text("etag"),
                        callback_url=text("callbackurl"), callback_body=text("callbackbody"),
                        callback_body_type=text("callbackbodytype", "application/x-www-form-urlencoded"),
                        file_type=file_type, ignore_same_key=bool(body.get("ignore_same_key", False)))
