"""The one error type of the emulator and the exact wire codes and strings it uses.

Every error a request can produce is a :class:`QiniuError`; the Flask handler in
``app.py`` renders it as ``{"error": ..., "code": ...}`` with the status code as the
HTTP status. The named constructors below are the only place where status codes and
Qiniu's error strings are written down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar, Self

# Reason phrases for Qiniu's non-standard status codes, so the status line is readable.
REASONS = {
    298: "Partial Success",
    478: "Source Fetch Failed",
    499: "Client Closed Request",
    503: "Service Unavailable",
    573: "Too Many Requests",
    579: "Callback Failed",
    599: "Server Error",
    608: "Content Modified",
    612: "No Such Entry",
    613: "Condition Not Met",
    614: "Entry Exists",
    630: "Too Many Buckets",
    631: "No Such Bucket",
    640: "Invalid Marker",
    701: "Invalid Context",
}


@dataclass
class QiniuError(Exception):
    """An error with the HTTP status and ``error`` string Qiniu sends for it.

    Each distinct error has its own subclass, so code that reacts to one names it
    (``except NoSuchKey``) instead of comparing status codes that several errors share.
    The named constructors below return those subclasses.
    """

    status: int
    message: str
    # What the request log and the console add to the answer, never sent to the client:
    # Qiniu's body stays as it is, and the note says what it means for this request.
    note: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.message}")

    def noted(self, note: str) -> Self:
        """This error with ``note`` for the request log (the wire answer is unchanged)."""
        self.note = note
        return self

    def body(self) -> dict:
        return {"error": self.message, "code": self.status}

    def headers(self) -> dict[str, str]:
        """Headers the answer carries besides the JSON body."""
        return {}

    # 400 ---------------------------------------------------------------
    @classmethod
    def bad_request(cls, message: str = "invalid argument") -> "BadRequest":
        return BadRequest(message)

    @classmethod
    def incorrect_region(cls, host: str, bucket: str) -> "IncorrectRegion":
        """A request on a host of another region than the bucket's (docs/regions.md §3)."""
        return IncorrectRegion(f"incorrect region, please use {host}, bucket is: {bucket}")

    @classmethod
    def invalid_entry(cls) -> "BadRequest":
        return BadRequest("invalid argument")

    @classmethod
    def status_unchanged(cls, disabled: bool) -> "BadRequest":
        """``chstatus`` to the status the object already has."""
        return BadRequest("already disabled" if disabled else "already enabled")

    @classmethod
    def key_not_utf8(cls) -> "BadRequest":
        return BadRequest("key must be utf8 encoding")

    # 401 ---------------------------------------------------------------
    @classmethod
    def token_not_specified(cls) -> "Unauthorized":
        return Unauthorized("token not specified")

    @classmethod
    def bad_token(cls) -> "Unauthorized":
        return Unauthorized("bad token")

    @classmethod
    def token_expired(cls) -> "Unauthorized":
        """A private download URL past its ``e``."""
        return Unauthorized("token out of date")

    @classmethod
    def upload_token_expired(cls) -> "Unauthorized":
        """An upload token past its ``deadline``: the up hosts' own words (docs/wire.md §2.1)."""
        return Unauthorized("expired token")

    @classmethod
    def download_token_missing(cls) -> "Unauthorized":
        return Unauthorized("download token not specified")

    # 403 ---------------------------------------------------------------
    @classmethod
    def scope_mismatch(cls) -> "Forbidden":
        return Forbidden("key doesn't match scope")

    @classmethod
    def time_skewed(cls) -> "Forbidden":
        return Forbidden("request time too skewed")

    @classmethod
    def forbidden(cls, message: str) -> "Forbidden":
        return Forbidden(message)

    # 404 / 4xx -----------------------------------------------------------
    @classmethod
    def method_not_allowed(cls, message: str) -> "MethodNotAllowed":
        return MethodNotAllowed(message)

    @classmethod
    def misdirected(cls, host: str) -> "Misdirected":
        return Misdirected(f"this port does not answer to the host name {host!r}")

    @classmethod
    def document_not_found(cls) -> "DocumentNotFound":
        return DocumentNotFound()

    @classmethod
    def crc_mismatch(cls) -> "CrcMismatch":
        return CrcMismatch()

    @classmethod
    def too_large(cls, message: str = "file exceeds fsizeLimit") -> "TooLarge":
        return TooLarge(message)

    @classmethod
    def client_closed(cls) -> "ClientClosed":
        return ClientClosed()

    @classmethod
    def shutting_down(cls) -> "ShuttingDown":
        return ShuttingDown()

    # Qiniu-specific ------------------------------------------------------
    @classmethod
    def too_many_requests(cls, message: str, retry_after: int = 1) -> "TooManyRequests":
        return TooManyRequests(message, retry_after)

    @classmethod
    def disk_full(cls, what: str) -> "DiskFull":
        return DiskFull(f"no space left on the emulator's disk while {what}; free some space "
                        "or move the data directory (--data)")

    @classmethod
    def callback_failed(cls, message: str = "callback failed") -> "CallbackFailed":
        return CallbackFailed(message)

    @classmethod
    def server_error(cls, message: str = "internal server error") -> "ServerError":
        return ServerError(message)

    @classmethod
    def no_such_key(cls) -> "NoSuchKey":
        return NoSuchKey()

    @classmethod
    def no_such_upload(cls) -> "NoSuchUpload":
        return NoSuchUpload()

    @classmethod
    def unknown_access_key(cls) -> "UnknownAccessKey":
        return UnknownAccessKey()

    @classmethod
    def no_such_job(cls) -> "NoSuchJob":
        return NoSuchJob()

    @classmethod
    def no_such_video_job(cls, job_id: str) -> "DocumentNotFound":
        """``GET /v3/jobs/video/<id>`` of an id never issued (docs/censor.md §5)."""
        return DocumentNotFound(f"no such video censor job: {job_id!r}")

    @classmethod
    def no_such_pipeline(cls, name: str) -> "NoSuchKey":
        return NoSuchKey(f"no such pipeline: {name} (declare it with --pipeline {name})")

    @classmethod
    def no_such_fetch_task(cls) -> "NoSuchKey":
        return NoSuchKey("no such fetch task")

    @classmethod
    def fetch_failed(cls, message: str) -> "FetchFailed":
        return FetchFailed(message)

    @classmethod
    def condition_not_met(cls) -> "ConditionNotMet":
        return ConditionNotMet()

    @classmethod
    def file_exists(cls) -> "FileExists":
        return FileExists()

    @classmethod
    def bucket_exists(cls) -> "BucketExists":
        return BucketExists()

    @classmethod
    def no_such_bucket(cls, name: str | None = None) -> "NoSuchBucket":
        error = NoSuchBucket()
        return error.noted(f"no bucket named {name!r}") if name is not None else error

    @classmethod
    def invalid_marker(cls) -> "InvalidMarker":
        return InvalidMarker()

    @classmethod
    def invalid_context(cls) -> "InvalidContext":
        return InvalidContext()


