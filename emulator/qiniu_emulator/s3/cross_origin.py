"""CORS on the S3 door, as S3 applies a bucket's rules (docs/s3.md §8).

The rules are the bucket's one CORS setting, shared with the native door (``cors.py``); only
the way they are applied differs. A preflight (``OPTIONS`` with ``Origin`` and
``Access-Control-Request-Method``) needs no signature: the first rule that allows its origin,
method and every requested header answers it, and without one it is refused with 403. An
actual request whose origin and method a rule allows gets that rule's headers; a bucket
without rules sends none.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..cors import CorsRule, one_wildcard_match
from ..s3_errors import S3Error

# The answer depends on these request headers whenever the bucket has rules.
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"


@dataclass(frozen=True)
class Preflight:
    origin: str
    method: str
    headers: tuple[str, ...]  # Access-Control-Request-Headers, as sent


def matching_rule(rules: list[CorsRule], origin: str, method: str, headers: tuple[str, ...] = ()) -> CorsRule | None:
    """The first rule allowing ``origin`` (case-sensitive), ``method`` and every header
    (case-insensitive; an AllowedHeader may hold one ``*``)."""
    for rule in rules:
        if not rule.allows_origin(origin) or method not in rule.allowed_method:
            continue
        patterns = [pattern.lower() for pattern in rule.allowed_header]
        if all(any(one_wildcard_match(p, name.lower()) for p in patterns) for name in headers):
            return rule
    return None


def preflight_headers(rules: list[CorsRule], asked: Preflight) -> dict[str, str]:
    """The headers of a preflight's 200, or :class:`S3Error` 403 when no rule allows it."""
    if not rules:
        raise S3Error.cors_refused("CORS is not enabled for this bucket.", asked.method)
    rule = matching_rule(rules, asked.origin, asked.method, asked.headers)
    if rule is None:
        raise S3Error.cors_refused("This CORS request is not allowed: no rule of the bucket allows its origin, "
                                   "Access-Control-Request-Method and Access-Control-Request-Headers.",
                                   asked.method, vary=VARY)
    headers = _granted(rule, asked.origin)
    headers["Access-Control-Allow-Methods"] = ", ".join(rule.allowed_method)
    if asked.headers:
        headers["Access-Control-Allow-Headers"] = ", ".join(asked.headers)
    if rule.max_age:
        headers["Access-Control-Max-Age"] = str(rule.max_age)
    return headers


def response_headers(rules: list[CorsRule], origin: str, method: str) -> dict[str, str]:
    """What an actual request from a page of ``origin`` gets added to its answer."""
    if not rules:
        return {}
    rule = matching_rule(rules, origin, method)
    return {"Vary": VARY} if rule is None else _granted(rule, origin)


def _granted(rule: CorsRule, origin: str) -> dict[str, str]:
    # A rule for any origin answers "*"; a rule naming origins echoes the page's own and
    # allows credentials, which browsers require for a named origin (docs/s3.md §8).
    if "*" in rule.allowed_origin:
        headers = {"Access-Control-Allow-Origin": "*"}
    else:
        headers = {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true"}
    headers["Vary"] = VARY
    if rule.exposed_header:
        headers["Access-Control-Expose-Headers"] = ", ".join(rule.exposed_header)
    return headers

