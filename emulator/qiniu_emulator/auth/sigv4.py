"""AWS Signature Version 4, verified for real: the Authorization header and presigned URLs.

Two schemes for the S3 door (``Authenticator.s3``): :class:`SigV4HeaderScheme` and
:class:`SigV4QueryScheme`, over one :class:`SigV4Verifier` that checks against the keyring.

The canonical request, string to sign and signing key follow AWS's documented algorithm
(docs/s3.md §1); the request is rebuilt from what travelled (raw path, raw query, the
headers the client says it signed). The payload's own checks (a signed SHA-256, aws-chunked
chunk signatures, checksums) are ``s3/payload.py``'s, from the :class:`Signed` returned here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from calendar import timegm
from dataclasses import dataclass
from email.utils import parsedate_tz, mktime_tz
from typing import Callable
from urllib.parse import quote, unquote

from werkzeug.datastructures import Headers

from .caller import Caller
from .keys import AuthMode, Keyring
from .raw import RawRequest
from ..s3_errors import S3Error

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_SKEW_SECONDS = 900  # docs/s3.md §1: 15 minutes
MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # docs/s3.md §2
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SPACES = re.compile(r"\s+")

@dataclass(frozen=True)
class Scope:
    """``<date>/<region>/<service>/aws4_request`` of a credential."""

    date: str
    region: str
    service: str

    def text(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


@dataclass(frozen=True)
class Signed:
    """A request whose signature held: who signed, and what its payload promises."""

    access_key: str
    payload: str  # the x-amz-content-sha256 value: a hex digest, UNSIGNED-PAYLOAD or a STREAMING-* mode
    amz_date: str = ""
    scope: Scope | None = None
    signature: str = ""  # the seed of chunk signatures
    signing_key: bytes = b""
    checked: bool = True  # False under --auth off / lax when nothing matched: chunk signatures are not checked

    def chunk_signature(self, previous: str, data_sha256: str) -> str:
        """The signature of one aws-chunked chunk following ``previous`` (docs/s3.md §3)."""
        text = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", self.amz_date, self.scope.text() if self.scope else "",
                          previous, EMPTY_SHA256, data_sha256])
        return _hex_hmac(self.signing_key, text)

    def trailer_signature(self, previous: str, trailer: bytes) -> str:
        text = "\n".join(["AWS4-HMAC-SHA256-TRAILER", self.amz_date, self.scope.text() if self.scope else "",
                          previous, hashlib.sha256(trailer).hexdigest()])
        return _hex_hmac(self.signing_key, text)


@dataclass(frozen=True)
class _Claim:
    """What a request claims: its credential, signed headers, signature and date."""

    access_key: str
    scope: Scope
    signed_headers: list[str]
    signature: str
    amz_date: str
    payload: str
    presigned: bool
    expires: int = 0


class SigV4Verifier:
    """Checks SigV4 against the keyring's accounts, under its auth mode."""

    def __init__(self, keys: Keyring, clock: Callable[[], float] = time.time,
                 max_skew: int = MAX_SKEW_SECONDS) -> None:
        self._keys = keys
        self._clock = clock
        self._mode = keys.mode
        self._max_skew = max_skew

    def anonymous(self) -> Signed:
        """A request without SigV4: refused (Kodo's S3 API has no anonymous access) unless --auth off."""
        if self._mode is AuthMode.OFF:
            return Signed(access_key=self._keys.first_account()[0], payload=UNSIGNED, checked=False)
        raise S3Error.access_denied("Anonymous access is not allowed: sign the request with SigV4")

    def verify(self, req: RawRequest, now: float | None = None) -> Signed:
        """The signer of ``req``; an :class:`S3Error` (403/400) when the signature does not hold."""
        now = self._clock() if now is None else now
        claim = _claim(req)
        if claim is None:
            return self.anonymous()
        if self._mode is AuthMode.OFF:
            return Signed(access_key=claim.access_key, payload=claim.payload, checked=False)
        self._check_time(claim, now)
        secret = self._keys.secret(claim.access_key)
        if secret is None:
            if self._mode is AuthMode.LAX:
                self._keys.log.warning("SigV4: unknown access key %r accepted (--auth lax)", claim.access_key)
                return Signed(access_key=claim.access_key, payload=claim.payload, checked=False)
            raise S3Error.unknown_access_key(claim.access_key)
        return self._check_signature(req, claim, secret)

    def _check_signature(self, req: RawRequest, claim: _Claim, secret: str) -> Signed:
        key = signing_key(secret, claim.scope)
        canonicals = canonical_requests(req, claim)
        for canonical in canonicals:
            text = string_to_sign(claim.amz_date, claim.scope, canonical)
            if hmac.compare_digest(_hex_hmac(key, text), claim.signature):
                return Signed(claim.access_key, claim.payload, claim.amz_date, claim.scope, claim.signature, key)
        error = S3Error.signature_mismatch(claim.access_key, string_to_sign(claim.amz_date, claim.scope,
                                                                            canonicals[0]), canonicals[0])
        if self._mode is AuthMode.LAX:
            self._keys.log.warning("SigV4 mismatch accepted (--auth lax): %s", error.expected)
            return Signed(claim.access_key, claim.payload, claim.amz_date, claim.scope, claim.signature, key,
                          checked=False)
        raise error

    def _check_time(self, claim: _Claim, now: float) -> None:
        signed_at = _parse_amz_date(claim.amz_date)
        if claim.amz_date[:8] != claim.scope.date:
            raise S3Error.authorization_malformed(
                f"The credential date {claim.scope.date!r} does not match the request date {claim.amz_date[:8]!r}")
        server = time.strftime(AMZ_DATE_FORMAT, time.gmtime(now))
        if claim.presigned:
            if now > signed_at + claim.expires:
                raise S3Error.expired(time.strftime(AMZ_DATE_FORMAT, time.gmtime(signed_at + claim.expires)),
                                      server)
            if signed_at - now > self._max_skew:
                raise S3Error.access_denied("Request is not valid yet")
            return
        if abs(now - signed_at) > self._max_skew:
            raise S3Error.time_skewed(claim.amz_date, server, self._max_skew)


