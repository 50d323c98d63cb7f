"""Sending requests byte for byte as an official SDK sends them, for the SDKs whose
toolchains are not available here (Go, Java). Each signing rule is written from the SDK's
source (see README "Go" and "Java"), independently of the emulator's own verifier."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

FORM = "application/x-www-form-urlencoded"


def b64(data: bytes | str) -> str:
    return base64.urlsafe_b64encode(data.encode() if isinstance(data, str) else data).decode()


def entry(bucket: str, key: str) -> str:
    return b64(f"{bucket}:{key}")


def qiniu_date() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WireClient:
    """One SDK's way of signing: ``sdk`` is "go" or "java"."""

    sdk: str
    base: str  # http://127.0.0.1:PORT
    access_key: str
    secret_key: str
    user_agent: str = field(default="")

    def sign(self, data: bytes) -> str:
        digest = hmac.new(self.secret_key.encode(), data, hashlib.sha1).digest()
        return f"{self.access_key}:{b64(digest)}"

    def upload_token(self, scope: str, **policy: Any) -> str:
        encoded = b64(json.dumps({"scope": scope, "deadline": int(time.time()) + 3600, **policy}))
        return f"{self.sign(encoded.encode())}:{encoded}"

    def qiniu_signature(self, method: str, url: str, content_type: str | None, body: bytes,
                        date: str) -> str:
        """The ``Qiniu`` token as this SDK computes it (path percent-decoded, the URL's own host)."""
        parts = urlsplit(url)
        path = unquote(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"{method} {path}", f"Host: {parts.netloc}"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        if date:
            lines.append(f"X-Qiniu-Date: {date}")
        data = ("\n".join(lines) + "\n\n").encode()
        if body and self._signs_body(content_type):
            data += body
        return f"Qiniu {self.sign(data)}"

    def _signs_body(self, content_type: str | None) -> bool:
        if self.sdk == "go":
            return content_type in (FORM, "application/json")
        return bool(content_type) and content_type != "application/octet-stream"

    def send(self, method: str, path: str, body: bytes = b"", content_type: str | None = None,
             auth: str = "qiniu", headers: dict[str, str] | None = None, host_header: str | None = None) -> Answer:
        """One request. ``auth`` is "qiniu", an ``UpToken <t>`` value, or "" (unsigned).

        Go always sends (and signs) a form Content-Type when there is none; Java sends
        none on a request without one. ``host_header`` is what goes on the wire when it
        differs from the URL (Java's Api classes drop the port).
        """
        url = self.base + path
        if self.sdk == "go" and content_type is None and auth == "qiniu":
            content_type = FORM
        date = qiniu_date()
        sent = {"User-Agent": self.user_agent or f"Qiniu{self.sdk.title()}/test", "X-Qiniu-Date": date,
                **(headers or {})}
        if content_type:
            sent["Content-Type"] = content_type
        if auth == "qiniu":
            sent["Authorization"] = self.qiniu_signature(method, url, content_type, body, date)
        elif auth:
            sent["Authorization"] = auth
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        try:
            conn.putrequest(method, parts.path + (f"?{parts.query}" if parts.query else ""), skip_host=True,
                            skip_accept_encoding=True)
            conn.putheader("Host", host_header or parts.netloc)
            for name, value in sent.items():
                conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            response = conn.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()


def multipart(fields: list[tuple[str, str | tuple[str, str, bytes]]]) -> tuple[str, bytes]:
    """A multipart/form-data body with the parts in the order given (SDKs differ on it)."""
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields:
        if isinstance(value, tuple):
            filename, mime, data = value
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
                          f"\r\nContent-Type: {mime}\r\n\r\n".encode() + data + b"\r\n")
        else:
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(chunks)
