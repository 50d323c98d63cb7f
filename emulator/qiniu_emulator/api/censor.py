"""Moderation APIs (``ai.qiniuapi.com`` in the SDKs; any host here): ``POST /v3/image/censor``
and ``/v3/image/censor/mult``,
``POST /v3/video/censor`` and ``GET /v3/jobs/video/<id>``, signed with a ``Qiniu`` token
(docs/censor.md §2, §5)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..downloads import Access
from ..censor.service import MAX_REQUEST_BYTES
from ..errors import BadSignature, QiniuError
from . import emulator, json_response, log, raw_request, signed_json
from .context import current

bp = Blueprint("censor", __name__)


def _require_qiniu_token() -> Access:
    """The censor APIs take only the ``Qiniu`` scheme (the request's method, path, host,
    content type and JSON body are signed)."""
    if (request.content_length or 0) > MAX_REQUEST_BYTES:
        raise QiniuError.too_large(f"the request body is larger than {MAX_REQUEST_BYTES} bytes")
    auth = emulator().auth
    caller = auth.authenticate(raw_request(), (auth.qiniu,))
    if caller is None:
        scheme = (request.headers.get("Authorization") or "").strip().partition(" ")[0]
        log.info("%s %s rejected: the censor APIs take Authorization: Qiniu <AK>:<sign>, got %s",
                 request.method, request.path, repr(scheme) if scheme else "none")
        raise BadSignature("Qiniu token", None, hint="send Authorization: Qiniu <AccessKey>:<sign>")
    current().body_signed = caller.covers_body
    return Access(caller.access_key)


@bp.route("/v3/image/censor", methods=["POST"])
def image_censor() -> Response:
    access = _require_qiniu_token()
    return json_response(emulator().censor.image(signed_json(), access))


@bp.route("/v3/image/censor/mult", methods=["POST"])
def images_censor() -> Response:
    access = _require_qiniu_token()
    return json_response(emulator().censor.images(signed_json(), access))


@bp.route("/v3/video/censor", methods=["POST"])
def video_censor() -> Response:
    access = _require_qiniu_token()
    return json_response({"job": emulator().censor.video.submit(signed_json(), access)})


@bp.route("/v3/jobs/video/<job_id>", methods=["GET"])
def video_job(job_id: str) -> Response:
    _require_qiniu_token()
    return json_response(emulator().censor.video.get(job_id))
