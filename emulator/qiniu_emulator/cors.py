"""CORS as Qiniu answers it: bucket rules (``/corsRules/set|get/<bucket>``) for downloads and
sync fops, and the upload host's own answer (docs/browser.md §2, §3).

A bucket without rules allows every origin; with rules, the first rule that matches decides,
and the request's own origin is echoed with credentials allowed, which browsers require
even when the rule says ``*``. Rules live in ``<data>/cors/<bucket>.json``; the S3 door's
PutBucketCors writes the same rules (one bucket setting, docs/s3.md §8).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import QiniuError
from .storage.names import check_bucket_name

# Exposed on every answer that carries CORS headers (docs/browser.md §3).
ALWAYS_EXPOSED = ("X-Log", "X-Reqid")
# What Qiniu's download hosts send for a bucket without rules (docs/browser.md §2).
OPEN_MAX_AGE = 2592000
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")
UPLOAD_METHODS = ("POST", "PUT", "GET", "DELETE")
MAX_RULES = 100
CORS_DIR = "cors"


@dataclass(frozen=True)
class CorsRule:
    """One rule, as the SDKs send it (``allowed_origin`` and ``allowed_method`` required)."""

    allowed_origin: tuple[str, ...]
    allowed_method: tuple[str, ...]
    allowed_header: tuple[str, ...] = ()
    exposed_header: tuple[str, ...] = ()
    max_age: int = 0

    def allows_origin(self, origin: str) -> bool:
        """Exact and case-sensitive; ``*`` alone is any origin, else the first ``*`` stands
        for any text (docs/browser.md §3)."""
        return any(one_wildcard_match(pattern, origin) for pattern in self.allowed_origin)

    def allows(self, origin: str, method: str, headers: list[str]) -> bool:
        if not self.allows_origin(origin) or method.upper() not in self.allowed_method:
            return False
        allowed = {h.lower() for h in self.allowed_header}
        return "*" in allowed or all(h.lower() in allowed for h in headers)

    def as_json(self) -> dict[str, Any]:
        return {"allowed_origin": list(self.allowed_origin), "allowed_method": list(self.allowed_method),
                "allowed_header": list(self.allowed_header), "exposed_header": list(self.exposed_header),
                "max_age": self.max_age}


def one_wildcard_match(pattern: str, text: str) -> bool:
    """``*`` alone matches anything; otherwise the first ``*`` stands for any text."""
    if pattern == "*":
        return True
    if "*" not in pattern:
        return pattern == text
    prefix, _, suffix = pattern.partition("*")
    return len(text) >= len(prefix) + len(suffix) and text.startswith(prefix) and text.endswith(suffix)


def parse_rules(data: Any) -> list[CorsRule]:
    """The request body of ``/corsRules/set``; a 400 names the first field that is wrong."""
    if not isinstance(data, list):
        raise QiniuError.bad_request("the body must be a JSON array of CORS rules")
    if len(data) > MAX_RULES:
        raise QiniuError.bad_request(f"at most {MAX_RULES} CORS rules")
    return [_parse_rule(n, item) for n, item in enumerate(data)]


def _parse_rule(n: int, item: Any) -> CorsRule:
    if not isinstance(item, dict):
        raise QiniuError.bad_request(f"rule {n} must be a JSON object")
    unknown = set(item) - {"allowed_origin", "allowed_method", "allowed_header", "exposed_header", "max_age"}
    if unknown:
        raise QiniuError.bad_request(f"rule {n}: unknown field {sorted(unknown)[0]!r}")
    origins = _strings(n, item, "allowed_origin", required=True)
    methods = tuple(m.upper() for m in _strings(n, item, "allowed_method", required=True))
    for method in methods:
        if method not in METHODS:
            raise QiniuError.bad_request(f"rule {n}: allowed_method {method!r} is not one of {', '.join(METHODS)}")
    max_age = item.get("max_age", 0)
    if max_age is None:
        max_age = 0
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
        raise QiniuError.bad_request(f"rule {n}: max_age must be a whole number of seconds")
    return CorsRule(origins, methods, _strings(n, item, "allowed_header"), _strings(n, item, "exposed_header"),
                    max_age)


def _strings(n: int, item: dict, name: str, required: bool = False) -> tuple[str, ...]:
    value = item.get(name)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v and _printable(v) for v in value):
        raise QiniuError.bad_request(f"rule {n}: {name} must be a list of non-empty strings")
    if required and not value:
        raise QiniuError.bad_request(f"rule {n}: {name} is required")
    return tuple(value)


def _printable(text: str) -> bool:
    """No control characters or commas: each value ends up in a header list."""
    return all(" " <= c <= "~" and c != "," for c in text)


@dataclass
class CorsRules:
    """Each bucket's rules, kept as one JSON file per bucket."""

    data_dir: Path
    _cache: dict[str, list[CorsRule]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _path(self, bucket: str) -> Path:
        check_bucket_name(bucket)  # a valid name has no path separators or dots
        return self.data_dir / CORS_DIR / f"{bucket}.json"

    def get(self, bucket: str) -> list[CorsRule]:
        with self._lock:
            if bucket not in self._cache:
                path = self._path(bucket)
                self._cache[bucket] = parse_rules(json.loads(path.read_text("utf-8"))) if path.is_file() else []
            return self._cache[bucket]

    def set(self, bucket: str, rules: list[CorsRule]) -> None:
        path = self._path(bucket)
        with self._lock:
            path.parent.mkdir(exist_ok=True)
            scratch = path.with_suffix(".tmp")
            scratch.write_text(json.dumps([rule.as_json() for rule in rules]), "utf-8")
            os.replace(scratch, path)
            self._cache[bucket] = list(rules)

    def forget(self, bucket: str) -> None:
        """A dropped bucket's rules go with it."""
        path = self._path(bucket)
        with self._lock:
            path.unlink(missing_ok=True)
            self._cache.pop(bucket, None)


@dataclass(frozen=True)
class Preflight:
    """A preflight's answer: its headers, or refused (403, no CORS headers)."""

    headers: dict[str, str]
    refused: bool = False


def download_headers(rules: list[CorsRule], origin: str) -> dict[str, str]:
    """CORS headers of a download or sync fop answer to a page of ``origin``."""
    if not rules:
        return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": ", ".join(ALWAYS_EXPOSED),
                "Access-Control-Max-Age": str(OPEN_MAX_AGE)}
    for rule in rules:
        if rule.allows_origin(origin):
            exposed = dict.fromkeys([*ALWAYS_EXPOSED, *rule.exposed_header])
            return {**_credentialed(origin), "Access-Control-Expose-Headers": ", ".join(exposed)}
    return {"Vary": "Origin"}


