"""Download links: the private-download token ``...&e=<deadline>&token=<AK>:<sign>`` and the
``/sign/<AK>:<sign>`` of a synchronous ``saveas`` (docs/wire.md §4.4, §4.5)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence
from urllib.parse import unquote

from ..errors import QiniuError
from .caller import Caller
from .keys import AuthMode, Credential, Keyring
from .raw import RawRequest, to_bytes

_DIGITS = re.compile(r"[0-9]+")


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
    """Split a download request for :meth:`DownloadTokenScheme.verify`.

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


class DownloadTokenScheme:
    """A private download link's ``e`` and ``token``; the sync ``saveas`` sign beside it."""

    name = "download token"

    def __init__(self, keys: Keyring, clock: Callable[[], float] = time.time) -> None:
        self._keys = keys
        self._clock = clock

    def claims(self, req: RawRequest) -> bool:
        return "token" in parse_download_query(req).params

    def authenticate(self, req: RawRequest) -> Caller:
        query = parse_download_query(req)
        return Caller(self.verify(query.url_variants, query.params), covers_body=False, scheme=self.name)

    def verify(self, url_variants: Sequence[str], query: Mapping[str, str]) -> str:
        """Verify a private download link's ``e`` and ``token`` (see :func:`parse_download_query`).

        ``url_variants`` are the candidate signed strings (full URL up to ``&token=``).
        Missing token -> 401 ``download token not specified``; bad -> 401 ``bad token``;
        past ``e`` -> 401 ``token out of date``.
        """
        token = query.get("token")
        if not token:
            raise QiniuError.download_token_missing()
        credential = Credential.split(token)
        if self._keys.mode is AuthMode.OFF:
            return self._keys.claimed(credential)
        deadline = _parse_deadline(query.get("e"))
        access_key = self._keys.match(credential, [to_bytes(url) for url in url_variants], "download token")
        if self._clock() > deadline:
            raise QiniuError.token_expired()
        return access_key

    def verify_saveas(self, signed_string: str | Sequence[str], sign: str) -> str:
        """Verify the ``/sign/<AK>:<sign>`` of a synchronous ``saveas`` (no scheme signed).

        ``signed_string`` may be one string or the variants from :func:`parse_saveas_signature`.
        """
        credential = Credential.split(sign)
        if self._keys.mode is AuthMode.OFF:
            return self._keys.claimed(credential)
        strings = [signed_string] if isinstance(signed_string, str) else list(signed_string)
        return self._keys.match(credential, [to_bytes(s) for s in strings], "saveas sign")


def _parse_deadline(text: str | None) -> int:
    if text is None or not _DIGITS.fullmatch(text.strip()):
        raise QiniuError.bad_token()
    return int(text.strip())
