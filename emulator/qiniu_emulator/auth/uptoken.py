"""Upload tokens: ``<AK>:<sign>:<encodedPutPolicy>`` in a form field or ``Authorization: UpToken``.

The signature is over the encoded policy text; the token's parts and its policy are read
by ``put_policy.py`` (:class:`~..put_policy.UploadToken`), this checks who signed it and
that its deadline has not passed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from ..errors import QiniuError
from ..put_policy import PutPolicy, UploadToken
from .caller import Caller, authorization
from .keys import AuthMode, Credential, Keyring
from .raw import RawRequest, to_bytes


@dataclass
class UploadGrant:
    """What a verified upload token allows: whose account, under which policy."""

    access_key: str
    policy: PutPolicy


def upload_token_from_authorization(header: str | None) -> str | None:
    """The token of an ``Authorization: UpToken <token>`` header, else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme != "UpToken":
        return None
    return token.strip() or None


VERIFIED_TOKENS = 256


class UpTokenScheme:
    """``Authorization: UpToken <token>`` (resumable uploads); :meth:`verify` takes a form's token."""

    name = "UpToken"

    def __init__(self, keys: Keyring, clock: Callable[[], float] = time.time) -> None:
        self._keys = keys
        self._clock = clock
        # Clients upload many files with one token: its signature and policy are read once.
        # The deadline is checked against the clock at every use.
        self._verified: dict[str, UploadGrant] = {}

    def claims(self, req: RawRequest) -> bool:
        return authorization(req)[0] == self.name

    def authenticate(self, req: RawRequest) -> Caller:
        grant = self.verify(upload_token_from_authorization(req.headers.get("Authorization")))
        return Caller(grant.access_key, covers_body=False, scheme=self.name, policy=grant.policy)

    def verify(self, token: str | None) -> UploadGrant:
        """Verify a token and return its parsed policy.

        Missing -> 401 ``token not specified``; bad signature, unknown key or an
        undecodable policy -> 401 ``bad token``; a policy with mistyped fields -> 400
        naming the field; ``deadline`` passed -> 401 ``expired token``.
        """
        if not token or not token.strip():
            raise QiniuError.token_not_specified()
        known = self._verified.get(token)
        if known is not None:
            if self._clock() > known.policy.deadline:
                raise QiniuError.upload_token_expired()
            return UploadGrant(known.access_key, known.policy)
        parts = UploadToken.split(token)
        if parts is None or not (parts.access_key and parts.sign and parts.encoded_policy):
            count = len(token.strip().split(":"))
            self._keys.log.info("upload token rejected: expected <AK>:<sign>:<encoded put policy> (as "
                                "Auth.upload_token makes), got %d part(s)%s", count,
                                " (a management or download token?)" if count == 2 else "")
            raise QiniuError.bad_token()
        if parts.prefixed:
            self._keys.log.info("upload token for access key %r came with a prefix part; it is ignored "
                                "(docs/wire.md §4.3)", parts.access_key)
        if self._keys.mode is AuthMode.OFF:
            return UploadGrant(parts.access_key, parts.policy())
        credential = Credential(parts.access_key, parts.sign)
        access_key = self._keys.match(credential, [to_bytes(parts.encoded_policy)], "upload token")
        policy = parts.policy()
        if self._clock() > policy.deadline:
            raise QiniuError.upload_token_expired()
        if not parts.prefixed:  # a prefixed token keeps its log line at every use
            self._remember(token, UploadGrant(access_key, policy))
        return UploadGrant(access_key, policy)

    def _remember(self, token: str, grant: UploadGrant) -> None:
        if len(self._verified) >= VERIFIED_TOKENS:
            self._verified.clear()  # many distinct tokens: start over rather than track use
        self._verified[token] = grant
