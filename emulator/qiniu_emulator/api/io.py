"""io: object download (path-style ``/_io/<bucket>/<key>`` or a bucket domain), private
download tokens, Range/HEAD, and synchronous ``?<fop>`` processing."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from urllib.parse import quote, unquote

from flask import Blueprint, Response, request, send_file

from ..errors import QiniuError
from ..fops.execute import StageFailed
from ..fops.parse import FopsError, Pipeline, normalise, parse_pipeline
from ..jobs.process import default_output_key
from ..storage import ObjectInfo
from . import emulator, json_response, raw_request

bp = Blueprint("io", __name__)

IO_PREFIX = "/_io/"
SIGN_MARK = "/sign/"


@dataclass
class DownloadQuery:
    """A download URL's query: the fop part, the token part, and attname."""

    fop: str = ""
    deadline: str = ""
    token: str = ""
    attname: str = ""
    unsigned_end: int = -1  # index in the raw query where "&token=" starts

    @classmethod
    def parse(cls, raw: str) -> "DownloadQuery":
        query = cls()
        pieces = raw.split("&") if raw else []
        offset = 0
        for index, piece in enumerate(pieces):
            name, _, value = piece.partition("=")
            if index == 0 and name not in ("e", "token", "attname"):
                query.fop = piece
            elif name == "e":
                query.deadline = value
            elif name == "token":
                query.token, query.unsigned_end = value, max(offset - 1, 0)
                break  # anything after the token is ignored, as Qiniu does
            elif name == "attname":
                query.attname = unquote(value)
            offset += len(piece) + 1
        return query


@bp.route(f"{IO_PREFIX}<bucket>/<path:_key>", methods=["GET", "HEAD"])
def path_style(bucket: str, _key: str) -> Response:
    raw_path = raw_request().raw_path
    key = unquote(raw_path[len(IO_PREFIX) + len(bucket) + 1:])
    return serve(bucket, key)


def serve(bucket: str, key: str) -> Response:
    """Answer a download request for ``bucket``/``key`` (called for both URL styles)."""
    em = emulator()
    em.storage.get_bucket(bucket)
    raw = raw_request()
    query = DownloadQuery.parse(raw.raw_query)
    if em.storage.get_bucket(bucket).private:
        _check_private(raw, query)
    try:
        info = em.storage.stat(bucket, key)
    except QiniuError as exc:
        if exc.status == 612:
            raise QiniuError.document_not_found() from None
        raise
    pipeline = _pipeline(query.fop, raw)
    if pipeline is None:
        return _send_object(info, query.attname)
    return _process(info, pipeline)


def _check_private(raw, query: DownloadQuery) -> None:
    if not query.token:
        raise QiniuError.download_token_missing()
    base = f"{request.scheme}://{raw.host}{raw.raw_path}?{raw.raw_query[:query.unsigned_end]}"
    variants = [base, unquote(base)]
    emulator().auth.verify_download(variants, {"e": query.deadline, "token": query.token})


def _pipeline(fop_text: str, raw) -> Pipeline | None:
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
        _check_saveas_sign(pipeline, text, raw)
    return pipeline


def _check_saveas_sign(pipeline: Pipeline, text: str, raw) -> None:
    sign = pipeline.saveas.sign
    if not sign:
        raise FopsError("saveas on a download URL needs /sign/<AccessKey>:<signature>")
    signed_fop = text[: text.rindex(SIGN_MARK)]
    raw_fop = raw.raw_query.split("&", 1)[0]
    raw_signed = raw_fop[: raw_fop.rfind(SIGN_MARK)] if SIGN_MARK in raw_fop else raw_fop
    candidates = [f"{raw.host}{raw.raw_path}?{signed_fop}", f"{raw.host}{raw.raw_path}?{raw_signed}"]
    errors = []
    for candidate in candidates:
        try:
            emulator().auth.verify_sync_saveas(candidate, sign)
            return
        except QiniuError as exc:
            errors.append(exc)
    raise errors[0]


def _send_object(info: ObjectInfo, attname: str) -> Response:
    response = send_file(info.path, mimetype=info.mime, conditional=True, etag=False,
                         last_modified=info.put_time // 10_000_000, max_age=None)
    response.headers["ETag"] = f'"{info.hash}"'
    if attname:
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attname, safe='')}"
    return response


def _process(info: ObjectInfo, pipeline: Pipeline) -> Response:
    em = emulator()
    log_lines: list[str] = []
    try:
        result, scratch = em.jobs.processor.run_sync(pipeline, info, log_lines.append)
    except StageFailed as exc:
        raise QiniuError.bad_request(exc.message) from None
    try:
        if pipeline.saveas is not None:
            saveas = pipeline.saveas
            key = saveas.key if saveas.key is not None else default_output_key(pipeline, info.hash)
            stored = em.storage.put_path(saveas.bucket, key, result.path, mime=result.mime,
                                         move=not result.passthrough)
            shutil.rmtree(scratch, ignore_errors=True)
            return json_response({"key": stored.key, "hash": stored.hash})
        response = send_file(result.path, mimetype=result.mime, conditional=False, etag=False, max_age=None)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    response.headers["Cache-Control"] = "no-store"
    response.call_on_close(lambda: shutil.rmtree(scratch, ignore_errors=True))
    return response
