"""The request log: the newest HTTP exchanges, for the console and the server's output.

Every request outside ``/_emulator/`` (and not made by a console page) is recorded once it is answered (``app.py``'s
after-request hook) and written to the ``qiniu_emulator.requests`` logger at INFO. The
log keeps what explains an answer: method, path, credential scheme and access key,
status, reqid, duration, the error body, and for a rejected signature the strings the
emulator expected to be signed. Signatures and tokens are never kept: a query's
``token=`` and a saveas ``/sign/`` keep only their access key.
"""

from __future__ import annotations

import logging
import re
import shlex
import threading
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .errors import QiniuError

ERROR_BODY_CHARS = 2048
FORM_BODY_CHARS = 4096
UNRECORDED_PREFIX = "/_emulator/"
CONSOLE_PREFIX = "/_emulator/ui/"
HIDDEN = "***"

_TOKEN_PARAM = re.compile(r"(^|&)token=([^&]*)")
_SAVEAS_SIGN = re.compile(r"/sign/([^/&]*)")
_SIGV4_CREDENTIAL = re.compile(r"Credential=([^/,\s]*)")
_PRESIGNED_CREDENTIAL = re.compile(r"(?:^|&)X-Amz-Credential=([^&%/]*)")
_PRESIGNED_SIGNATURE = re.compile(r"((?:^|&)X-Amz-Signature=)[^&]*")


@dataclass(slots=True)
class Exchange:
    """One answered request, as the app hands it over (before trimming); read once by
    :meth:`RequestLog.record` (not frozen: a frozen dataclass pays a call per field)."""

    method: str
    host: str
    raw_path: str
    raw_query: str
    authorization: str
    content_type: str
    status: int
    reqid: str
    seconds: float
    form_token: str = ""  # the ``token`` field of a form upload
    form_body: str = ""  # a url-encoded body, for copy-as-curl
    error: str = ""
    expected: str = ""
    note: str = ""  # what the answer means for this request (QiniuError.note)
    operation: str = ""  # the endpoint's name in routes.py ("" outside the Qiniu API)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the console lists it; ``path`` carries the trimmed query."""

    id: int
    at: float  # unix seconds
    method: str
    host: str
    path: str
    scheme: str  # QBox, Qiniu, UpToken, download token, saveas sign, or "" for none
    account: str  # the access key the credential names
    status: int
    reqid: str
    seconds: float
    content_type: str = ""
    form_body: str = ""
    error: str = ""
    expected: str = ""
    note: str = ""
    operation: str = ""  # the endpoint's name in routes.py, e.g. ``upload.mkfile``

    def line(self) -> str:
        """The server-log line: ``POST /pfop/ 401 QBox ak 2.1 ms reqid=...``."""
        who = " ".join(part for part in (self.scheme.replace(" ", "-"), self.account) if part) or "-"
        text = f"{self.method} {self.path} {self.status} {who} {self.seconds * 1000:.1f} ms reqid={self.reqid}"
        for explanation in (self.note, self.expected):
            if explanation:
                text += " | " + " ".join(line.strip() for line in explanation.split("\n"))
        return text

    def curl(self) -> str:
        """The request as a curl command; credentials appear as placeholders to fill in."""
        parts = ["curl", "-i", "-X", self.method, f"http://{self.host}{self.path}"]
        if self.scheme in ("QBox", "Qiniu", "UpToken"):
            parts += ["-H", f"Authorization: {self.scheme} {self.account or '<AccessKey>'}:{HIDDEN}"]
        if self.content_type:
            if self.content_type.startswith("multipart/form-data"):
                parts += ["-F", "file=@<file>", "-F", f"token={self.account or '<AccessKey>'}:{HIDDEN}"]
            else:
                parts += ["-H", f"Content-Type: {self.content_type}"]
                if self.form_body:
                    parts += ["--data-raw", self.form_body]
        return shlex.join(parts)


@dataclass(frozen=True)
class RequestFilter:
    """What the console's request list narrows to; empty fields match everything."""

    method: str = ""
    status: str = ""  # "200", "4xx", "error" (any status >= 400)
    text: str = ""  # part of the path, the reqid or the access key

    def matches(self, record: RequestRecord) -> bool:
        if self.method and record.method != self.method.upper():
            return False
        if self.status and not _status_matches(self.status, record.status):
            return False
        if self.text:
            needle = self.text.lower()
            fields = (record.path, record.reqid, record.account, record.operation)
            return any(needle in field.lower() for field in fields)
        return True


