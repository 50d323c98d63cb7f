"""The console's JSON endpoints under ``/_emulator/`` (documented in the README).

They live on the admin origin, whose checks (``admin_origin.py``) every write (upload,
delete, run, resend, a new bucket) passes first.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..api import json_response
from ..errors import QiniuError
from ..requestlog import RequestFilter
from ..wire import (attempt_json, console_object_json, fop_check_json, listing_json, request_json,
                    stat_json)
from .pages import base, console, optional_int

bp = Blueprint("console_api", __name__, url_prefix="/_emulator")


def arg(name: str, required: bool = True) -> str:
    value = request.args.get(name, "")
    if required and not value:
        raise QiniuError.bad_request(f"{name} is required")
    return value


@bp.route("/requests", methods=["GET"])
def requests_list() -> Response:
    where = RequestFilter(method=arg("method", False), status=arg("status", False), text=arg("q", False))
    records = console().requests(where, optional_int("before"))
    return json_response({"requests": [request_json(r) for r in records],
                          "before": records[-1].id if records else None})


@bp.route("/requests/<int:record_id>", methods=["GET"])
def request_one(record_id: int) -> Response:
    return json_response(request_json(console().request(record_id)))


@bp.route("/buckets", methods=["POST"])
def create_bucket() -> Response:
    """A new bucket (form fields ``name`` and ``region``; no region: the default one)."""
    made = console().em.create_bucket(request.form.get("name", ""), request.form.get("region", ""))
    return json_response({"name": made.name, "region": made.region})


@bp.route("/objects", methods=["GET"])
def objects() -> Response:
    limit = optional_int("limit") or 100
    page = console().em.storage.list_objects(arg("bucket"), arg("prefix", False), arg("marker", False), limit,
                                             arg("delimiter", False))
    return json_response(listing_json(page.items, page.common_prefixes, page.marker))


@bp.route("/objects", methods=["POST"])
def upload() -> Response:
    file = request.files.get("file")
    if file is None:
        raise QiniuError.bad_request("send the object as the multipart field 'file'")
    key = request.form.get("key") or file.filename or ""
    stored = console().upload(arg("bucket"), key, file.stream, file.mimetype or "")
    return json_response({"bucket": stored.bucket, "key": stored.key, **stat_json(stored)})


@bp.route("/object", methods=["GET"])
def object_info() -> Response:
    page = console().object_page(arg("bucket"), arg("key"), base())
    side = page.side
    assert side.info is not None and side.properties is not None  # object_page raises otherwise
    return json_response(console_object_json(side.info, page.bucket.private, side.properties,
                                             {link.label: link.url for link in page.links},
                                             [row.id for row in page.jobs]))


@bp.route("/object", methods=["DELETE"])
def delete() -> Response:
    console().delete(arg("bucket"), arg("key"))
    return json_response({"deleted": True})


@bp.route("/fops/check", methods=["GET", "POST"])
def check() -> Response:
    values = request.values if request.method == "GET" else (request.get_json(silent=True) or request.form)
    result = console().check(str(values.get("fops", "")), str(values.get("bucket", "")), str(values.get("key", "")))
    return json_response(fop_check_json(result.pipelines, result.error))


@bp.route("/fops/run", methods=["POST"])
def run() -> Response:
    body = request.get_json(silent=True) or request.form
    job = console().run(str(body.get("bucket", "")), str(body.get("key", "")), str(body.get("fops", "")))
    return json_response({"persistentId": job.id})


@bp.route("/jobs/<job_id>/notify", methods=["POST"])
def resend(job_id: str) -> Response:
    return json_response({"attempts": [attempt_json(a) for a in console().resend(job_id)]})
