"""Signature verification for every credential Qiniu clients send.

* management requests: ``Authorization: QBox <AK>:<sign>`` or ``Qiniu <AK>:<sign>``;
* upload tokens: ``<AK>:<sign>:<encodedPutPolicy>``;
* private download URLs: ``...&e=<deadline>&token=<AK>:<sign>``;
* synchronous ``saveas``: ``...|saveas/<entry>/sign/<AK>:<sign>``.

All of them are ``urlsafe_b64(HMAC-SHA1(SecretKey, data))`` over a string rebuilt from
the request exactly as it travelled (raw path, raw query, raw body), so the request is
first captured as a :class:`RawRequest` rather than read through Flask's decoded views.

:class:`AuthMode` relaxes the checks for demos: ``lax`` accepts a signature made by any
configured account and logs what it expected when nothing matches; ``off`` accepts
everything that can be parsed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from calendar import timegm
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import quote, unquote

from werkzeug.datastructures import EnvironHeaders, Headers

from .encoding import b64_decode, b64_encode
from .errors import BadSignature, QiniuError
from .uploads.policy import PutPolicy

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
OCTET_STREAM = "application/octet-stream"
QINIU_HEADER_PREFIX = "x-qiniu-"
QINIU_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
DEFAULT_MAX_SKEW = 900.0
_DIGITS = re.compile(r"[0-9]+")

# Characters a client leaves unescaped in a path; used only when the server gives no raw URI.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


# ---------------------------------------------------------------------------
# The request as it was on the wire


def _from_wsgi(text: str) -> str:
    """Undo WSGI's latin-1 transport of raw bytes, keeping undecodable bytes reversible."""
    try:
        return text.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # Not a WSGI byte string after all: the server already decoded it.
        return text


def _to_bytes(text: str) -> bytes:
    """UTF-8, with raw bytes smuggled as escapes restored; other lone surrogates pass through."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class RawRequest:
    """The parts of an HTTP request that signatures cover, byte-faithful to the wire.

    ``raw_path`` and ``raw_query`` keep their percent-encoding; ``headers`` is
    normalised to werkzeug :class:`Headers`, so lookups are case-insensitive.
    """

    method: str
    raw_path: str
    raw_query: str
    host: str
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    server_port: str = ""  # the port the request arrived on, when the Host header may lack it

    def __post_init__(self) -> None:
        if not isinstance(self.headers, Headers):
            items = self.headers.items() if isinstance(self.headers, Mapping) else self.headers
            object.__setattr__(self, "headers", Headers(list(items)))

    @classmethod
    def from_environ(cls, environ: dict[str, Any], body: bytes) -> "RawRequest":
        """Capture a WSGI request; ``body`` is the raw body the caller already read."""
        raw_path, raw_query = _raw_target(environ)
        host = environ.get("HTTP_HOST") or _server_host(environ)
        return cls(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            raw_path=raw_path,
            raw_query=raw_query,
            host=host,
            headers=Headers(list(EnvironHeaders(environ))),
            body=body,
            server_port=str(environ.get("SERVER_PORT", "")),
        )

    @property
    def path_with_query(self) -> str:
        return f"{self.raw_path}?{self.raw_query}" if self.raw_query else self.raw_path


def _raw_target(environ: Mapping[str, Any]) -> tuple[str, str]:
    uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if uri:
        uri = _from_wsgi(uri)
        if "://" in uri.split("?", 1)[0]:
            # Absolute-form request target: keep only the path and query.
            after_scheme = uri.split("://", 1)[1]
            slash = after_scheme.find("/")
            uri = after_scheme[slash:] if slash >= 0 else "/"
        path, _, query = uri.partition("?")
        return path, query
    path_bytes = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")
    return quote(path_bytes, safe=_PATH_SAFE), _from_wsgi(environ.get("QUERY_STRING", ""))


def _server_host(environ: Mapping[str, Any]) -> str:
    name, port = environ.get("SERVER_NAME", ""), str(environ.get("SERVER_PORT", ""))
    default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
    return name if not port or port == default else f"{name}:{port}"


# ---------------------------------------------------------------------------
# Strings to sign


def qbox_data(path_with_query: str, content_type: str | None, body: bytes) -> bytes:
    """The QBox string to sign: ``<path>[?<query>]\\n``, plus the body when it is exactly
    form-encoded (management requests, and the callbacks the emulator signs)."""
    data = _to_bytes(path_with_query + "\n")
    if body and content_type == FORM_CONTENT_TYPE:
        data += body
    return data


def qbox_string_to_sign(req: RawRequest) -> bytes:
    return qbox_data(req.path_with_query, req.headers.get("Content-Type"), req.body)


def canonical_header_name(name: str) -> str:
    """``x-qiniu-meta-foo`` -> ``X-Qiniu-Meta-Foo``, the form Qiniu signs."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def _qiniu_header_lines(headers: Headers) -> list[str]:
    pairs = [
        (canonical_header_name(name), value)
        for name, value in headers.items()
        if name.lower().startswith(QINIU_HEADER_PREFIX) and len(name) > len(QINIU_HEADER_PREFIX)
    ]
    return [f"{name}: {value}" for name, value in sorted(pairs)]


