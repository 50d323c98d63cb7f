"""io: object download (path-style ``/_io/<bucket>/<key>`` or a bucket domain), private
download tokens, Range/HEAD, and synchronous ``?<fop>`` processing."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote

from flask import Blueprint, Response, request, send_file
from werkzeug.datastructures import Headers
from werkzeug.http import http_date
from werkzeug.routing import PathConverter

from ..errors import QiniuError
from ..fetch import IO_PREFIX
from ..httpd import CLIENT_GONE
from ..storage import ObjectInfo
from . import emulator, json_response, raw_request

bp = Blueprint("io", __name__)
SMALL_OBJECT_BYTES = 64 * 1024
# The request headers that can turn a download into a 206, 304, 412 or 416.
_CONDITIONAL = ("HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                "HTTP_IF_UNMODIFIED_SINCE")


@bp.route(f"{IO_PREFIX}<bucket>/<key_path:_key>", methods=["GET", "HEAD"])
def path_style(bucket: str, _key: str) -> Response:
    raw_path = raw_request().raw_path
    key = unquote(raw_path[len(IO_PREFIX) + len(bucket) + 1:])
    response = serve(bucket, key)
    # Every bucket shares this origin, so an uploaded page or SVG opened here runs in a
    # sandbox without scripts; bucket domains serve it as it is, as Qiniu's do.
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def serve(bucket: str, key: str) -> Response:
    """Answer a download request for ``bucket``/``key`` (called for both URL styles)."""
    em = emulator()
    download = em.downloads.resolve(bucket, key, raw_request())
    if download.pipeline is None:
        return _send_object(download.info, download.attname)
    client_gone = request.environ.get(CLIENT_GONE) or _never
    output = em.sync_fops.run(download.pipeline, download.info, download.access, client_gone,
                              public_url=f"{request.scheme}://{raw_request().host}")
    if output.stored is not None:
        return json_response({"key": output.stored.key, "hash": output.stored.hash})
    assert output.body is not None  # a sync fop without saveas always has a body
    response = send_file(output.body, mimetype=output.mime, conditional=False, etag=False, max_age=None)
    response.headers["Cache-Control"] = "no-store"
    return response


class KeyPathConverter(PathConverter):
    """Like ``path``, but also across newlines: any byte a key may hold matches."""

    regex = r"(?s:[^/].*?)"


def _never() -> bool:
    return False


def _send_object(info: ObjectInfo, attname: str) -> Response:
    if info.fsize <= SMALL_OBJECT_BYTES:
        response = _send_small(info)
    else:
        response = send_file(info.path, mimetype=info.mime, conditional=True, etag=False,
                             last_modified=info.put_time // 10_000_000, max_age=None)
    response.headers["ETag"] = f'"{info.hash}"'
    if attname:
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attname, safe='')}"
    return response


def _send_small(info: ObjectInfo) -> Response:
    """A small object read at once and answered as bytes, with the headers ``send_file``
    gives a file (and its Range and If-Modified-Since answers): opening a file wrapper to
    stream a few KiB cost more than the bytes."""
    try:
        data = info.path.read_bytes()
    except FileNotFoundError:  # deleted since it was looked up
        raise QiniuError.document_not_found() from None
    headers = Headers()
    _inline_disposition(headers, info.path.name)
    headers["Cache-Control"] = "no-cache"
    headers["Last-Modified"] = http_date(info.put_time // 10_000_000)
    response = Response(data, mimetype=info.mime, headers=headers, direct_passthrough=True)
    environ = request.environ
    if any(name in environ for name in _CONDITIONAL):
        response.make_conditional(environ, accept_ranges=True, complete_length=len(data))
    else:  # what make_conditional adds to an unconditional GET or HEAD of bytes
        response.headers["Date"] = http_date()
        response.headers["Accept-Ranges"] = "bytes"
    return response


def _inline_disposition(headers: Headers, name: str) -> None:
    """``Content-Disposition: inline`` naming the file, spelled as ``send_file`` spells it."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        headers.set("Content-Disposition", "inline", filename=simple,
                    **{"filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")})
        return
    headers.set("Content-Disposition", "inline", filename=name)