class _Fixed(QiniuError):
    """An error whose status is fixed by its class; the message may vary."""

    STATUS: ClassVar[int] = 599
    DEFAULT: ClassVar[str] = ""

    def __init__(self, message: str | None = None) -> None:
        QiniuError.__init__(self, self.STATUS, self.DEFAULT if message is None else message)


class BadRequest(_Fixed):
    STATUS, DEFAULT = 400, "invalid argument"


class IncorrectRegion(_Fixed):
    STATUS, DEFAULT = 400, "incorrect region"


class Unauthorized(_Fixed):
    STATUS, DEFAULT = 401, "bad token"


class BadSignature(Unauthorized):
    """A 401 ``bad token`` that knows what a correct signer would have signed.

    ``expected`` are the strings the emulator computed from the request (never a secret
    key); ``hint`` says what was missing when there was nothing to compare. The request
    log and the console show them beside the rejected request.
    """

    def __init__(self, what: str, access_key: str | None, expected: tuple[str, ...] = (),
                 hint: str = "") -> None:
        super().__init__()
        self.what = what
        self.access_key = access_key
        self.expected = expected
        self.hint = hint

    def explanation(self) -> str:
        claimed = f" for access key {self.access_key!r}" if self.access_key else ""
        if not self.expected:
            return f"{self.what} rejected{claimed}: {self.hint or 'no credential'}"
        listed = "\n".join(f"  {text!r}" for text in self.expected)
        return f"{self.what} rejected{claimed}; expected a signature over one of:\n{listed}"


