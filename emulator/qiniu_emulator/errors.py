"""The one error type of the emulator and the exact wire codes and strings it uses.

Every error a request can produce is a :class:`QiniuError`; the Flask handler in
``app.py`` renders it as ``{"error": ..., "code": ...}`` with the status code as the
HTTP status. The named constructors below are the only place where status codes and
Qiniu's error strings are written down.
"""

from __future__ import annotations

from dataclasses import dataclass

# Reason phrases for Qiniu's non-standard status codes, so the status line is readable.
REASONS = {
    298: "Partial Success",
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
    """An error with the HTTP status and ``error`` string Qiniu sends for it."""

    status: int
    message: str

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.message}")

    def body(self) -> dict:
        return {"error": self.message, "code": self.status}

    # 400 ---------------------------------------------------------------
    @classmethod
    def bad_request(cls, message: str = "invalid argument") -> "QiniuError":
        return cls(400, message)

    @classmethod
    def invalid_entry(cls) -> "QiniuError":
        return cls(400, "invalid argument")

    @classmethod
    def status_unchanged(cls, disabled: bool) -> "QiniuError":
        """``chstatus`` to the status the object already has."""
        return cls(400, "already disabled" if disabled else "already enabled")

    @classmethod
    def key_not_utf8(cls) -> "QiniuError":
        return cls(400, "key must be utf8 encoding")

    # 401 ---------------------------------------------------------------
    @classmethod
    def token_not_specified(cls) -> "QiniuError":
        return cls(401, "token not specified")

    @classmethod
    def bad_token(cls) -> "QiniuError":
        return cls(401, "bad token")

    @classmethod
    def token_expired(cls) -> "QiniuError":
        return cls(401, "token out of date")

    @classmethod
    def download_token_missing(cls) -> "QiniuError":
        return cls(401, "download token not specified")

    # 403 ---------------------------------------------------------------
    @classmethod
    def scope_mismatch(cls) -> "QiniuError":
        return cls(403, "key doesn't match scope")

    @classmethod
    def time_skewed(cls) -> "QiniuError":
        return cls(403, "request time too skewed")

    @classmethod
    def forbidden(cls, message: str) -> "QiniuError":
        return cls(403, message)

    # 404 / 4xx -----------------------------------------------------------
    @classmethod
    def document_not_found(cls) -> "QiniuError":
        return cls(404, "Document not found")

    @classmethod
    def crc_mismatch(cls) -> "QiniuError":
        return cls(406, "crc32 not match")

    @classmethod
    def too_large(cls, message: str = "file exceeds fsizeLimit") -> "QiniuError":
        return cls(413, message)

    # Qiniu-specific ------------------------------------------------------
    @classmethod
    def callback_failed(cls, message: str = "callback failed") -> "QiniuError":
        return cls(579, message)

    @classmethod
    def server_error(cls, message: str = "internal server error") -> "QiniuError":
        return cls(599, message)

    @classmethod
    def no_such_key(cls) -> "QiniuError":
        return cls(612, "no such file or directory")

    @classmethod
    def no_such_upload(cls) -> "QiniuError":
        return cls(612, "no such uploadId")

    @classmethod
    def unknown_access_key(cls) -> "QiniuError":
        return cls(612, "app/accesskey is not found")

    @classmethod
    def no_such_job(cls) -> "QiniuError":
        return cls(612, "no such id in prefop")

    @classmethod
    def condition_not_met(cls) -> "QiniuError":
        return cls(613, "cond not match")

    @classmethod
    def file_exists(cls) -> "QiniuError":
        return cls(614, "file exists")

    @classmethod
    def bucket_exists(cls) -> "QiniuError":
        return cls(614, "bucket exists")

    @classmethod
    def no_such_bucket(cls) -> "QiniuError":
        return cls(631, "no such bucket")

    @classmethod
    def invalid_marker(cls) -> "QiniuError":
        return cls(640, "invalid marker")

    @classmethod
    def invalid_context(cls) -> "QiniuError":
        return cls(701, "invalid ctx")
