"""Every XML document the S3 door sends or reads, one function per shape (docs/s3.md §5)."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import formatdate
from typing import Iterable
from xml.sax.saxutils import escape

from ..cors import CorsRule, parse_rules
from ..errors import QiniuError
from ..s3_errors import S3Error

# The methods a CORS rule may allow through S3 (docs/s3.md §8).
S3_CORS_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Entry:
    """One object as a listing shows it."""

    key: str
    last_modified: float  # unix seconds
    etag: str
    size: int


@dataclass(frozen=True)
class PartEntry:
    number: int
    last_modified: float
    etag: str
    size: int


@dataclass(frozen=True)
class UploadEntry:
    key: str
    upload_id: str
    initiated: float


def iso_time(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"


def http_time(seconds: float) -> str:
    return formatdate(int(seconds), usegmt=True)


def quoted(etag: str) -> str:
    return f'"{etag}"'


def _el(name: str, value: object) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def _doc(root: str, parts: Iterable[str]) -> str:
    return f'{DECLARATION}<{root} xmlns="{NAMESPACE}">{"".join(parts)}</{root}>'


def error_xml(error: S3Error, resource: str, request_id: str) -> str:
    extra = "".join(_el(name, value) for name, value in error.extra.items())
    return (f"{DECLARATION}<Error>{_el('Code', error.code)}{_el('Message', error.message)}{extra}"
            f"{_el('Resource', resource)}{_el('RequestId', request_id)}</Error>")


def _owner(owner_id: str) -> str:
    return f"<Owner>{_el('ID', owner_id)}{_el('DisplayName', owner_id)}</Owner>"


def list_buckets_xml(owner_id: str, buckets: list[tuple[str, float]]) -> str:
    items = "".join(f"<Bucket>{_el('Name', name)}{_el('CreationDate', iso_time(created))}</Bucket>"
                    for name, created in buckets)
    return _doc("ListAllMyBucketsResult", [_owner(owner_id), f"<Buckets>{items}</Buckets>"])


def location_xml(region: str) -> str:
    return f'{DECLARATION}<LocationConstraint xmlns="{NAMESPACE}">{escape(region)}</LocationConstraint>'


def _contents(entries: list[Entry], owner_id: str | None) -> list[str]:
    return [f"<Contents>{_el('Key', e.key)}{_el('LastModified', iso_time(e.last_modified))}"
            f"{_el('ETag', quoted(e.etag))}{_el('Size', e.size)}"
            f"{_owner(owner_id) if owner_id else ''}{_el('StorageClass', 'STANDARD')}</Contents>"
            for e in entries]


def _prefixes(prefixes: list[str]) -> list[str]:
    return [f"<CommonPrefixes>{_el('Prefix', p)}</CommonPrefixes>" for p in prefixes]


@dataclass(frozen=True)
class Listing:
    """One page of ListObjects (v1 or v2) before it is written out."""

    bucket: str
    prefix: str
    delimiter: str
    max_keys: int
    entries: list[Entry]
    prefixes: list[str]
    truncated: bool
    next_marker: str  # the last key or prefix of the page, when truncated


def list_v1_xml(page: Listing, marker: str, owner_id: str) -> str:
    parts = [_el("Name", page.bucket), _el("Prefix", page.prefix), _el("Marker", marker),
             _el("MaxKeys", page.max_keys)]
    if page.delimiter:
        parts.append(_el("Delimiter", page.delimiter))
    parts.append(_el("IsTruncated", page.truncated))
    if page.truncated and page.delimiter:
        parts.append(_el("NextMarker", page.next_marker))
    return _doc("ListBucketResult", parts + _contents(page.entries, owner_id) + _prefixes(page.prefixes))


def list_v2_xml(page: Listing, token: str, next_token: str, start_after: str, owner_id: str | None) -> str:
    parts = [_el("Name", page.bucket), _el("Prefix", page.prefix)]
    if page.delimiter:
        parts.append(_el("Delimiter", page.delimiter))
    parts += [_el("MaxKeys", page.max_keys), _el("KeyCount", len(page.entries) + len(page.prefixes)),
              _el("IsTruncated", page.truncated)]
    if token:
        parts.append(_el("ContinuationToken", token))
    if next_token:
        parts.append(_el("NextContinuationToken", next_token))
    if start_after:
        parts.append(_el("StartAfter", start_after))
    return _doc("ListBucketResult", parts + _contents(page.entries, owner_id) + _prefixes(page.prefixes))


def copy_result_xml(root: str, etag: str, last_modified: float) -> str:
    return _doc(root, [_el("LastModified", iso_time(last_modified)), _el("ETag", quoted(etag))])


def delete_result_xml(deleted: list[str], errors: list[tuple[str, S3Error]], quiet: bool) -> str:
    parts = [] if quiet else [f"<Deleted>{_el('Key', key)}</Deleted>" for key in deleted]
    parts += [f"<Error>{_el('Key', key)}{_el('Code', e.code)}{_el('Message', e.message)}</Error>"
              for key, e in errors]
    return _doc("DeleteResult", parts)


def initiate_xml(bucket: str, key: str, upload_id: str) -> str:
    return _doc("InitiateMultipartUploadResult", [_el("Bucket", bucket), _el("Key", key),
                                                  _el("UploadId", upload_id)])


def complete_xml(location: str, bucket: str, key: str, etag: str) -> str:
    return _doc("CompleteMultipartUploadResult", [_el("Location", location), _el("Bucket", bucket),
                                                  _el("Key", key), _el("ETag", quoted(etag))])


def list_parts_xml(bucket: str, key: str, upload_id: str, marker: int, parts: list[PartEntry],
                   max_parts: int, truncated: bool, owner_id: str) -> str:
    body = [_el("Bucket", bucket), _el("Key", key), _el("UploadId", upload_id),
            f"<Initiator>{_el('ID', owner_id)}{_el('DisplayName', owner_id)}</Initiator>", _owner(owner_id),
            _el("StorageClass", "STANDARD"), _el("PartNumberMarker", marker),
            _el("NextPartNumberMarker", parts[-1].number if parts else marker), _el("MaxParts", max_parts),
            _el("IsTruncated", truncated)]
    body += [f"<Part>{_el('PartNumber', p.number)}{_el('LastModified', iso_time(p.last_modified))}"
             f"{_el('ETag', quoted(p.etag))}{_el('Size', p.size)}</Part>" for p in parts]
    return _doc("ListPartsResult", body)


def list_uploads_xml(bucket: str, prefix: str, uploads: list[UploadEntry], owner_id: str) -> str:
    body = [_el("Bucket", bucket), _el("KeyMarker", ""), _el("UploadIdMarker", ""), _el("Prefix", prefix),
            _el("MaxUploads", 1000), _el("IsTruncated", False)]
    body += [f"<Upload>{_el('Key', u.key)}{_el('UploadId', u.upload_id)}"
             f"<Initiator>{_el('ID', owner_id)}{_el('DisplayName', owner_id)}</Initiator>{_owner(owner_id)}"
             f"{_el('StorageClass', 'STANDARD')}{_el('Initiated', iso_time(u.initiated))}</Upload>"
             for u in uploads]
    return _doc("ListMultipartUploadsResult", body)


def cors_xml(rules: list[CorsRule]) -> str:
    out = []
    for rule in rules:
        fields = ([_el("AllowedOrigin", o) for o in rule.allowed_origin]
                  + [_el("AllowedMethod", m) for m in rule.allowed_method]
                  + [_el("AllowedHeader", h) for h in rule.allowed_header]
                  + [_el("ExposeHeader", h) for h in rule.exposed_header])
        if rule.max_age:
            fields.append(_el("MaxAgeSeconds", rule.max_age))
        out.append(f"<CORSRule>{''.join(fields)}</CORSRule>")
    return _doc("CORSConfiguration", out)


def tagging_xml(tags: list[tuple[str, str]]) -> str:
    return _doc("Tagging", ["<TagSet>", *(f"<Tag>{_el('Key', k)}{_el('Value', v)}</Tag>" for k, v in tags),
                            "</TagSet>"])


# ---------------------------------------------------------------------------
# Documents clients send


def _parse(body: bytes) -> ET.Element:
    # No DTDs: an entity-expansion document is refused before the parser sees it.
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise S3Error.malformed_xml()
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise S3Error.malformed_xml() from None
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]
    return root


def parse_delete(body: bytes) -> tuple[list[str], bool]:
    """The keys of a DeleteObjects request and its Quiet flag."""
    root = _parse(body)
    if root.tag != "Delete":
        raise S3Error.malformed_xml()
    keys = [obj.findtext("Key") for obj in root.findall("Object")]
    if not keys or len(keys) > 1000 or any(k is None for k in keys):
        raise S3Error.malformed_xml()
    return [str(k) for k in keys], (root.findtext("Quiet") or "").strip().lower() == "true"


def parse_complete(body: bytes) -> list[tuple[int, str]]:
    """The (part number, ETag) list of a CompleteMultipartUpload request."""
    root = _parse(body)
    parts = []
    for part in root.findall("Part"):
        number, etag = (part.findtext("PartNumber") or "").strip(), (part.findtext("ETag") or "").strip()
        if not number.isdigit() or not etag:
            raise S3Error.malformed_xml()
        parts.append((int(number), etag.strip('"')))
    if root.tag != "CompleteMultipartUpload" or not parts:
        raise S3Error.malformed_xml()
    return parts


def parse_cors(body: bytes) -> list[CorsRule]:
    """A PutBucketCors document as the rules the native ``/corsRules/set`` stores (docs/s3.md §8)."""
    root = _parse(body)
    rules = []
    for rule in root.findall("CORSRule"):
        texts = {name: [(e.text or "").strip() for e in rule.findall(name)]
                 for name in ("AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader")}
        max_age = (rule.findtext("MaxAgeSeconds") or "").strip()
        if not texts["AllowedOrigin"] or not texts["AllowedMethod"] or (max_age and not max_age.isdigit()):
            raise S3Error.malformed_xml()
        for method in texts["AllowedMethod"]:
            if method not in S3_CORS_METHODS:
                raise S3Error.invalid_request(f"Found unsupported HTTP method in CORS config. Unsupported method is "
                                              f"{method[:20]}")
        rules.append({"allowed_origin": texts["AllowedOrigin"], "allowed_method": texts["AllowedMethod"],
                      "allowed_header": texts["AllowedHeader"], "exposed_header": texts["ExposeHeader"],
                      "max_age": int(max_age) if max_age else 0})
    if root.tag != "CORSConfiguration" or not rules:
        raise S3Error.malformed_xml()
    try:
        return parse_rules(rules)
    except QiniuError as exc:  # too many rules, a value a header could not carry
        raise S3Error.invalid_request(exc.message) from None


def parse_tagging(body: bytes) -> list[tuple[str, str]]:
    """The (key, value) pairs of a PutBucketTagging document, in order (limits: ``s3/tagging.py``)."""
    root = _parse(body)
    tag_set = root.find("TagSet")
    if root.tag != "Tagging" or tag_set is None:
        raise S3Error.malformed_xml()
    tags = []
    for tag in tag_set.findall("Tag"):
        key, value = tag.findtext("Key"), tag.findtext("Value")
        if key is None or value is None:
            raise S3Error.malformed_xml()
        tags.append((key, value))
    return tags