def _status_matches(wanted: str, status: int) -> bool:
    wanted = wanted.lower()
    if wanted == "error":
        return status >= 400
    if len(wanted) == 3 and wanted.endswith("xx") and wanted[0].isdigit():
        return status // 100 == int(wanted[0])
    return wanted == str(status)


class RequestLog:
    """A bounded, thread-safe log of the newest requests (oldest dropped first)."""

    def __init__(self, size: int, logger: logging.Logger | None = None) -> None:
        self.size = size
        self._records: deque[RequestRecord] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._next_id = 1
        self._log = logger or logging.getLogger("qiniu_emulator.requests")

    @staticmethod
    def wants(raw_path: str, referer: str = "") -> bool:
        """Not the console's own traffic (its pages, polling, the previews its pages load),
        which would push the requests a user wants to see out of the log."""
        if raw_path.startswith(UNRECORDED_PREFIX):
            return False
        if not referer:
            return True
        try:
            return not urlsplit(referer).path.startswith(CONSOLE_PREFIX)
        except ValueError:
            return True

    def record(self, exchange: Exchange) -> RequestRecord:
        scheme, account = credential_of(exchange)
        query = trim_query(exchange.raw_query)
        with self._lock:
            record = RequestRecord(
                id=self._next_id, at=time.time(), method=exchange.method, host=exchange.host,
                path=exchange.raw_path + (f"?{query}" if query else ""), scheme=scheme,
                account=account, status=exchange.status, reqid=exchange.reqid,
                seconds=round(exchange.seconds, 4), content_type=exchange.content_type,
                form_body=exchange.form_body[:FORM_BODY_CHARS], error=exchange.error[:ERROR_BODY_CHARS],
                expected=exchange.expected, note=exchange.note, operation=exchange.operation)
            self._next_id += 1
            self._records.append(record)
        if self._log.isEnabledFor(logging.INFO):  # the line is built only for a log that prints it
            self._log.info("%s", record.line())
        return record

    def recent(self, limit: int = 100, before: int | None = None,
               where: RequestFilter = RequestFilter()) -> list[RequestRecord]:
        """The newest matching records first; ``before`` pages on from an id."""
        with self._lock:
            records = list(self._records)
        out: list[RequestRecord] = []
        for record in reversed(records):
            if before is not None and record.id >= before:
                continue
            if where.matches(record):
                out.append(record)
                if len(out) == limit:
                    break
        return out

    def get(self, record_id: int) -> RequestRecord:
        with self._lock:
            for record in self._records:
                if record.id == record_id:
                    return record
        raise QiniuError.bad_request(f"request {record_id} is not in the log (it keeps the newest {self.size})")

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


def credential_of(exchange: Exchange) -> tuple[str, str]:
    """The credential scheme a request used and the access key it names."""
    scheme, _, rest = exchange.authorization.strip().partition(" ")
    if scheme in ("QBox", "Qiniu", "UpToken"):
        return scheme, _access_key(rest)
    if scheme == "AWS4-HMAC-SHA256":
        found = _SIGV4_CREDENTIAL.search(rest)
        return "SigV4", found.group(1) if found else ""
    presigned = _PRESIGNED_CREDENTIAL.search(exchange.raw_query)
    if presigned:
        return "SigV4 presigned", unquote(presigned.group(1))
    if exchange.form_token:
        return "UpToken", _access_key(exchange.form_token)
    token = _TOKEN_PARAM.search(exchange.raw_query)
    if token:
        return "download token", _access_key(unquote(token.group(2)))
    sign = _SAVEAS_SIGN.search(unquote(exchange.raw_query))
    if sign:
        return "saveas sign", _access_key(sign.group(1))
    return "", ""


def _access_key(credential: str) -> str:
    access_key, sep, _ = credential.strip().partition(":")
    return access_key if sep else ""


def trim_query(raw_query: str) -> str:
    """The query with download tokens and saveas signatures cut down to their access key."""
    if not raw_query:
        return raw_query
    def token(match: re.Match[str]) -> str:
        access_key = _access_key(unquote(match.group(2)))
        return f"{match.group(1)}token={access_key}:{HIDDEN}"

    def sign(match: re.Match[str]) -> str:
        return f"/sign/{_access_key(unquote(match.group(1)))}:{HIDDEN}"

    query = _PRESIGNED_SIGNATURE.sub(lambda m: m.group(1) + HIDDEN, _TOKEN_PARAM.sub(token, raw_query))
    if "/sign/" not in query and "/sign/" in unquote(query):
        query = unquote(query)  # a client that escaped the saveas path
    return _SAVEAS_SIGN.sub(sign, query)