@dataclass(frozen=True)
class SigV4Caller(Caller):
    """A caller whose SigV4 held, with what its payload promises (``s3/payload.py`` checks it)."""

    signed: Signed | None = None


class SigV4HeaderScheme:
    """``Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...``."""

    name = "SigV4"

    def __init__(self, verifier: SigV4Verifier) -> None:
        self._verifier = verifier

    def claims(self, req: RawRequest) -> bool:
        return req.headers.get("Authorization", "").startswith(ALGORITHM)

    def authenticate(self, req: RawRequest) -> Caller:
        return _caller(self._verifier.verify(req), self.name)


class SigV4QueryScheme(SigV4HeaderScheme):
    """A presigned URL: ``X-Amz-Credential``, ``X-Amz-Signature`` and the rest in the query."""

    name = "SigV4 presigned"

    def claims(self, req: RawRequest) -> bool:
        return not req.headers.get("Authorization") and any(
            name in ("X-Amz-Credential", "X-Amz-Signature") for name, _ in query_pairs(req.raw_query))


def _caller(signed: Signed, scheme: str) -> SigV4Caller:
    return SigV4Caller(signed.access_key, covers_body=_HEX64.fullmatch(signed.payload) is not None,
                       scheme=scheme, signed=signed)


# ---------------------------------------------------------------------------
# What the request claims


def _claim(req: RawRequest) -> _Claim | None:
    header = req.headers.get("Authorization", "")
    if header:
        return _header_claim(req, header)
    query = query_pairs(req.raw_query)
    names = {name for name, _ in query}
    if "X-Amz-Signature" in names or "X-Amz-Credential" in names:
        return _query_claim(dict(query))
    return None


def _header_claim(req: RawRequest, header: str) -> _Claim:
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise S3Error.invalid_argument(f"Unsupported Authorization Type {algorithm!r}: only {ALGORITHM} "
                                       "(Signature Version 4) is accepted", "Authorization", header[:80])
    fields = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name] = value.strip()
    missing = [n for n in ("Credential", "SignedHeaders", "Signature") if n not in fields]
    if missing:
        raise S3Error.authorization_malformed(f"The authorization header is malformed; missing {', '.join(missing)}")
    amz_date = req.headers.get("X-Amz-Date") or _from_http_date(req.headers.get("Date", ""))
    payload = req.headers.get("X-Amz-Content-SHA256", "")
    if not payload:
        raise S3Error.invalid_request("Missing required header for this request: x-amz-content-sha256")
    if payload not in _PAYLOAD_MODES and not _HEX64.fullmatch(payload):
        raise S3Error.invalid_argument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value "
                                       "or a SHA256 hex digest", "x-amz-content-sha256", payload)
    access_key, scope = _credential(fields["Credential"], S3Error.authorization_malformed)
    return _Claim(access_key, scope, _signed_header_names(fields["SignedHeaders"]), fields["Signature"],
                  amz_date, payload, presigned=False)


