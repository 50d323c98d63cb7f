"""S3's errors: one error type, the exact S3 codes and statuses, and the native ones translated.

An :class:`S3Error` is rendered by the S3 app as S3's XML error document (``s3/wire.py``);
a native :class:`~..errors.QiniuError` reaching the S3 door is translated first. The named constructors are the only place S3 codes are written.
Codes and statuses: docs/s3.md §4.
"""

from __future__ import annotations

from typing import Any

from .errors import (BadRequest, BucketExists, ConditionNotMet, DiskFull, FileExists, Forbidden, InjectedAnswer,
                      InvalidMarker, NoSuchBucket, NoSuchKey, NoSuchUpload, QiniuError, TooLarge, TooManyRequests,
                      Unauthorized)


class S3Error(Exception):
    """An S3 error: HTTP status, S3 code, message, and the extra elements S3 adds (e.g. the
    CanonicalRequest of a SignatureDoesNotMatch)."""

    def __init__(self, status: int, code: str, message: str, **extra: str) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.message = message
        self.code = code
        self.extra = dict(extra)
        self.expected = ""  # what the request log shows beside a rejected signature
        self.answer_headers: dict[str, str] = {}

    def body(self) -> dict[str, Any]:
        return {"Code": self.code, "Message": self.message, **self.extra}

    def headers(self) -> dict[str, str]:
        return dict(self.answer_headers)

    # 400 -------------------------------------------------------------------
    @classmethod
    def invalid_argument(cls, message: str, name: str = "", value: str = "") -> "S3Error":
        extra = {"ArgumentName": name, "ArgumentValue": value} if name else {}
        return cls(400, "InvalidArgument", message, **extra)

    @classmethod
    def invalid_request(cls, message: str) -> "S3Error":
        return cls(400, "InvalidRequest", message)

    @classmethod
    def invalid_tag(cls, message: str) -> "S3Error":
        return cls(400, "InvalidTag", message)

    @classmethod
    def preflight_incomplete(cls, missing: str) -> "S3Error":
        return cls(400, "BadRequest", f"Insufficient information. {missing} request header needed.")

    @classmethod
    def cors_refused(cls, why: str, method: str, vary: str = "") -> "S3Error":
        """A refused preflight (docs/s3.md §8)."""
        error = cls(403, "AccessForbidden", f"CORSResponse: {why}", Method=method, ResourceType="OBJECT")
        if vary:
            error.answer_headers["Vary"] = vary
        return error

    @classmethod
    def authorization_malformed(cls, message: str) -> "S3Error":
        return cls(400, "AuthorizationHeaderMalformed", message)

    @classmethod
    def authorization_query_malformed(cls, message: str) -> "S3Error":
        return cls(400, "AuthorizationQueryParametersError", message)

    @classmethod
    def malformed_xml(cls) -> "S3Error":
        return cls(400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
                   "against our published schema.")

    @classmethod
    def content_sha256_mismatch(cls, claimed: str, actual: str) -> "S3Error":
        return cls(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not "
                   "match what was computed.", ClientComputedContentSHA256=claimed, S3ComputedContentSHA256=actual)

    @classmethod
    def bad_digest(cls, what: str) -> "S3Error":
        return cls(400, "BadDigest", f"The {what} you specified did not match the calculated checksum.")

    @classmethod
    def invalid_digest(cls, what: str) -> "S3Error":
        return cls(400, "InvalidDigest", f"The {what} you specified is not valid.")

    @classmethod
    def incomplete_body(cls, message: str = "You did not provide the number of bytes specified by the "
                        "Content-Length HTTP header.") -> "S3Error":
        return cls(400, "IncompleteBody", message)

    @classmethod
    def invalid_bucket_name(cls, name: str) -> "S3Error":
        return cls(400, "InvalidBucketName", "The specified bucket is not valid.", BucketName=name)

    @classmethod
    def entity_too_small(cls, part: int, size: int, minimum: int) -> "S3Error":
        return cls(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.",
                   ProposedSize=str(size), MinSizeAllowed=str(minimum), PartNumber=str(part))

    @classmethod
    def entity_too_large(cls, message: str) -> "S3Error":
        return cls(400, "EntityTooLarge", message)

    @classmethod
    def invalid_part(cls, part: int, etag: str) -> "S3Error":
        return cls(400, "InvalidPart", "One or more of the specified parts could not be found. The part may not "
                   "have been uploaded, or the specified entity tag may not match the part's entity tag.",
                   PartNumber=str(part), ETag=etag)

    @classmethod
    def invalid_part_order(cls) -> "S3Error":
        return cls(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered "
                   "by part number.")

    @classmethod
    def bad_key(cls, message: str) -> "S3Error":
        return cls(400, "KeyTooLongError" if "too long" in message else "InvalidArgument", message)

    # 403 -------------------------------------------------------------------
    @classmethod
    def access_denied(cls, message: str = "Access Denied") -> "S3Error":
        return cls(403, "AccessDenied", message)

    @classmethod
    def unknown_access_key(cls, access_key: str) -> "S3Error":
        return cls(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.",
                   AWSAccessKeyId=access_key)

    @classmethod
    def signature_mismatch(cls, access_key: str, string_to_sign: str, canonical_request: str) -> "S3Error":
        error = cls(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                    "signature you provided. Check your key and signing method.",
                    AWSAccessKeyId=access_key, StringToSign=string_to_sign, CanonicalRequest=canonical_request)
        error.expected = (f"SigV4 for access key {access_key!r}; expected StringToSign {string_to_sign!r} "
                          f"over CanonicalRequest {canonical_request!r}")
        return error

    @classmethod
    def time_skewed(cls, request_time: str, server_time: str, max_skew: int) -> "S3Error":
        return cls(403, "RequestTimeTooSkewed", "The difference between the request time and the current time "
                   "is too large.", RequestTime=request_time, ServerTime=server_time,
                   MaxAllowedSkewMilliseconds=str(max_skew * 1000))

    @classmethod
    def expired(cls, expires: str, now: str) -> "S3Error":
        return cls(403, "AccessDenied", "Request has expired", Expires=expires, ServerTime=now)

    # 404 / 409 / 412 / 416 / 5xx ----------------------------------------------
    @classmethod
    def no_such_bucket(cls, name: str) -> "S3Error":
        return cls(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=name)

    @classmethod
    def no_such_key(cls, key: str) -> "S3Error":
        return cls(404, "NoSuchKey", "The specified key does not exist.", Key=key)

    @classmethod
    def no_such_upload(cls, upload_id: str) -> "S3Error":
        return cls(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or "
                   "the upload may have been aborted or completed.", UploadId=upload_id)

    @classmethod
    def no_such_cors(cls, name: str) -> "S3Error":
        return cls(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist", BucketName=name)

    @classmethod
    def no_such_tag_set(cls, name: str) -> "S3Error":
        return cls(404, "NoSuchTagSet", "The TagSet does not exist", BucketName=name)

    @classmethod
    def bucket_owned(cls, name: str) -> "S3Error":
        return cls(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded "
                   "and you already own it.", BucketName=name)

    @classmethod
    def bucket_exists(cls, name: str) -> "S3Error":
        return cls(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace "
                   "is shared by all users of the system. Please select a different name and try again.",
                   BucketName=name)

    @classmethod
    def bucket_not_empty(cls, name: str) -> "S3Error":
        return cls(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", BucketName=name)

    @classmethod
    def precondition_failed(cls, condition: str) -> "S3Error":
        return cls(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                   Condition=condition)

    @classmethod
    def invalid_range(cls, size: int, given: str) -> "S3Error":
        error = cls(416, "InvalidRange", "The requested range is not satisfiable",
                    RangeRequested=given, ActualObjectSize=str(size))
        error.answer_headers = {"Content-Range": f"bytes */{size}"}
        return error

    @classmethod
    def not_implemented(cls, operation: str) -> "S3Error":
        return cls(501, "NotImplemented", f"{operation} is not implemented by qiniu-emulator's S3 API "
                   "(see the README's table of supported operations)", Operation=operation)

    @classmethod
    def internal(cls, message: str) -> "S3Error":
        return cls(500, "InternalError", message)

    @classmethod
    def slow_down(cls, message: str) -> "S3Error":
        return cls(503, "SlowDown", message)


def translate(exc: QiniuError | S3Error, bucket: str = "", key: str = "") -> S3Error:
    """The S3 error a native storage error stands for (a scenario's injected answer keeps its status)."""
    if isinstance(exc, S3Error):
        return exc
    if isinstance(exc, NoSuchBucket):
        return S3Error.no_such_bucket(bucket)
    if isinstance(exc, NoSuchUpload):
        return S3Error.no_such_upload("")
    if isinstance(exc, NoSuchKey):
        return S3Error.no_such_key(key)
    if isinstance(exc, BucketExists):
        return S3Error.bucket_owned(bucket)
    if isinstance(exc, TooLarge):
        return S3Error.entity_too_large(exc.message)
    if isinstance(exc, DiskFull):
        return S3Error(507, "InsufficientStorage", exc.message)
    if isinstance(exc, (FileExists, ConditionNotMet)):
        return S3Error.precondition_failed(exc.message)
    if isinstance(exc, (BadRequest, InvalidMarker)):
        return S3Error.invalid_argument(exc.message)
    if isinstance(exc, TooManyRequests):
        error = S3Error.slow_down(exc.message)
        error.answer_headers = exc.headers()
        return error
    if isinstance(exc, (Unauthorized, Forbidden)):
        return S3Error.access_denied(exc.message)
    if isinstance(exc, InjectedAnswer):
        error = S3Error(exc.status, "InjectedError" if exc.status < 500 else "ServiceUnavailable", exc.message)
        error.answer_headers = exc.headers()
        return error
    return S3Error(exc.status if 400 <= exc.status < 600 else 500, "InternalError", exc.message)
