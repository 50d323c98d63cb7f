"""The S3 handlers: read the request, call one service method, render its XML or bytes.

``s3/app.py`` names the operation, checks the signature and hands each handler a :class:`S3Call`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import IO, cast
from urllib.parse import unquote

from flask import Response
from werkzeug.datastructures import Headers, MultiDict

from .attributes import STORED_HEADERS, ObjectHeaders, S3View
from ..errors import QiniuError
from ..s3_errors import S3Error
from ..storage.listing import decode_marker
from .multipart import S3Multipart
from .names import BucketNames
from .payload import Payload
from .regions import s3_region
from .reading import byte_range, overrides, precondition
from .service import ListQuery, S3Service
from . import wire

XML = "application/xml"
MAX_XML_BYTES = 2 * 1024 * 1024
META_PREFIX = "x-amz-meta-"
READ_CHUNK = 1 << 20


@dataclass
class S3Call:
    """One S3 request, parsed: what it addresses and how to read its body."""

    operation: str
    bucket: str  # the Kodo bucket
    key: str
    query: MultiDict[str, str]
    headers: Headers
    body: Payload
    region: str
    service: S3Service
    multipart: S3Multipart
    names: BucketNames
    name: str = ""  # the bucket as the request names it (its S3 name)


def xml(text: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(text, status=status, mimetype=XML, headers=headers)


def given_headers(headers: Headers) -> ObjectHeaders:
    """Content-Type, x-amz-meta-* and the stored response headers of an upload."""
    meta = {name[len(META_PREFIX):].lower(): value for name, value in headers.items()
            if name.lower().startswith(META_PREFIX)}
    stored = {name: headers[name] for name in STORED_HEADERS if headers.get(name)}
    encoding = [e.strip() for e in stored.get("Content-Encoding", "").split(",") if e.strip() != "aws-chunked"]
    if encoding and any(encoding):
        stored["Content-Encoding"] = ",".join(e for e in encoding if e)
    else:
        stored.pop("Content-Encoding", None)
    return ObjectHeaders(mime=headers.get("Content-Type", ""), meta=meta, headers=stored)


def object_headers(view: S3View) -> dict[str, str]:
    info = view.info
    out = {"ETag": wire.quoted(view.etag), "Last-Modified": wire.http_time(info.put_time / 1e7),
           "Content-Type": info.mime, "Accept-Ranges": "bytes"}
    out.update(view.headers)
    out.update({META_PREFIX + name: value for name, value in info.meta.items()})
    return out


def copy_source(call: S3Call) -> tuple[str, str]:
    """The Kodo bucket and key of ``x-amz-copy-source``."""
    text = unquote(call.headers.get("x-amz-copy-source", "")).split("?versionId=", 1)[0].lstrip("/")
    bucket, _, key = text.partition("/")
    if not bucket or not key:
        raise S3Error.invalid_argument("Copy Source must mention the source bucket and key: "
                                       "sourcebucket/sourcekey", "x-amz-copy-source", text[:80])
    return call.names.kodo(bucket), key


def _int_param(call: S3Call, name: str, default: int) -> int:
    text = call.query.get(name, "")
    if not text:
        return default
    if not text.lstrip("-").isdigit():
        raise S3Error.invalid_argument(f"Provided {name} not an integer or within integer range", name, text)
    return int(text)


def _max_keys(call: S3Call) -> int:
    value = _int_param(call, "max-keys", 1000)
    if value < 0:
        raise S3Error.invalid_argument("max-keys must not be negative", "max-keys", str(value))
    return value


# ---------------------------------------------------------------------------
# service and buckets


def list_buckets(call: S3Call) -> Response:
    buckets = [(call.names.s3(name), created) for name, created in call.service.list_buckets()]
    return xml(wire.list_buckets_xml(call.service.owner_id, buckets))


def create_bucket(call: S3Call) -> Response:
    call.body.read_all(MAX_XML_BYTES)  # the optional CreateBucketConfiguration: the region is the door's
    call.service.create_bucket(call.bucket, call.region)
    return Response(status=200, headers={"Location": f"/{call.name}"})


def head_bucket(call: S3Call) -> Response:
    region = s3_region(call.service.bucket_region(call.bucket))
    return Response(status=200, headers={"x-amz-bucket-region": region})


def delete_bucket(call: S3Call) -> Response:
    call.service.delete_bucket(call.bucket)
    return Response(status=204)


def bucket_location(call: S3Call) -> Response:
    return xml(wire.location_xml(s3_region(call.service.bucket_region(call.bucket))))


def list_objects(call: S3Call) -> Response:
    marker = call.query.get("marker", "")
    query = ListQuery(call.query.get("prefix", ""), call.query.get("delimiter", ""), marker,
                      _max_keys(call))
    page, _ = call.service.list_objects(call.bucket, query)
    return xml(wire.list_v1_xml(replace(page, bucket=call.name), marker, call.service.owner_id))


def list_objects_v2(call: S3Call) -> Response:
    token, start_after = call.query.get("continuation-token", ""), call.query.get("start-after", "")
    after = start_after
    if token:
        after = _token_key(token)
    query = ListQuery(call.query.get("prefix", ""), call.query.get("delimiter", ""), after,
                      _max_keys(call))
    page, next_marker = call.service.list_objects(call.bucket, query)
    owner = call.service.owner_id if call.query.get("fetch-owner", "").lower() == "true" else None
    return xml(wire.list_v2_xml(replace(page, bucket=call.name), token, next_marker, start_after, owner))


def _token_key(token: str) -> str:
    try:
        return decode_marker(token)
    except QiniuError:
        raise S3Error.invalid_argument("The continuation token provided is incorrect", "continuation-token",
                                       token[:80]) from None


def delete_objects(call: S3Call) -> Response:
    keys, quiet = wire.parse_delete(call.body.read_all(MAX_XML_BYTES))
    deleted, failed = call.service.delete_objects(call.bucket, keys)
    return xml(wire.delete_result_xml(deleted, failed, quiet))


def get_cors(call: S3Call) -> Response:
    return xml(wire.cors_xml(call.service.cors(call.bucket)))


def put_cors(call: S3Call) -> Response:
    call.service.set_cors(call.bucket, wire.parse_cors(call.body.read_all(MAX_XML_BYTES)))
    return Response(status=200)


def delete_cors(call: S3Call) -> Response:
    call.service.set_cors(call.bucket, [])
    return Response(status=204)


def get_bucket_tagging(call: S3Call) -> Response:
    return xml(wire.tagging_xml(call.service.bucket_tags(call.bucket)))


def put_bucket_tagging(call: S3Call) -> Response:
    call.service.set_bucket_tags(call.bucket, wire.parse_tagging(call.body.read_all(MAX_XML_BYTES)))
    return Response(status=204)


def delete_bucket_tagging(call: S3Call) -> Response:
    call.service.set_bucket_tags(call.bucket, [])
    return Response(status=204)


# ---------------------------------------------------------------------------
# objects


def put_object(call: S3Call) -> Response:
    view = call.service.put_object(call.bucket, call.key, cast(IO[bytes], call.body), given_headers(call.headers))
    return Response(status=200, headers={"ETag": wire.quoted(view.etag), **call.body.checksum_headers()})


def copy_object(call: S3Call) -> Response:
    call.body.read_all(0)
    directive = call.headers.get("x-amz-metadata-directive", "COPY").upper()
    if directive not in ("COPY", "REPLACE"):
        raise S3Error.invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", directive)
    given = given_headers(call.headers) if directive == "REPLACE" else None
    view = call.service.copy_object(copy_source(call), call.bucket, call.key, given)
    return xml(wire.copy_result_xml("CopyObjectResult", view.etag, view.info.put_time / 1e7))


def head_object(call: S3Call) -> Response:
    view = call.service.head(call.bucket, call.key)
    status = precondition(call.headers, view.etag, view.info.put_time / 1e7)
    headers = object_headers(view)
    headers["Content-Length"] = str(view.info.fsize)
    return Response(status=status, headers=headers)


def get_object(call: S3Call) -> Response:
    view = call.service.head(call.bucket, call.key)
    headers = object_headers(view)
    if precondition(call.headers, view.etag, view.info.put_time / 1e7) == 304:
        return Response(status=304, headers={k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")})
    headers.update(overrides(call.query))
    size = view.info.fsize
    span = byte_range(call.headers.get("Range", ""), size)
    first, last = span if span is not None else (0, size - 1)
    try:
        stream = view.info.path.open("rb")
    except FileNotFoundError:
        raise S3Error.no_such_key(call.key) from None
    stream.seek(first)
    headers["Content-Length"] = str(last - first + 1)
    status = 200
    if span is not None:
        status, headers["Content-Range"] = 206, f"bytes {first}-{last}/{size}"
    response = Response(_chunks(stream, last - first + 1), status=status, headers=headers,
                         direct_passthrough=True)
    response.call_on_close(stream.close)
    return response


def _chunks(stream: IO[bytes], length: int) -> Iterator[bytes]:
    while length > 0 and (data := stream.read(min(READ_CHUNK, length))):
        length -= len(data)
        yield data


def delete_object(call: S3Call) -> Response:
    call.service.delete_object(call.bucket, call.key)
    return Response(status=204)


# ---------------------------------------------------------------------------
# multipart


def _upload_id(call: S3Call) -> str:
    return call.query.get("uploadId", "")


def create_multipart(call: S3Call) -> Response:
    upload_id = call.multipart.create(call.bucket, call.key, given_headers(call.headers))
    return xml(wire.initiate_xml(call.name, call.key, upload_id))


def upload_part(call: S3Call) -> Response:
    etag = call.multipart.upload_part(call.bucket, call.key, _upload_id(call), _int_param(call, "partNumber", 0),
                                      cast(IO[bytes], call.body))
    return Response(status=200, headers={"ETag": wire.quoted(etag), **call.body.checksum_headers()})


def upload_part_copy(call: S3Call) -> Response:
    source = call.service.head(*copy_source(call))
    span = None
    text = call.headers.get("x-amz-copy-source-range", "")
    if text:
        span = byte_range(text, source.info.fsize)
        if span is None:
            raise S3Error.invalid_argument("The x-amz-copy-source-range value must be of the form "
                                           "bytes=first-last", "x-amz-copy-source-range", text)
    etag = call.multipart.upload_part_copy(call.bucket, call.key, _upload_id(call),
                                           _int_param(call, "partNumber", 0), source, span)
    return xml(wire.copy_result_xml("CopyPartResult", etag, source.info.put_time / 1e7))


def complete_multipart(call: S3Call) -> Response:
    parts = wire.parse_complete(call.body.read_all(MAX_XML_BYTES))
    view = call.multipart.complete(call.bucket, call.key, _upload_id(call), parts)
    return xml(wire.complete_xml(f"/{call.name}/{call.key}", call.name, call.key, view.etag))


def abort_multipart(call: S3Call) -> Response:
    call.multipart.abort(call.bucket, call.key, _upload_id(call))
    return Response(status=204)


def list_parts(call: S3Call) -> Response:
    marker, max_parts = _int_param(call, "part-number-marker", 0), _int_param(call, "max-parts", 1000)
    parts, truncated = call.multipart.list_parts(call.bucket, call.key, _upload_id(call), marker, max_parts)
    return xml(wire.list_parts_xml(call.name, call.key, _upload_id(call), marker, parts, max_parts, truncated,
                                   call.service.owner_id))


def list_uploads(call: S3Call) -> Response:
    prefix = call.query.get("prefix", "")
    return xml(wire.list_uploads_xml(call.name, prefix, call.multipart.list_uploads(call.bucket, prefix),
                                     call.service.owner_id))


HANDLERS: dict[str, Callable[[S3Call], Response]] = {
    "ListBuckets": list_buckets, "CreateBucket": create_bucket, "HeadBucket": head_bucket,
    "DeleteBucket": delete_bucket, "GetBucketLocation": bucket_location, "GetBucketCors": get_cors,
    "PutBucketCors": put_cors, "DeleteBucketCors": delete_cors, "GetBucketTagging": get_bucket_tagging,
    "PutBucketTagging": put_bucket_tagging, "DeleteBucketTagging": delete_bucket_tagging, "ListObjects": list_objects,
    "ListObjectsV2": list_objects_v2, "ListMultipartUploads": list_uploads, "DeleteObjects": delete_objects,
    "PutObject": put_object, "CopyObject": copy_object, "GetObject": get_object, "HeadObject": head_object,
    "DeleteObject": delete_object, "CreateMultipartUpload": create_multipart, "UploadPart": upload_part,
    "UploadPartCopy": upload_part_copy, "CompleteMultipartUpload": complete_multipart,
    "AbortMultipartUpload": abort_multipart, "ListParts": list_parts,
}
