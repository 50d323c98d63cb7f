"""The account table and the one comparison every credential check goes through.

Every Qiniu credential is ``<AK>:<urlsafe_b64(HMAC-SHA1(SecretKey, data))>`` over some
string rebuilt from the request; :meth:`Keyring.match` finds the account whose secret
signed one of the candidate strings. :class:`AuthMode` relaxes it for demos: ``lax``
tries every configured account and warns what it expected when nothing matches; ``off``
accepts everything that can be parsed (the schemes ask :attr:`Keyring.mode`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from enum import Enum
from typing import Mapping, Sequence

from ..encoding import b64_encode
from ..errors import BadSignature

LOGGER = "qiniu_emulator.auth"


class AuthMode(str, Enum):
    """How strictly credentials are checked."""

    STRICT = "strict"
    LAX = "lax"
    OFF = "off"


@dataclass(frozen=True)
class Credential:
    """``<AK>:<sign>`` as a client sent it."""

    access_key: str
    sign: str

    @classmethod
    def split(cls, text: str | None) -> "Credential | None":
        if not text:
            return None
        access_key, sep, sign = text.strip().partition(":")
        if not sep or not access_key or not sign:
            return None
        return cls(access_key, sign)


class Keyring:
    """Access key -> secret key, and how strictly a signature must match."""

    def __init__(self, accounts: Mapping[str, str], mode: AuthMode = AuthMode.STRICT,
                 logger: logging.Logger | None = None) -> None:
        if not accounts:
            raise ValueError("at least one access key / secret key pair is required")
        self._secrets = {ak: sk.encode("utf-8") for ak, sk in accounts.items()}
        self.mode = AuthMode(mode)
        self.log = logger or logging.getLogger(LOGGER)

    def sign(self, access_key: str, data: bytes | str) -> str:
        """``<AK>:<urlsafe_b64(HMAC-SHA1(SK, data))>`` with the account's secret key."""
        secret = self._secrets.get(access_key)
        if secret is None:
            raise KeyError(f"unknown access key {access_key!r}")
        return f"{access_key}:{digest(secret, data)}"

    def first_account(self) -> tuple[str, str]:
        """The first configured ``(access_key, secret_key)``."""
        access_key, secret = next(iter(self._secrets.items()))
        return access_key, secret.decode("utf-8")

    def secret(self, access_key: str) -> str | None:
        """The secret key of ``access_key`` (SigV4 derives its signing key from it), None if unknown."""
        secret = self._secrets.get(access_key)
        return None if secret is None else secret.decode("utf-8")

    def claimed(self, credential: Credential | None) -> str:
        """The access key a credential names (``off`` mode takes it unchecked), else the first account's."""
        return credential.access_key if credential else self.first_account()[0]

    def match(self, credential: Credential | None, candidates: Sequence[bytes], what: str) -> str:
        """Return the access key whose secret signed one of ``candidates``, else raise 401."""
        return self.match_index(credential, candidates, what)[0]

    def match_index(self, credential: Credential | None, candidates: Sequence[bytes],
                    what: str) -> tuple[str, int]:
        """The signing access key and which candidate it signed; 401 when none matches."""
        if credential is not None:
            for access_key in self._keys_to_try(credential.access_key):
                secret = self._secrets[access_key]
                for index, data in enumerate(candidates):
                    if _same(digest(secret, data), credential.sign):
                        return access_key, index
        raise self._mismatch(credential, candidates, what)

    def _keys_to_try(self, claimed: str) -> list[str]:
        if self.mode is AuthMode.LAX:
            # Lax mode: the claimed key first, then any other configured account.
            others = [ak for ak in self._secrets if ak != claimed]
            return ([claimed] if claimed in self._secrets else []) + others
        return [claimed] if claimed in self._secrets else []

    def _mismatch(self, credential: Credential | None, candidates: Sequence[bytes], what: str) -> BadSignature:
        """The 401 for a credential that signed none of ``candidates``, logged on the way."""
        claimed = credential.access_key if credential else None
        strings = tuple(data.decode("utf-8", "backslashreplace") for data in candidates)
        hint = "" if credential else "no <AccessKey>:<sign> credential was sent"
        unknown = " (an access key this emulator does not have: see --account)" \
            if claimed is not None and claimed not in self._secrets else ""
        level = logging.WARNING if self.mode is AuthMode.LAX else logging.INFO
        self.log.log(level, "%s rejected for access key %r%s: expected a %s signed over one of: %s",
                     what, claimed, unknown, what, " | ".join(repr(s) for s in strings))
        return BadSignature(what, claimed, strings, hint)


def digest(secret: bytes, data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return b64_encode(hmac.new(secret, data, hashlib.sha1).digest())


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace"))