@dataclass(frozen=True)
class Signed:
    """A string a correct signer may have signed, and whether it covers the request body."""

    data: bytes
    covers_body: bool


def qbox_candidates(req: RawRequest) -> list[Signed]:
    covers = not req.body or req.headers.get("Content-Type") == FORM_CONTENT_TYPE
    return [Signed(qbox_string_to_sign(req), covers)]


def signed_hosts(req: RawRequest) -> list[str]:
    """The Host values a correct signer may have signed for the Host it sent.

    * the Host as received;
    * ``host:port:port``: the Node SDK (``qiniu`` 7.0.9 through 7.15.x; it matters from
      7.5.0, when BucketManager moved to Qiniu signatures) appends the URL's port to a host
      that already has it;
    * ``host:<port>``: the Java SDK's ``Api`` classes (7.x) send ``Host`` without the port
      but sign the URL's host and port.
    """
    hosts = [req.host]
    name, sep, port = req.host.rpartition(":")
    has_port = bool(sep) and port.isdigit() and not req.host.endswith("]")
    if has_port:
        hosts.append(f"{req.host}:{port}")
    elif req.server_port:
        hosts.append(f"{req.host}:{req.server_port}")
    return hosts


def signed_paths(req: RawRequest) -> list[str]:
    """The raw path, and the percent-decoded one the Go and Java SDKs sign."""
    decoded = unquote(req.raw_path, errors="surrogateescape")
    return list(dict.fromkeys((req.raw_path, decoded)))


def qiniu_candidates(req: RawRequest) -> list[Signed]:
    """Every string a correct ``Qiniu`` signer may have signed for ``req``.

    The method, query and headers are fixed; the SDKs differ on the Host line and the
    path (see :func:`signed_hosts`, :func:`signed_paths`) and on the body: the documented
    rule appends it for any Content-Type but octet-stream, the Go SDK only for form and
    JSON bodies.
    """
    content_type = req.headers.get("Content-Type")
    query = f"?{req.raw_query}" if req.raw_query else ""
    tail = [f"Content-Type: {content_type}"] if content_type is not None else []
    tail.extend(_qiniu_header_lines(req.headers))
    documented = bool(req.body) and content_type not in (None, OCTET_STREAM)
    go_style = bool(req.body) and content_type in (FORM_CONTENT_TYPE, JSON_CONTENT_TYPE)
    variants: dict[bytes, bool] = {}
    for path in signed_paths(req):
        for host in signed_hosts(req):
            lines = [f"{req.method.upper()} {path}{query}", f"Host: {host}", *tail]
            head = _to_bytes("\n".join(lines) + "\n\n")
            for with_body in (documented, go_style):
                data = head + req.body if with_body else head
                variants[data] = variants.get(data, False) or with_body or not req.body
    return [Signed(data, covers) for data, covers in variants.items()]


def qiniu_strings_to_sign(req: RawRequest) -> list[bytes]:
    return [signed.data for signed in qiniu_candidates(req)]


# ---------------------------------------------------------------------------
# Download URLs and synchronous saveas


@dataclass(frozen=True)
class DownloadQuery:
    """A download request's query split into the user's part and its signature.

    ``fop_query`` is the raw query without ``e``/``token`` (the fop command, if any);
    ``params`` holds ``e`` and ``token`` when present; ``url_variants`` are the strings
    the token may have been computed over (raw and percent-decoded, per scheme).
    """

    fop_query: str
    params: dict[str, str]
    url_variants: list[str]