def download_preflight(rules: list[CorsRule], origin: str, method: str, headers: list[str]) -> Preflight:
    if not rules:
        return Preflight(_open_preflight(method, headers))
    for rule in rules:
        if rule.allows(origin, method, headers):
            answer = {**_credentialed(origin), "Access-Control-Allow-Methods": ", ".join(rule.allowed_method)}
            if headers:
                answer["Access-Control-Allow-Headers"] = ", ".join(headers)
            if rule.max_age:
                answer["Access-Control-Max-Age"] = str(rule.max_age)
            return Preflight(answer)
    return Preflight({"Vary": "Origin"}, refused=True)


def upload_headers() -> dict[str, str]:
    """The upload host answers every page (docs/browser.md §2)."""
    return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": ", ".join(ALWAYS_EXPOSED)}


def upload_preflight(method: str, headers: list[str]) -> Preflight:
    if method.upper() not in UPLOAD_METHODS:
        return Preflight({}, refused=True)
    return Preflight(_open_preflight(method, headers, ", ".join(UPLOAD_METHODS)))


def _open_preflight(method: str, headers: list[str], methods: str = "") -> dict[str, str]:
    answer = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": methods or method.upper(),
              "Access-Control-Max-Age": str(OPEN_MAX_AGE)}
    if headers:
        answer["Access-Control-Allow-Headers"] = ", ".join(headers)
    return answer


def _credentialed(origin: str) -> dict[str, str]:
    # Never "*" here: a credentialed request is refused by the browser unless its own
    # origin comes back with Allow-Credentials (docs/browser.md §3).
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}


def requested_headers(value: str) -> list[str]:
    """``Access-Control-Request-Headers`` as a list of header names (only token characters)."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    return [name for name in names if all(c.isalnum() or c in "-_" for c in name)]