class Forbidden(_Fixed):
    STATUS, DEFAULT = 403, "forbidden"


class MethodNotAllowed(_Fixed):
    STATUS, DEFAULT = 405, "method not allowed"


class Misdirected(_Fixed):
    STATUS, DEFAULT = 421, "misdirected request"


class DocumentNotFound(_Fixed):
    STATUS, DEFAULT = 404, "Document not found"


class CrcMismatch(_Fixed):
    STATUS, DEFAULT = 406, "crc32 not match"


class TooLarge(_Fixed):
    STATUS, DEFAULT = 413, "file exceeds fsizeLimit"


class ClientClosed(_Fixed):
    """The client went away before its answer was ready (nginx's 499; nobody reads it)."""

    STATUS, DEFAULT = 499, "client closed the request"


class ShuttingDown(_Fixed):
    STATUS, DEFAULT = 503, "the emulator is shutting down"


class TooManyRequests(_Fixed):
    """Qiniu's 573: too many requests right now; ``Retry-After`` says when to try again."""

    STATUS, DEFAULT = 573, "too many requests"

    def __init__(self, message: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class DiskFull(_Fixed):
    STATUS, DEFAULT = 599, "no space left on device"


class CallbackFailed(_Fixed):
    STATUS, DEFAULT = 579, "callback failed"


class ServerError(_Fixed):
    STATUS, DEFAULT = 599, "internal server error"


class FetchFailed(_Fixed):
    """Qiniu's 478: the source of a fetch could not be read."""

    STATUS, DEFAULT = 478, "fetch source failed"


class NoSuchKey(_Fixed):
    STATUS, DEFAULT = 612, "no such file or directory"


class NoSuchUpload(_Fixed):
    STATUS, DEFAULT = 612, "no such uploadId"


class UnknownAccessKey(_Fixed):
    STATUS, DEFAULT = 612, "app/accesskey is not found"


class NoSuchJob(_Fixed):
    STATUS, DEFAULT = 612, "no such id in prefop"


class ConditionNotMet(_Fixed):
    STATUS, DEFAULT = 613, "cond not match"


class FileExists(_Fixed):
    STATUS, DEFAULT = 614, "file exists"


class BucketExists(_Fixed):
    STATUS, DEFAULT = 614, "bucket exists"


class NoSuchBucket(_Fixed):
    STATUS, DEFAULT = 631, "no such bucket"


class InvalidMarker(_Fixed):
    STATUS, DEFAULT = 640, "invalid marker"


class InvalidContext(_Fixed):
    STATUS, DEFAULT = 701, "invalid ctx"


class NoSuchScenario(_Fixed):
    """An emulator-only error: ``/_emulator/scenarios/<id>`` names no rule."""

    STATUS, DEFAULT = 404, "no such scenario rule"


class InjectedAnswer(QiniuError):
    """The answer a scenario rule gives instead of the real one: any status, any JSON body.

    ``X-Emulator-Scenario`` names the rule, so a surprised reader can find where it came from.
    """

    def __init__(self, status: int, rule_id: str, payload: Any = None,
                 extra_headers: dict[str, str] | None = None) -> None:
        reason = (REASONS.get(status) or _standard_phrase(status) or "injected error").lower()
        QiniuError.__init__(self, status, f"{reason} (injected by scenario {rule_id})")
        self.rule_id = rule_id
        self.payload = payload
        self.extra_headers = dict(extra_headers or {})

    def body(self) -> Any:
        return super().body() if self.payload is None else self.payload

    def headers(self) -> dict[str, str]:
        out = {"Retry-After": "1"} if self.status == 573 else {}
        out.update(self.extra_headers)
        out["X-Emulator-Scenario"] = self.rule_id
        return out


def _standard_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