def parse_download_query(
    req: RawRequest, schemes: Sequence[str] = ("http", "https")
) -> DownloadQuery:
    """Split a download request for :meth:`Authenticator.verify_download`.

    Both schemes are offered by default because a TLS-terminating proxy in front of
    the emulator delivers ``https`` links as plain ``http`` requests.
    """
    query = req.raw_query
    params: dict[str, str] = {}
    signed = query
    token_at = _find_param(query, "token")
    if token_at is not None:
        signed = query[: max(token_at - 1, 0)]
        value = query[token_at + len("token="):].split("&", 1)[0]
        params["token"] = unquote(value)
    segments = [s for s in signed.split("&") if s] if signed else []
    for segment in segments:
        if segment.startswith("e="):
            params["e"] = unquote(segment[2:])
    fop_query = "&".join(s for s in segments if not s.startswith("e="))
    variants: list[str] = []
    for scheme in schemes:
        url = f"{scheme}://{req.host}{req.raw_path}" + (f"?{signed}" if signed else "")
        variants.extend((url, unquote(url, errors="surrogateescape")))
    return DownloadQuery(fop_query, params, list(dict.fromkeys(variants)))


def _find_param(query: str, name: str) -> int | None:
    if query.startswith(f"{name}="):
        return 0
    at = query.find(f"&{name}=")
    return None if at < 0 else at + 1


@dataclass(frozen=True)
class SaveasSignature:
    """A synchronous fop query ending in ``saveas/<entry>/sign/<AK>:<sign>``."""

    fop_query: str
    signed_variants: list[str]
    sign: str


def parse_saveas_signature(req: RawRequest) -> SaveasSignature | None:
    """Split off the ``/sign/`` suffix of a sync ``saveas``; None when there is none.

    The signed string is ``<host><path>?<query up to /sign/>`` without a scheme; the raw
    and the percent-decoded forms are both offered because clients escape ``|``.
    """
    query = req.raw_query
    at = query.rfind("/sign/")
    if at < 0 or "saveas/" not in unquote(query[:at]):
        return None
    fop_query = query[:at]
    signed = f"{req.host}{req.raw_path}?{fop_query}"
    variants = list(dict.fromkeys((signed, unquote(signed, errors="surrogateescape"))))
    return SaveasSignature(fop_query, variants, unquote(query[at + len("/sign/"):]))


