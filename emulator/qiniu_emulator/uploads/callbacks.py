"""Upload callbacks: POST the rendered ``callbackBody`` to the policy's ``callbackUrl``
and hand the receiver's JSON answer back to the uploader.

The request is signed like Qiniu signs it, ``Authorization: QBox <AK>:<sign>`` over
``<path[?query]>\\n`` plus the body when it is form-encoded, so a receiver can check
it with the SDKs' ``verify_callback``. URLs are ``;``-separated and tried in order;
when none answers 200 with a JSON body the upload fails with 579. Scenario rules on
``callback`` may delay a call or decide its answer without contacting the receiver.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from ..auth import FORM_CONTENT_TYPE as FORM
from ..auth import JSON_CONTENT_TYPE as JSON
from ..auth import qbox_data
from ..errors import QiniuError
from ..magic import render_template
from ..outbound import Outbound, OutboundError
from ..scenarios import Answer, Facts, Fired, Scenarios
from ..put_policy import PutPolicy

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
    outbound: Outbound = field(default_factory=Outbound)
    scenarios: Scenarios = field(default_factory=Scenarios)

    def call(self, policy: PutPolicy, access_key: str, variables: Mapping[str, Any]) -> Any:
        """The decoded JSON answer of the first receiver that accepts the callback.

        Raises 579 ``callback failed`` naming the last error when every URL fails.
        """
        request = build_request(policy, variables)
        facts = Facts("callback", str(variables.get("bucket") or policy.bucket), variables.get("key"),
                      tuple(c for c in policy.persistent_ops.split(";") if c))
        error = "no callback URL"
        for url in (u.strip() for u in policy.callback_url.split(";")):
            if not url:
                continue
            self.scenarios.delay(facts)
            fired = self.scenarios.answer(facts)
            answer, error = _injected(url, fired, self.outbound.timeout) if fired else \
                self._post(url, request, access_key)
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
            answer = self.outbound.request("POST", url, request.body, headers)
        except OutboundError as exc:
            return None, f"{url}: {exc}"
        if answer.status != 200:
            return None, f"{url}: HTTP {answer.status}"
        try:
            return json.loads(answer.body), ""
        except ValueError:
            return None, f"{url}: the answer is not JSON"


def _injected(url: str, fired: Fired, timeout: float) -> tuple[Any, str]:
    """The receiver's answer as a scenario rule decides it."""
    assert isinstance(fired.effect, Answer)
    answer, why = fired.effect, f"(scenario {fired.rule_id})"
    if answer.timeout:
        return None, f"{url}: no complete answer within {timeout:g} s {why}"
    if answer.status != 200:
        return None, f"{url}: HTTP {answer.status} {why}"
    return ({} if answer.body is None else answer.body), ""


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
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return qbox_data(target, request.content_type, request.body)


def fetched_key(answer: Any) -> tuple[str, Any]:
    """With ``callbackFetchKey=1`` the receiver answers ``{"key": ..., "payload": ...}``."""
    if not isinstance(answer, dict) or not isinstance(answer.get("key"), str) or not answer["key"]:
        raise QiniuError.callback_failed("callback failed: callbackFetchKey needs a JSON answer with a key")
    return answer["key"], answer.get("payload")


def as_body(answer: Any) -> dict[str, Any] | str:
    """The receiver's answer as the upload's response body."""
    return answer if isinstance(answer, dict) else json.dumps(answer)
