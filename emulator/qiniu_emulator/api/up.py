"""up: form upload, resumable v1 (mkblk/bput/mkfile) and multipart v2."""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from typing import Mapping

from flask import Blueprint, Response, g, request

from ..auth import UploadGrant
from ..encoding import b64_decode_text
from ..errors import QiniuError
from ..storage import BlockState
from ..uploads.service import UploadRequest, UploadResult
from ..wire import block_json, part_json
from . import emulator, empty_response, json_response
from .context import current

bp = Blueprint("up", __name__)

META_PREFIX = "x-qn-meta-"
# The form field ``accept`` picks the answer's Content-Type: JSON, or text/plain for old
# browsers that offer JSON as a download (docs/browser.md §1); never anything a browser renders.
ACCEPT = re.compile(r"(application/json|text/plain)(\s*;\s*charset=[A-Za-z0-9_-]{1,40})?", re.IGNORECASE)


def _grant() -> UploadGrant:
    """The verified upload token: the form's ``token`` field, or ``Authorization: UpToken``."""
    return emulator().auth.verify_upload_token(current().upload_token())


def _render(result: UploadResult) -> Response:
    if result.redirect:
        return Response(status=303, headers={"Location": result.redirect})
    if isinstance(result.body, str):  # a returnBody that did not render as JSON
        return Response(result.body, status=200, mimetype="application/json")
    return json_response(result.body)  # app.py escapes every upload answer (api/cors.py UPLOAD_ENDPOINTS)


def _custom_vars(fields: Mapping[str, str]) -> dict[str, str]:
    """The ``x:`` variables of a form or mkfile."""
    return {k[2:]: v for k, v in fields.items() if k.startswith("x:")}


def _meta(fields: Mapping[str, str]) -> dict[str, str]:
    """The ``x-qn-meta-`` metadata of a form or mkfile."""
    return {k[len(META_PREFIX):]: v for k, v in fields.items() if k.lower().startswith(META_PREFIX)}


def _content_length() -> int:
    return request.content_length or 0


# -- form upload ------------------------------------------------------------------

@bp.route("/", methods=["POST"])
def form_upload() -> Response:
    grant = _grant()
    form, file = request.form, request.files.get("file")
    if file is None:
        raise QiniuError.bad_request("file is required")
    crc = form.get("crc32")
    if crc is not None and not crc.isdigit():
        raise QiniuError.bad_request("crc32 must be a decimal integer")
    accept = form.get("accept") or ""
    if accept and not ACCEPT.fullmatch(accept):
        # It becomes the answer's Content-Type, so it is checked before anything is stored.
        raise QiniuError.bad_request("accept must be application/json or text/plain (optionally with a charset)")
    upload = UploadRequest(
        policy=grant.policy, access_key=grant.access_key, key=form.get("key"),
        fname=form.get("fname") or file.filename or "", mime=file.mimetype or "",
        crc32=int(crc) if crc is not None else None, reqid=g.reqid,
        custom_vars=_custom_vars(form), meta=_meta(form), form_fields=tuple(form),
    )
    response = _render(emulator().uploads.form(upload, file.stream))
    if accept:
        response.headers["Content-Type"] = accept
    return response


# -- resumable v1 -------------------------------------------------------------------

def _block_answer(state: BlockState) -> Response:
    return json_response(block_json(state, f"{request.scheme}://{request.host}"))


@bp.route("/mkblk/<int:block_size>", methods=["POST"])
def mkblk(block_size: int) -> Response:
    _grant()
    return _block_answer(emulator().storage.mkblk(block_size, request.stream, _content_length()))


@bp.route("/bput/<ctx>/<int:offset>", methods=["POST"])
def bput(ctx: str, offset: int) -> Response:
    _grant()
    return _block_answer(emulator().storage.bput(ctx, offset, request.stream, _content_length()))


@bp.route("/mkfile/<int:file_size>", methods=["POST"])
@bp.route("/mkfile/<int:file_size>/<path:params>", methods=["POST"])
def mkfile(file_size: int, params: str = "") -> Response:
    grant = _grant()
    fields = _mkfile_params(params)
    ctxs = [c for c in request.get_data(as_text=True).strip().split(",") if c]
    upload = UploadRequest(
        policy=grant.policy, access_key=grant.access_key, key=fields.pop("key", None),
        fname=fields.pop("fname", ""), mime=fields.pop("mimeType", ""), reqid=g.reqid,
        custom_vars=_custom_vars(fields), meta=_meta(fields), origin="upload.mkfile",
    )
    return _render(emulator().uploads.mkfile(upload, ctxs, file_size))


def _mkfile_params(params: str) -> dict[str, str]:
    segments = [s for s in params.split("/") if s] if params else []
    if len(segments) % 2:
        raise QiniuError.bad_request(f"mkfile parameter {segments[-1]!r} has no value")
    fields = {}
    for name, value in zip(segments[::2], segments[1::2]):
        try:
            fields[name] = b64_decode_text(value)
        except ValueError:
            raise QiniuError.bad_request(f"mkfile parameter {name} is not url-safe base64") from None
    return fields


# -- putb64 ---------------------------------------------------------------------------

# The body holds the whole file as base64 text (docs/wire.md §8.5); it is read at once.
PUTB64_MAX_BODY = 64 * 1024 * 1024