_PAYLOAD_MODES = (UNSIGNED, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER)


def _query_claim(query: dict[str, str]) -> _Claim:
    malformed = S3Error.authorization_query_malformed
    for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"):
        if name not in query:
            raise malformed(f"Query-string authentication version 4 requires the X-Amz-Algorithm, "
                            f"X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                            f"X-Amz-Expires parameters; {name} is missing")
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise malformed(f"X-Amz-Algorithm only supports {ALGORITHM!r}")
    expires_text = query.get("X-Amz-Expires", "")
    if not expires_text.isdigit() or not 1 <= int(expires_text) <= MAX_PRESIGN_SECONDS:
        raise malformed(f"X-Amz-Expires must be a whole number of seconds from 1 to {MAX_PRESIGN_SECONDS}")
    access_key, scope = _credential(query["X-Amz-Credential"], malformed)
    return _Claim(access_key, scope, _signed_header_names(query["X-Amz-SignedHeaders"]),
                  query["X-Amz-Signature"], query["X-Amz-Date"], query.get("X-Amz-Content-Sha256", UNSIGNED),
                  presigned=True, expires=int(expires_text))


def _credential(text: str, malformed) -> tuple[str, Scope]:
    parts = text.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not parts[0]:
        raise malformed(f"The credential {text!r} is malformed: expecting "
                        "\"<access key>/<YYYYMMDD>/<region>/<service>/aws4_request\"")
    return parts[0], Scope(parts[1], parts[2], parts[3])


def _signed_header_names(text: str) -> list[str]:
    return [name.strip().lower() for name in text.split(";") if name.strip()]


def _parse_amz_date(text: str) -> int:
    try:
        return timegm(time.strptime(text, AMZ_DATE_FORMAT))
    except ValueError:
        raise S3Error.access_denied("AWS authentication requires a valid Date or x-amz-date header") from None


def _from_http_date(text: str) -> str:
    parsed = parsedate_tz(text) if text else None
    return time.strftime(AMZ_DATE_FORMAT, time.gmtime(mktime_tz(parsed))) if parsed else ""


# ---------------------------------------------------------------------------
# The canonical request (docs/s3.md §1)


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    """The query's names and values, percent-decoded ('+' stays '+', as S3 reads it)."""
    pairs = []
    for part in raw_query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


def _uri_encode(text: str, safe: str = "") -> str:
    return quote(text, safe="-_.~" + safe)


def canonical_query(raw_query: str, presigned: bool) -> str:
    pairs = [(_uri_encode(n), _uri_encode(v)) for n, v in query_pairs(raw_query)
             if not (presigned and n == "X-Amz-Signature")]
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def canonical_paths(raw_path: str) -> list[str]:
    """The path as sent, and the path re-encoded by AWS's rule (clients differ on reserved characters)."""
    sent = raw_path or "/"
    encoded = _uri_encode(unquote(sent), safe="/")
    return [sent] if encoded == sent else [sent, encoded]


def canonical_headers(headers: Headers, names: list[str], host: str) -> str:
    lines = []
    for name in names:
        values = [host] if name == "host" else headers.getlist(name)
        lines.append(f"{name}:{','.join(_SPACES.sub(' ', v.strip()) for v in values)}\n")
    return "".join(lines)


def canonical_requests(req: RawRequest, claim: _Claim) -> list[str]:
    """The canonical requests a correct signer may have built from ``req`` (the first is AWS's own)."""
    if "host" not in claim.signed_headers:
        raise S3Error.access_denied("The host header must be signed (SignedHeaders lacks host)")
    query = canonical_query(req.raw_query, claim.presigned)
    headers = canonical_headers(req.headers, claim.signed_headers, req.host)
    return ["\n".join([req.method, path, query, headers, ";".join(claim.signed_headers), claim.payload])
            for path in canonical_paths(req.raw_path)]


def string_to_sign(amz_date: str, scope: Scope, canonical_request: str) -> str:
    digest = hashlib.sha256(canonical_request.encode("utf-8", "surrogateescape")).hexdigest()
    return "\n".join([ALGORITHM, amz_date, scope.text(), digest])


def signing_key(secret: str, scope: Scope) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in (scope.date, scope.region, scope.service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def _hex_hmac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()
