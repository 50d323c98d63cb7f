"""One place where requests leave the client: ResponseInfo, retries and JSON decoding.

Network failures never raise here; they come back as a :class:`ResponseInfo` whose
``exception`` is set, so every public call can return ``(None, info)``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import requests
from requests.auth import AuthBase

from .config import Config
from .guard import DevelopmentKeyRefused, check_destination

#: 5xx codes the service uses for final answers; repeating the request cannot help.
NO_RETRY_CODES = frozenset({501, 509, 573, 579, 608, 612, 614, 616, 618, 630, 631, 632, 640, 701})
_RETRYABLE_EXCEPTIONS = (requests.ConnectionError, requests.Timeout)
_BACKOFF_SECONDS = 0.05


class ResponseInfo:
    """What came back from one request (or why nothing did).

    ``status_code`` is -1 when no response arrived; ``error`` then holds the reason and
    ``exception`` the exception. ``req_id``/``x_log`` are the service's tracing headers.
    """

    def __init__(self, response: requests.Response | None = None,
                 exception: BaseException | None = None, url: str | None = None) -> None:
        self.exception = exception
        self.url = response.url if response is not None else url
        self.headers: Mapping[str, str] = response.headers if response is not None else {}
        self.status_code = response.status_code if response is not None else -1
        self.text_body = _text_of(response) if response is not None else None
        self.req_id = self.headers.get("X-Reqid")
        self.x_log = self.headers.get("X-Log")
        self.error = _error_of(self, exception)

    def ok(self) -> bool:
        """True for exactly HTTP 200 carrying an ``X-Reqid`` (anything else is not Qiniu)."""
        return self.status_code == 200 and self.req_id is not None

    def need_retry(self) -> bool:
        """Whether repeating the request may help: connection trouble or a transient 5xx."""
        if self.exception is not None:
            return isinstance(self.exception, _RETRYABLE_EXCEPTIONS)
        if self.status_code < 500:
            return False
        return self.status_code not in NO_RETRY_CODES

    def connect_failed(self) -> bool:
        """True when no Qiniu response arrived (no response, or one without ``X-Reqid``)."""
        return self.status_code < 0 or self.req_id is None

    def json(self) -> Any:
        """The body decoded as JSON, or ``{}`` when it is empty or not JSON."""
        try:
            return json.loads(self.text_body) if self.text_body else {}
        except ValueError:
            return {}

    def __str__(self) -> str:
        fields = [f"status_code={self.status_code}", f"req_id={self.req_id!r}"]
        if self.error is not None:
            fields.append(f"error={self.error!r}")
        if self.url:
            fields.append(f"url={self.url!r}")
        return f"ResponseInfo({', '.join(fields)})"

    __repr__ = __str__


class RequestFailed(RuntimeError):
    """Raised by the conveniences that return a value instead of ``(ret, info)``."""

    def __init__(self, what: str, info: ResponseInfo) -> None:
        super().__init__(f"{what} failed: {info}")
        self.info = info


def request(config: Config, method: str, url: str, *, auth: AuthBase | None = None,
            params: Mapping[str, Any] | None = None, data: bytes | str | None = None,
            files: Any = None, headers: Mapping[str, str] | None = None) -> ResponseInfo:
    """Send one request, repeating it (a few times at most) while that may help.

    A request signed with the emulator's development keys for a real Qiniu host is not
    sent: the answer carries the :class:`DevelopmentKeyRefused` saying how to fix it.
    """
    try:
        check_destination(url, auth, files)
    except DevelopmentKeyRefused as exc:
        return ResponseInfo(exception=exc, url=url)
    if isinstance(data, str):
        # requests would send a str body as Latin-1; signatures are over UTF-8.
        data = data.encode("utf-8")
    attempts = config.connection_retries + 1
    for attempt in range(attempts):
        info = _send_once(config, method, url, auth=auth, params=params, data=data,
                          files=files, headers=headers)
        if attempt + 1 == attempts or not info.need_retry():
            return info
        time.sleep(_BACKOFF_SECONDS * (2 ** attempt))
    raise AssertionError("unreachable: the loop always returns")


def request_json(config: Config, method: str, url: str,
                 **kwargs: Any) -> tuple[Any | None, ResponseInfo]:
    """:func:`request`, then the decoded body when ``info.ok()`` (``{}`` for an empty one)."""
    info = request(config, method, url, **kwargs)
    return decode_ok_body(info), info


def decode_ok_body(info: ResponseInfo, accept: frozenset[int] = frozenset({200})) -> Any | None:
    """The JSON body of a successful response; None (with ``info.error`` set) otherwise."""
    if info.status_code not in accept or info.req_id is None:
        return None
    if not info.text_body:
        return {}
    try:
        return json.loads(info.text_body)
    except ValueError:
        info.error = f"response body is not JSON: {info.text_body[:200]!r}"
        return None


def _send_once(config: Config, method: str, url: str, **kwargs: Any) -> ResponseInfo:
    try:
        response = config.session().request(
            method, url, timeout=config.connection_timeout, allow_redirects=False, **kwargs)
    except requests.RequestException as exc:
        return ResponseInfo(exception=exc, url=url)
    return ResponseInfo(response)


def _text_of(response: requests.Response) -> str:
    # The service always speaks UTF-8 JSON; don't let a missing charset mean Latin-1.
    return response.content.decode("utf-8", errors="replace")


def _error_of(info: ResponseInfo, exception: BaseException | None) -> str | None:
    if isinstance(exception, DevelopmentKeyRefused):
        return str(exception)
    if exception is not None:
        return f"{type(exception).__name__}: {exception}"
    if info.status_code == 200:
        return None if info.req_id is not None else "server is not qiniu"
    if info.status_code >= 400:
        return info.text_body or f"HTTP {info.status_code} with an empty body"
    return f"unexpected HTTP {info.status_code}: {info.text_body or '(empty body)'}"
