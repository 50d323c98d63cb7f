"""Credentials and every signature the service checks: QBox, Qiniu (v2), upload and
download tokens. Each token is ``<AccessKey>:<urlsafe_b64(HMAC-SHA1(SecretKey, data))>``;
the schemes differ only in what ``data`` is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from requests.auth import AuthBase
from requests.models import PreparedRequest
from requests.structures import CaseInsensitiveDict

from .ops import entry, urlsafe_b64encode

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_QINIU_HEADER_PREFIX = "x-qiniu-"
_DEFAULT_PORTS = {"http": 80, "https": 443}

#: Every put-policy field the service documents (spec section 4.3), besides
#: ``scope`` and ``deadline`` which :meth:`Auth.upload_token` writes itself.
PUT_POLICY_FIELDS = frozenset({
    "isPrefixalScope", "insertOnly", "endUser", "returnUrl", "returnBody",
    "callbackUrl", "callbackHost", "callbackBody", "callbackBodyType", "callbackFetchKey",
    "persistentOps", "persistentNotifyUrl", "persistentPipeline", "persistentType",
    "persistentWorkflowTemplateID", "saveKey", "forceSaveKey", "fsizeMin", "fsizeLimit",
    "detectMime", "mimeLimit", "fileType", "deleteAfterDays", "keylimit", "trafficLimit",
    "transform", "transformFallbackKey", "transformFallbackMode",
})


class Auth:
    """An AccessKey/SecretKey pair and the tokens it signs.

    ``clock`` returns Unix seconds; it decides token deadlines and ``X-Qiniu-Date``.
    """

    def __init__(self, access_key: str, secret_key: str,
                 clock: Callable[[], float] = time.time) -> None:
        for name, value in (("access_key", access_key), ("secret_key", secret_key)):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(
                    f"{name} must be a non-empty string (get both keys from the Qiniu "
                    f"portal, or the emulator's configured account); got {value!r}")
        self._access_key = access_key
        self._secret_key = secret_key.encode("utf-8")
        self._clock = clock

    @property
    def access_key(self) -> str:
        """The public half of the key pair."""
        return self._access_key

    def __repr__(self) -> str:
        return f"Auth(access_key={self._access_key!r}, secret_key=<hidden>)"

    def token(self, data: str | bytes) -> str:
        """``<AK>:<sign(data)>``."""
        return f"{self._access_key}:{self._sign(data)}"

    def token_with_data(self, data: str | bytes) -> str:
        """``<AK>:<sign(b64(data))>:<b64(data)>``, the upload-token shape."""
        encoded = urlsafe_b64encode(data)
        return f"{self._access_key}:{self._sign(encoded)}:{encoded}"

    def token_of_request(self, url: str, body: str | bytes | None = None,
                         content_type: str | None = None) -> str:
        """QBox management token: signs ``<path>[?<query>]\\n`` plus a form body.

        The body only counts when ``content_type`` is exactly the form type.
        """
        parts = urlsplit(url)
        data = parts.path + (f"?{parts.query}" if parts.query else "") + "\n"
        signed = data.encode("utf-8")
        if body and content_type == FORM_CONTENT_TYPE:
            signed += _as_bytes(body)
        return self.token(signed)

    def token_of_request_v2(self, method: str, url: str,
                            headers: Mapping[str, str] | None = None,
                            body: str | bytes | None = None) -> str:
        """Qiniu (v2) token for a request; see :func:`qiniu_signing_data`."""
        return self.token(qiniu_signing_data(method, url, headers, body))

    def x_qiniu_date(self) -> str:
        """The current time as ``X-Qiniu-Date`` wants it: ``YYYYMMDDTHHMMSSZ`` in UTC."""
        return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self._clock()))

    def upload_token(self, bucket: str, key: str | None = None, expires: int = 3600,
                     policy: Mapping[str, Any] | None = None,
                     strict_policy: bool = True) -> str:
        """An upload token for ``bucket`` (any new key) or ``bucket:key`` (that key).

        The policy JSON is compact, in the order scope, deadline, then ``policy``'s own
        order. With ``strict_policy`` an unknown field is a ``ValueError`` (it would
        otherwise be ignored by the service and hide a typo); without it every field
        is sent as given, even ``scope`` or ``deadline``.
        """
        if not isinstance(bucket, str) or not bucket:
            raise ValueError(f"bucket must be a non-empty string, got {bucket!r}")
        if key is not None and not isinstance(key, str):
            raise ValueError(f"key must be a string or None, got {key!r}")
        put_policy: dict[str, Any] = {
            "scope": bucket if key is None else f"{bucket}:{key}",
            "deadline": self._deadline(expires),
        }
        put_policy.update(_checked_policy(policy, strict_policy))
        return self.token_with_data(json.dumps(put_policy, separators=(",", ":")))

    def private_download_url(self, url: str, expires: int = 3600) -> str:
        """Append ``e=<deadline>`` and a ``token`` signing the whole URL (scheme included)."""
        if not isinstance(url, str) or "://" not in url:
            raise ValueError(f"url must be an absolute http(s) URL, got {url!r}")
        signed = f"{url}{'&' if '?' in url else '?'}e={self._deadline(expires)}"
        return f"{signed}&token={self.token(signed)}"

    def sync_saveas_url(self, url: str, fop: str, bucket: str, key: str) -> str:
        """A download URL that runs ``fop`` on the object at ``url`` and stores the result as
        ``bucket``/``key`` (a synchronous saveas); its answer is ``{"key", "hash"}`` of the
        stored result.

        What is signed is the URL without its scheme up to the end of the saveas:
        ``<host><path>?<fop>|saveas/<entry(bucket, key)>``; the URL is that, with its
        scheme, plus ``/sign/<AccessKey>:<sign>``. ``url`` is the object's plain download URL
        (from :func:`download_url`, without a fop). For an object of a private bucket, pass
        the result through :meth:`private_download_url` as well.
        """
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"url must be an object's http(s) download URL, got {url!r}")
        if parts.query or parts.fragment:
            raise ValueError(f"url must not carry a query (the fop goes there), got {url!r}")
        if not isinstance(fop, str) or not fop or "saveas/" in fop:
            raise ValueError(f"fop must be the processing without a saveas, got {fop!r}")
        processed = f"{parts.netloc}{parts.path}?{fop}|saveas/{entry(bucket, key)}"
        return f"{parts.scheme}://{processed}/sign/{self.token(processed)}"

    def _deadline(self, expires: int) -> int:
        if isinstance(expires, bool) or not isinstance(expires, int) or expires <= 0:
            raise ValueError(f"expires must be a positive number of seconds, got {expires!r}")
        return int(self._clock()) + expires

    def _sign(self, data: str | bytes) -> str:
        digest = hmac.new(self._secret_key, _as_bytes(data), hashlib.sha1).digest()
        return urlsafe_b64encode(digest)


def qiniu_signing_data(method: str, url: str, headers: Mapping[str, str] | None = None,
                       body: str | bytes | None = None) -> bytes:
    """The exact bytes a Qiniu (v2) signature covers.

    ``<METHOD> <path>[?<query>]``, ``Host:`` (from the headers, else the URL with a
    default port dropped, as HTTP clients send it), ``Content-Type:`` when present, the
    canonical ``X-Qiniu-*`` headers sorted, a blank line, then the body unless it is
    empty, has no Content-Type or is ``application/octet-stream``.
    """
    if not isinstance(method, str) or not method:
        raise ValueError(f"method must be an HTTP method name, got {method!r}")
    parts = urlsplit(url)
    fields = CaseInsensitiveDict(headers or {})
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method.upper()} {target}", f"Host: {fields.get('Host') or _wire_host(url)}"]
    content_type = fields.get("Content-Type")
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.extend(_qiniu_header_lines(fields))
    data = ("\n".join(lines) + "\n\n").encode("utf-8")
    if body and content_type and content_type != "application/octet-stream":
        data += _as_bytes(body)
    return data


def canonical_header_name(name: str) -> str:
    """``x-qiniu-meta-foo`` -> ``X-Qiniu-Meta-Foo``."""
    return "-".join(word[:1].upper() + word[1:].lower() for word in name.split("-"))


def _qiniu_header_lines(fields: Mapping[str, str]) -> list[str]:
    chosen = sorted(
        (canonical_header_name(name), str(value)) for name, value in fields.items()
        if name.lower().startswith(_QINIU_HEADER_PREFIX) and len(name) > len(_QINIU_HEADER_PREFIX)
    )
    return [f"{name}: {value}" for name, value in chosen]


def _wire_host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


def _checked_policy(policy: Mapping[str, Any] | None, strict: bool) -> dict[str, Any]:
    if policy is None:
        return {}
    if not isinstance(policy, Mapping):
        raise ValueError(f"policy must be a mapping of put-policy fields, got {type(policy).__name__}")
    if strict:
        unknown = sorted(set(policy) - PUT_POLICY_FIELDS)
        if unknown:
            raise ValueError(
                f"unknown put-policy field(s) {', '.join(unknown)}; check the spelling "
                "(names are case-sensitive) or pass strict_policy=False to send them anyway")
    persistent_type = policy.get("persistentType")
    if persistent_type is not None and (isinstance(persistent_type, bool)
                                        or not isinstance(persistent_type, int)):
        raise ValueError(f"persistentType must be an int (0 or 1), got {persistent_type!r}")
    return dict(policy)


def _as_bytes(data: str | bytes) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"cannot sign a {type(data).__name__}; pass str or bytes")


class QBoxRequestsAuth(AuthBase):
    """``requests`` auth adapter adding ``Authorization: QBox <token>``."""

    def __init__(self, auth: Auth) -> None:
        self.auth = auth

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        content_type = request.headers.get("Content-Type")
        body = request.body if content_type == FORM_CONTENT_TYPE else None
        token = self.auth.token_of_request(request.url or "", body, content_type)
        request.headers["Authorization"] = f"QBox {token}"
        return request


class QiniuRequestsAuth(AuthBase):
    """``requests`` auth adapter adding ``Authorization: Qiniu <token>``.

    Like the official SDKs it sends the form Content-Type when the request has none
    and, unless ``sign_date`` is off, a fresh ``X-Qiniu-Date`` (so a retried request
    is signed anew).
    """

    def __init__(self, auth: Auth, sign_date: bool = True) -> None:
        self.auth = auth
        self.sign_date = sign_date

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers.setdefault("Content-Type", FORM_CONTENT_TYPE)
        if self.sign_date:
            request.headers["X-Qiniu-Date"] = self.auth.x_qiniu_date()
        token = self.auth.token_of_request_v2(
            request.method or "GET", request.url or "", request.headers, request.body)
        request.headers["Authorization"] = f"Qiniu {token}"
        return request


class UpTokenRequestsAuth(AuthBase):
    """``requests`` auth adapter adding ``Authorization: UpToken <upload token>``."""

    def __init__(self, up_token: str) -> None:
        if not isinstance(up_token, str) or up_token.count(":") != 2:
            raise ValueError("up_token must be an upload token (<AK>:<sign>:<policy>), "
                             "as made by Auth.upload_token")
        self.up_token = up_token

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers["Authorization"] = f"UpToken {self.up_token}"
        return request
