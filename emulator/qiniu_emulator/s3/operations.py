"""Which S3 operation a request is: method, what it addresses (service, bucket, object), its
query subresources and the copy-source header. The names are AWS's operation names; the
README's table of supported operations and scenario rules (``s3.<Operation>``) use them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    target: str  # "service", "bucket" or "object"
    marker: str = ""  # the query parameter (or "copy" for x-amz-copy-source) that selects it
    note: str = ""


SUPPORTED: tuple[Operation, ...] = (
    Operation("ListBuckets", "GET", "service"),
    Operation("CreateBucket", "PUT", "bucket"),
    Operation("HeadBucket", "HEAD", "bucket"),
    Operation("DeleteBucket", "DELETE", "bucket", note="only an empty bucket"),
    Operation("GetBucketLocation", "GET", "bucket", "location"),
    Operation("GetBucketCors", "GET", "bucket", "cors"),
    Operation("PutBucketCors", "PUT", "bucket", "cors"),
    Operation("DeleteBucketCors", "DELETE", "bucket", "cors"),
    Operation("GetBucketTagging", "GET", "bucket", "tagging"),
    Operation("PutBucketTagging", "PUT", "bucket", "tagging", note="Kodo's limits: 10 tags, keys up to 64 bytes, "
              "values up to 128"),
    Operation("DeleteBucketTagging", "DELETE", "bucket", "tagging"),
    Operation("OptionsObject", "OPTIONS", "object", note="CORS preflight from the bucket's CORS rules, unsigned; "
              "also on `/{bucket}`"),
    Operation("ListObjects", "GET", "bucket", note="prefix, delimiter, marker, max-keys"),
    Operation("ListObjectsV2", "GET", "bucket", "list-type",
              note="prefix, delimiter, continuation-token, start-after, max-keys, fetch-owner"),
    Operation("ListMultipartUploads", "GET", "bucket", "uploads", note="prefix"),
    Operation("DeleteObjects", "POST", "bucket", "delete", note="Quiet; at most 1000 keys"),
    Operation("PutObject", "PUT", "object", note="x-amz-meta-*, Content-Type/Disposition/Encoding/Language, "
              "Cache-Control, Expires, Content-MD5, x-amz-checksum-*"),
    Operation("CopyObject", "PUT", "object", "copy", note="x-amz-metadata-directive COPY or REPLACE"),
    Operation("GetObject", "GET", "object", note="Range, If-(None-)Match, If-(Un)Modified-Since, response-*"),
    Operation("HeadObject", "HEAD", "object", note="as GetObject"),
    Operation("DeleteObject", "DELETE", "object"),
    Operation("CreateMultipartUpload", "POST", "object", "uploads"),
    Operation("UploadPart", "PUT", "object", "partNumber"),
    Operation("UploadPartCopy", "PUT", "object", "partNumber+copy", note="x-amz-copy-source-range"),
    Operation("CompleteMultipartUpload", "POST", "object", "uploadId", note="parts of 5 MiB at least, but the last"),
    Operation("AbortMultipartUpload", "DELETE", "object", "uploadId"),
    Operation("ListParts", "GET", "object", "uploadId", note="part-number-marker, max-parts"),
)

# Subresources of operations answered 501, with the noun of their AWS name.
_BUCKET_NOUNS = {
    "acl": "BucketAcl", "tagging": "BucketTagging", "policy": "BucketPolicy", "lifecycle":
    "BucketLifecycleConfiguration", "website": "BucketWebsite", "versioning": "BucketVersioning", "logging":
    "BucketLogging", "notification": "BucketNotificationConfiguration", "replication": "BucketReplication",
    "encryption": "BucketEncryption", "accelerate": "BucketAccelerateConfiguration", "requestPayment":
    "BucketRequestPayment", "object-lock": "ObjectLockConfiguration", "ownershipControls": "BucketOwnershipControls",
    "publicAccessBlock": "PublicAccessBlock", "intelligent-tiering": "BucketIntelligentTieringConfiguration",
    "inventory": "BucketInventoryConfiguration", "metrics": "BucketMetricsConfiguration", "analytics":
    "BucketAnalyticsConfiguration", "policyStatus": "BucketPolicyStatus",
}
_OBJECT_NOUNS = {"acl": "ObjectAcl", "tagging": "ObjectTagging", "retention": "ObjectRetention",
                 "legal-hold": "ObjectLegalHold", "attributes": "ObjectAttributes", "torrent": "ObjectTorrent"}
_SPECIAL = {"versions": "ListObjectVersions", "restore": "RestoreObject", "select": "SelectObjectContent",
            "renameObject": "RenameObject"}
_VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Get", "POST": "Post"}
_BY_NAME = {op.name: op for op in SUPPORTED}
PREFLIGHT = "OptionsObject"  # S3's name for a browser's preflight, on an object or its bucket


def operation_for(method: str, bucket: str, key: str, query: set[str], copy_source: bool) -> str:
    """The AWS name of the operation a request asks for (supported or not)."""
    target = "object" if key else "bucket" if bucket else "service"
    if method == "OPTIONS" and target != "service":
        return PREFLIGHT
    if target == "service":
        return "ListBuckets" if method in ("GET", "HEAD") else f"{_VERBS.get(method, method)}Service"
    nouns = _OBJECT_NOUNS if target == "object" else _BUCKET_NOUNS
    for param in query:
        if param in _SPECIAL:
            return _SPECIAL[param]
        if param in nouns:
            return _VERBS.get(method, method) + nouns[param]
    if target == "bucket":
        return _bucket_operation(method, query)
    return _object_operation(method, query, copy_source)


def _bucket_operation(method: str, query: set[str]) -> str:
    if method == "HEAD":
        return "HeadBucket"
    if method == "GET":
        for marker, name in (("location", "GetBucketLocation"), ("cors", "GetBucketCors"),
                             ("uploads", "ListMultipartUploads"), ("list-type", "ListObjectsV2")):
            if marker in query:
                return name
        return "ListObjects"
    if method in ("PUT", "DELETE"):
        verb = "Put" if method == "PUT" else "Delete"
        return f"{verb}BucketCors" if "cors" in query else ("CreateBucket" if method == "PUT" else "DeleteBucket")
    if method == "POST":
        return "DeleteObjects" if "delete" in query else "PostObject"
    return f"{method.title()}Bucket"


def _object_operation(method: str, query: set[str], copy_source: bool) -> str:
    multipart = "uploadId" in query
    if method == "GET":
        return "ListParts" if multipart else "GetObject"
    if method == "HEAD":
        return "HeadObject"
    if method == "PUT":
        if "partNumber" in query and multipart:
            return "UploadPartCopy" if copy_source else "UploadPart"
        return "CopyObject" if copy_source else "PutObject"
    if method == "DELETE":
        return "AbortMultipartUpload" if multipart else "DeleteObject"
    if method == "POST":
        if "uploads" in query:
            return "CreateMultipartUpload"
        return "CompleteMultipartUpload" if multipart else "PostObject"
    return f"{method.title()}Object"


def is_supported(name: str) -> bool:
    return name in _BY_NAME


def scenario_name(operation: str) -> str:
    """The name scenario rules match: ``s3.PutObject`` (``s3`` covers every S3 operation)."""
    return f"s3.{operation}"


def operations_table() -> str:
    """The README's table of supported operations (Markdown), generated from :data:`SUPPORTED`."""
    lines = ["| operation | request | notes |", "|---|---|---|"]
    for op in SUPPORTED:
        where = {"service": "/", "bucket": "/{bucket}", "object": "/{bucket}/{key}"}[op.target]
        marker = op.marker.replace("+copy", "").replace("copy", "")
        query = f"?{marker}" if marker else ""
        copy = " + x-amz-copy-source" if "copy" in op.marker else ""
        lines.append(f"| {op.name} | `{op.method} {where}{query}`{copy} | {op.note} |")
    return "\n".join(lines)