def upload_token_from_authorization(header: str | None) -> str | None:
    """The token of an ``Authorization: UpToken <token>`` header, else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme != "UpToken":
        return None
    return token.strip() or None


# ---------------------------------------------------------------------------


class AuthMode(str, Enum):
    """How strictly credentials are checked."""

    STRICT = "strict"
    LAX = "lax"
    OFF = "off"


@dataclass(frozen=True)
class Caller:
    """Who signed a management request, and whether the signature covers its body.

    A valid signature that leaves the body out (QBox with a body that is not exactly
    form-encoded, or the Go SDK's rule for other types) authorises the path and query
    only: whatever the body says must not be read.
    """

    access_key: str
    covers_body: bool


@dataclass
class UploadGrant:
    """What a verified upload token allows: whose account, under which policy."""

    access_key: str
    policy: PutPolicy


@dataclass(frozen=True)
class _Credential:
    access_key: str
    sign: str


def _split_credential(text: str | None) -> _Credential | None:
    if not text:
        return None
    access_key, sep, sign = text.strip().partition(":")
    if not sep or not access_key or not sign:
        return None
    return _Credential(access_key, sign)


class Authenticator:
    """Verifies Qiniu credentials against a table of access key -> secret key."""

    def __init__(
        self,
        accounts: Mapping[str, str],
        mode: AuthMode = AuthMode.STRICT,
        clock: Callable[[], float] = time.time,
        logger: logging.Logger | None = None,
        max_skew: float = DEFAULT_MAX_SKEW,
    ) -> None:
        if not accounts:
            raise ValueError("at least one access key / secret key pair is required")
        self._secrets = {ak: sk.encode("utf-8") for ak, sk in accounts.items()}
        self.mode = AuthMode(mode)
        self._clock = clock
        self._log = logger or logging.getLogger(__name__)
        self._max_skew = max_skew

    # -- signing ------------------------------------------------------------

    def sign(self, access_key: str, data: bytes | str) -> str:
        """``<AK>:<urlsafe_b64(HMAC-SHA1(SK, data))>`` with the account's secret key."""
        secret = self._secrets.get(access_key)
        if secret is None:
            raise KeyError(f"unknown access key {access_key!r}")
        return f"{access_key}:{_digest(secret, data)}"

    def first_account(self) -> tuple[str, str]:
        """The first configured ``(access_key, secret_key)``."""
        access_key, secret = next(iter(self._secrets.items()))
        return access_key, secret.decode("utf-8")

    # -- management requests ------------------------------------------------

    def verify_management(self, req: RawRequest) -> str:
        """Verify ``QBox``/``Qiniu`` authorization; returns the signing access key."""
        return self.verify_caller(req).access_key

    def verify_caller(self, req: RawRequest) -> Caller:
        """Verify ``QBox``/``Qiniu`` authorization: who signed, and whether the body was signed.

        Failures are 401 ``bad token``; a ``Qiniu`` request whose ``X-Qiniu-Date`` is
        more than ``max_skew`` seconds off the clock is 403 ``request time too skewed``.
        """
        header = req.headers.get("Authorization")
        scheme, _, rest = (header or "").strip().partition(" ")
        credential = _split_credential(rest)
        if self.mode is AuthMode.OFF:
            return Caller(self._claimed_access_key(credential), covers_body=True)
        if scheme == "QBox":
            candidates = qbox_candidates(req)
        elif scheme == "Qiniu":
            candidates = qiniu_candidates(req)
        else:
            got = f"an {scheme!r} Authorization" if scheme else "no Authorization header"
            self._log.info("management request rejected: expected a QBox or Qiniu management token "
                           "(Authorization: QBox <AK>:<sign>), got %s%s", got,
                           " (upload tokens are for uploads only)" if scheme == "UpToken" else "")
            raise BadSignature("management token", None,
                               hint="send Authorization: QBox <AccessKey>:<sign> or Qiniu <AccessKey>:<sign>")
        what = f"{scheme} management token"
        access_key, index = self._match_index(credential, [c.data for c in candidates], what)
        if scheme == "Qiniu":
            self._check_qiniu_date(req.headers.get("X-Qiniu-Date"))
        return Caller(access_key, candidates[index].covers_body)

    def verify_optional_management(self, req: RawRequest) -> str | None:
        """Like :meth:`verify_management`, but None when no Authorization is sent."""
        caller = self.verify_optional_caller(req)
        return caller.access_key if caller else None

    def verify_optional_caller(self, req: RawRequest) -> Caller | None:
        """Like :meth:`verify_caller`, but None when no Authorization is sent."""
        if not req.headers.get("Authorization"):
            return None
        return self.verify_caller(req)

    def _check_qiniu_date(self, value: str | None) -> None:
        if value is None:
            return
        try:
            sent = timegm(time.strptime(value.strip(), QINIU_DATE_FORMAT))
        except ValueError:
            raise QiniuError.time_skewed() from None
        if abs(self._clock() - sent) > self._max_skew:
            raise QiniuError.time_skewed()

    # -- upload tokens --------------------------------------------------------

    def verify_upload_token(self, token: str | None) -> UploadGrant:
        """Verify ``<AK>:<sign>:<encodedPutPolicy>`` and return its parsed policy.

        Missing -> 401 ``token not specified``; bad signature, unknown key or an
        undecodable policy -> 401 ``bad token``; a policy with mistyped fields -> 400
        naming the field; ``deadline`` passed -> 401 ``expired token``.
        """
        if not token or not token.strip():
            raise QiniuError.token_not_specified()
        parts = token.strip().split(":")
        if len(parts) != 3 or not all(parts):
            self._log.info("upload token rejected: expected <AK>:<sign>:<encoded put policy> (as "
                           "Auth.upload_token makes), got %d part(s)%s", len(parts),
                           " (a management or download token?)" if len(parts) == 2 else "")
            raise QiniuError.bad_token()
        credential = _Credential(parts[0], parts[1])
        encoded_policy = parts[2]
        if self.mode is AuthMode.OFF:
            return UploadGrant(credential.access_key, _decode_policy(encoded_policy))
        access_key = self._match(credential, [_to_bytes(encoded_policy)], "upload token")
        policy = _decode_policy(encoded_policy)
        if self._clock() > policy.deadline:
            raise QiniuError.upload_token_expired()
        return UploadGrant(access_key, policy)

    # -- download URLs and sync saveas -----------------------------------------

    def verify_download(self, url_variants: Sequence[str], query: Mapping[str, str]) -> str:
        """Verify a private download link's ``e`` and ``token`` (see :func:`parse_download_query`).

        ``url_variants`` are the candidate signed strings (full URL up to ``&token=``).
        Missing token -> 401 ``download token not specified``; bad -> 401 ``bad token``;
        past ``e`` -> 401 ``token out of date``.
        """
        token = query.get("token")
        if not token:
            raise QiniuError.download_token_missing()
        credential = _split_credential(token)
        if self.mode is AuthMode.OFF:
            return self._claimed_access_key(credential)
        deadline = _parse_deadline(query.get("e"))
        candidates = [_to_bytes(url) for url in url_variants]
        access_key = self._match(credential, candidates, "download token")
        if self._clock() > deadline:
            raise QiniuError.token_expired()
        return access_key

    def verify_sync_saveas(self, signed_string: str | Sequence[str], sign: str) -> str:
        """Verify the ``/sign/<AK>:<sign>`` of a synchronous ``saveas`` (no scheme signed).

        ``signed_string`` may be one string or the variants from :func:`parse_saveas_signature`.
        """
        credential = _split_credential(sign)
        if self.mode is AuthMode.OFF:
            return self._claimed_access_key(credential)
        strings = [signed_string] if isinstance(signed_string, str) else list(signed_string)
        return self._match(credential, [_to_bytes(s) for s in strings], "saveas sign")

    # -- the one comparison every check goes through ----------------------------

    def _match(self, credential: _Credential | None, candidates: Sequence[bytes], what: str) -> str:
        """Return the access key whose secret signed one of ``candidates``, else raise 401."""
        return self._match_index(credential, candidates, what)[0]

    def _match_index(self, credential: _Credential | None, candidates: Sequence[bytes],
                     what: str) -> tuple[str, int]:
        """The signing access key and which candidate it signed; 401 when none matches."""
        if credential is not None:
            for access_key in self._keys_to_try(credential.access_key):
                secret = self._secrets[access_key]
                for index, data in enumerate(candidates):
                    if _same(_digest(secret, data), credential.sign):
                        return access_key, index
        raise self._mismatch(credential, candidates, what)

    def _keys_to_try(self, claimed: str) -> list[str]:
        if self.mode is AuthMode.LAX:
            # Lax mode: the claimed key first, then any other configured account.
            others = [ak for ak in self._secrets if ak != claimed]
            return ([claimed] if claimed in self._secrets else []) + others
        return [claimed] if claimed in self._secrets else []

    def _mismatch(
        self, credential: _Credential | None, candidates: Sequence[bytes], what: str
    ) -> BadSignature:
        """The 401 for a credential that signed none of ``candidates``, logged on the way."""
        claimed = credential.access_key if credential else None
        strings = tuple(data.decode("utf-8", "backslashreplace") for data in candidates)
        hint = "" if credential else "no <AccessKey>:<sign> credential was sent"
        unknown = " (an access key this emulator does not have: see --account)" \
            if claimed is not None and claimed not in self._secrets else ""
        level = logging.WARNING if self.mode is AuthMode.LAX else logging.INFO
        self._log.log(level, "%s rejected for access key %r%s: expected a %s signed over one of: %s",
                      what, claimed, unknown, what, " | ".join(repr(s) for s in strings))
        return BadSignature(what, claimed, strings, hint)

    def _claimed_access_key(self, credential: _Credential | None) -> str:
        return credential.access_key if credential else self.first_account()[0]


# ---------------------------------------------------------------------------


def _digest(secret: bytes, data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return b64_encode(hmac.new(secret, data, hashlib.sha1).digest())


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace"))


def _parse_deadline(text: str | None) -> int:
    if text is None or not _DIGITS.fullmatch(text.strip()):
        raise QiniuError.bad_token()
    return int(text.strip())


def _decode_policy(encoded: str) -> PutPolicy:
    try:
        data = json.loads(b64_decode(encoded).decode("utf-8"))
    except (ValueError, RecursionError):
        raise QiniuError.bad_token() from None
    if not isinstance(data, dict):
        raise QiniuError.bad_token()
    try:
        return PutPolicy.from_json(data)
    except ValueError as exc:
        raise QiniuError.bad_request(f"invalid put policy: {exc}") from None
