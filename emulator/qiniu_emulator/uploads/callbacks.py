"""Upload callbacks: POST the rendered ``callbackBody`` to the policy's ``callbackUrl``
and hand the receiver's JSON answer back to the uploader.

The request is signed like Qiniu signs it, ``Authorization: QBox <AK>:<sign>`` over
``<path[?query]>\\n`` plus the body when it is form-encoded, so a receiver can check
it with the SDKs' ``verify_callback``. URLs are ``;``-separated and tried in order;
when none answers 200 with a JSON body the upload fails with 579.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import requests

from ..errors import QiniuError
from ..magic import render_template
from .policy import PutPolicy

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

log = logging.getLogger("qiniu_emulator.callback")


@dataclass(frozen=True)
class CallbackRequest:
    """What is sent to every callback URL of one upload."""

    body: bytes
    content_type: str
    host: str


@dataclass
class UploadCallbacks:
    """Calls upload callback receivers. ``sign(access_key, data)`` returns ``AK:signature``."""

    sign: Callable[[str, bytes], str]
    timeout: float = 5.0
    _session: requests.Session = field(default_factory=requests.Session, repr=False)

    def call(self, policy: PutPolicy, access_key: str, variables: Mapping[str, Any]) -> Any:
        """The decoded JSON answer of the first receiver that accepts the callback.

        Raises 579 ``callback failed`` naming the last error when every URL fails.
        """
        request = build_request(policy, variables)
        error = "no callback URL"
        for url in (u.strip() for u in policy.callback_url.split(";")):
            if not url:
                continue
            answer, error = self._post(url, request, access_key)
            if not error:
                return answer
            log.warning("callback %s failed: %s", url, error)
        raise QiniuError.callback_failed(f"callback failed: {error}")

    def _post(self, url: str, request: CallbackRequest, access_key: str) -> tuple[Any, str]:
        headers = {"Content-Type": request.content_type,
                   "Authorization": "QBox " + self.sign(access_key, signed_data(url, request))}
        if request.host:
            headers["Host"] = request.host
        try:
            response = self._session.post(url, data=request.body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            return None, f"{url}: {type(exc).__name__}"
        if response.status_code != 200:
            return None, f"{url}: HTTP {response.status_code}"
        try:
            return response.json(), ""
        except ValueError:
            return None, f"{url}: the answer is not JSON"


def build_request(policy: PutPolicy, variables: Mapping[str, Any]) -> CallbackRequest:
    """The callback body rendered from the policy's template, JSON or form-encoded."""
    is_json = policy.callback_body_type.split(";")[0].strip().lower() == JSON
    if is_json:
        body = render_template(policy.callback_body, variables, json_mode=True)
    else:
        body = render_template(policy.callback_body, variables, json_mode=False, url_encode=True)
    return CallbackRequest(body=body.encode("utf-8"), content_type=JSON if is_json else FORM,
                           host=policy.callback_host)


def signed_data(url: str, request: CallbackRequest) -> bytes:
    """``<path>[?<query>]\\n`` followed by the body when it is form-encoded."""
    parts = urlsplit(url)
    data = (parts.path or "/") + (f"?{parts.query}" if parts.query else "") + "\n"
    encoded = data.encode("utf-8")
    return encoded + request.body if request.content_type == FORM else encoded


def fetched_key(answer: Any) -> tuple[str, Any]:
    """With ``callbackFetchKey=1`` the receiver answers ``{"key": ..., "payload": ...}``."""
    if not isinstance(answer, dict) or not isinstance(answer.get("key"), str) or not answer["key"]:
        raise QiniuError.callback_failed("callback failed: callbackFetchKey needs a JSON answer with a key")
    return answer["key"], answer.get("payload")


def as_body(answer: Any) -> dict[str, Any] | str:
    """The receiver's answer as the upload's response body."""
    return answer if isinstance(answer, dict) else json.dumps(answer)