@bp.route("/putb64/<file_size>", methods=["POST"])
@bp.route("/putb64/<file_size>/<path:params>", methods=["POST"])
def putb64(file_size: str, params: str = "") -> Response:
    grant = _grant()
    if file_size != "-1" and not file_size.isdigit():
        raise QiniuError.bad_request("putb64 needs the file size, or -1 for the size of the body")
    if _content_length() > PUTB64_MAX_BODY:
        raise QiniuError.too_large(f"a putb64 body is at most {PUTB64_MAX_BODY} bytes; upload larger files in parts")
    data = _base64_body(request.get_data())
    if file_size != "-1" and int(file_size) != len(data):
        raise QiniuError.bad_request(f"the body decodes to {len(data)} bytes, not {file_size}")
    crc, fields = _putb64_params(params)
    upload = UploadRequest(
        policy=grant.policy, access_key=grant.access_key, key=fields.pop("key", None),
        fname=fields.pop("fname", ""), mime=fields.pop("mimeType", ""), crc32=crc, reqid=g.reqid,
        custom_vars=_custom_vars(fields), meta=_meta(fields), origin="upload.putb64",
    )
    return _render(emulator().uploads.form(upload, io.BytesIO(data)))


def _base64_body(body: bytes) -> bytes:
    """Standard or URL-safe base64, padded or not, line breaks allowed."""
    text = b"".join(body.split()).replace(b"-", b"+").replace(b"_", b"/").rstrip(b"=")
    try:
        return base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise QiniuError.bad_request("the body must be the file as base64") from None


def _putb64_params(params: str) -> tuple[int | None, dict[str, str]]:
    """``crc32`` is a plain decimal; every other value is URL-safe base64, as in mkfile."""
    segments = [s for s in params.split("/") if s] if params else []
    crc: int | None = None
    if "crc32" in segments[::2]:
        at = segments[::2].index("crc32") * 2
        text = segments[at + 1] if at + 1 < len(segments) else ""
        if not text.isdigit():
            raise QiniuError.bad_request("crc32 must be a decimal integer")
        crc, segments = int(text), segments[:at] + segments[at + 2:]
    return crc, _mkfile_params("/".join(segments))


# -- multipart v2 ---------------------------------------------------------------------

def _object_key(encoded: str) -> str | None:
    if encoded == "~":
        return None
    try:
        return b64_decode_text(encoded)
    except ValueError:
        raise QiniuError.bad_request("object name is not url-safe base64 (or ~)") from None


def _grant_for(bucket: str) -> UploadGrant:
    grant = _grant()
    if grant.policy.bucket != bucket:
        raise QiniuError.scope_mismatch()
    return grant


@bp.route("/buckets/<bucket>/objects/<encoded>/uploads", methods=["POST"])
def init_multipart(bucket: str, encoded: str) -> Response:
    _grant_for(bucket)
    upload = emulator().storage.init_multipart(bucket, _object_key(encoded))
    return json_response({"uploadId": upload.upload_id, "expireAt": upload.expire_at})


@bp.route("/buckets/<bucket>/objects/<encoded>/uploads/<upload_id>/<int:part_number>", methods=["PUT"])
def upload_part(bucket: str, encoded: str, upload_id: str, part_number: int) -> Response:
    _grant_for(bucket)
    part = emulator().storage.put_part(bucket, upload_id, part_number, request.stream,
                                       _content_length(), request.headers.get("Content-MD5"))
    return json_response({"etag": part.etag, "md5": part.md5})


@bp.route("/buckets/<bucket>/objects/<encoded>/uploads/<upload_id>", methods=["GET"])
def list_parts(bucket: str, encoded: str, upload_id: str) -> Response:
    _grant_for(bucket)
    storage = emulator().storage
    upload = storage.get_multipart(bucket, upload_id)
    max_parts = _int_query("max-parts", 1000)
    marker = _int_query("part-number-marker", 0) or _int_query("part-number_marker", 0)
    parts = storage.list_parts(bucket, upload_id, max_parts=max_parts, marker=marker)
    return json_response({
        "uploadId": upload_id, "expireAt": upload.expire_at,
        "partNumberMarker": parts[-1].part_number if len(parts) == max_parts else 0,
        "parts": [part_json(p) for p in parts],
    })


def _int_query(name: str, default: int) -> int:
    text = request.args.get(name, "")
    if not text:
        return default
    if not re.fullmatch(r"\d+", text):
        raise QiniuError.bad_request(f"{name} must be a non-negative integer")
    return int(text)


@bp.route("/buckets/<bucket>/objects/<encoded>/uploads/<upload_id>", methods=["DELETE"])
def abort_multipart(bucket: str, encoded: str, upload_id: str) -> Response:
    _grant_for(bucket)
    emulator().storage.abort_multipart(bucket, upload_id)
    return empty_response()


@bp.route("/buckets/<bucket>/objects/<encoded>/uploads/<upload_id>", methods=["POST"])
def complete_multipart(bucket: str, encoded: str, upload_id: str) -> Response:
    grant = _grant_for(bucket)
    try:
        body = json.loads(request.get_data() or b"{}")
        parts = [(int(p["partNumber"]), str(p["etag"])) for p in body.get("parts") or []]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise QiniuError.bad_request("body must be JSON {\"parts\":[{\"partNumber\":n,\"etag\":...}]}") from None
    if not parts:
        raise QiniuError.bad_request("parts must not be empty")
    upload = UploadRequest(
        policy=grant.policy, access_key=grant.access_key, key=_object_key(encoded),
        fname=body.get("fname") or "", mime=body.get("mimeType") or "", reqid=g.reqid,
        origin="upload.multipart.complete",
        custom_vars={k[2:] if k.startswith("x:") else k: str(v) for k, v in (body.get("customVars") or {}).items()},
        meta={k[len(META_PREFIX):] if k.lower().startswith(META_PREFIX) else k: str(v)
              # the Java SDK spells it metaData
              for k, v in (body.get("metadata") or body.get("metaData") or {}).items()},
    )
    return _render(emulator().uploads.complete_multipart(upload, bucket, upload_id, parts))
