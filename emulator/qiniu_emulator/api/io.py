"""io: object download (path-style ``/_io/<bucket>/<key>`` or a bucket domain), private
download tokens, Range/HEAD, and synchronous ``?<fop>`` processing."""

from __future__ import annotations

import logging
import shutil
from urllib.parse import quote, unquote

from flask import Blueprint, Response, send_file

from ..auth import RawRequest, parse_download_query, parse_saveas_signature
from ..errors import NoSuchKey, QiniuError
from ..fetch import IO_PREFIX
from ..fops.execute import StageFailed
from ..fops.parse import FopsError, Pipeline, normalise, parse_pipeline
from ..storage import ObjectInfo
from . import emulator, json_response, raw_request

bp = Blueprint("io", __name__)
log = logging.getLogger("qiniu_emulator.io")

DISABLED = 1  # object status set by /chstatus


@bp.route(f"{IO_PREFIX}<bucket>/<path:_key>", methods=["GET", "HEAD"])
def path_style(bucket: str, _key: str) -> Response:
    raw_path = raw_request().raw_path
    key = unquote(raw_path[len(IO_PREFIX) + len(bucket) + 1:])
    return serve(bucket, key)


def serve(bucket: str, key: str) -> Response:
    """Answer a download request for ``bucket``/``key`` (called for both URL styles)."""
    em = emulator()
    raw = raw_request()
    query = parse_download_query(raw)
    private = em.storage.get_bucket(bucket).private
    if private:
        em.auth.verify_download(query.url_variants, query.params)
    try:
        info = em.storage.stat(bucket, key)
    except NoSuchKey:
        raise QiniuError.document_not_found() from None
    if info.status == DISABLED and not private:
        # A disabled object stays reachable through a signed (private) download URL only.
        em.auth.verify_download(query.url_variants, query.params)
    fop, attname = _split_fop(query.fop_query)
    pipeline = _pipeline(fop, raw)
    if pipeline is None:
        return _send_object(info, attname)
    return _process(info, pipeline)


def _split_fop(fop_query: str) -> tuple[str, str]:
    """The fop (first query piece, unless it is a parameter) and ``attname``."""
    fop, attname = "", ""
    for index, piece in enumerate(fop_query.split("&") if fop_query else []):
        if piece.startswith("attname="):
            attname = unquote(piece[len("attname="):])
        elif index == 0:
            fop = piece
    return fop, attname


def _pipeline(fop_text: str, raw: RawRequest) -> Pipeline | None:
    """The fop of a download URL, or None for a plain download.

    A query that is not a fop (``?v=3`` cache busters) is ignored, as on a CDN.
    """
    if not fop_text:
        return None
    text = normalise(fop_text)
    name = text.split("/", 1)[0].split("|", 1)[0]
    if "=" in name and emulator().registry.get(name) is None:
        return None
    pipeline = parse_pipeline(text, emulator().registry, allow_sign=True)
    if pipeline.saveas is not None:
        signature = parse_saveas_signature(raw)
        if signature is None:
            raise FopsError("saveas on a download URL needs /sign/<AccessKey>:<signature>")
        emulator().auth.verify_sync_saveas(signature.signed_variants, signature.sign)
    return pipeline


def _send_object(info: ObjectInfo, attname: str) -> Response:
    response = send_file(info.path, mimetype=info.mime, conditional=True, etag=False,
                         last_modified=info.put_time // 10_000_000, max_age=None)
    response.headers["ETag"] = f'"{info.hash}"'
    if attname:
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attname, safe='')}"
    return response


def _process(info: ObjectInfo, pipeline: Pipeline) -> Response:
    processor = emulator().jobs.processor
    try:
        result, scratch = processor.run_sync(pipeline, info, log.info)
    except StageFailed as exc:
        raise QiniuError.bad_request(exc.message) from None
    try:
        if pipeline.saveas is not None:
            stored = processor.save_sync(pipeline, info, result, scratch)
            return json_response({"key": stored.key, "hash": stored.hash})
        # Opened before the scratch dir is removed: the open file outlives its name, and
        # nothing is left behind whether or not the server closes the response.
        body = result.path.open("rb")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    response = send_file(body, mimetype=result.mime, conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "no-store"
    return response
