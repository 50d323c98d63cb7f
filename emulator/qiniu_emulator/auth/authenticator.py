"""The :class:`Authenticator`: one account table, one authenticator per credential scheme.

Each kind of request accepts a declared list of schemes, tried in order (the first that
claims the request decides): management requests take ``QBox`` then ``Qiniu``. A new
scheme (AWS Signature V4, say) is one class with ``claims`` and ``authenticate``
(``caller.py``), built here beside the others and named in the list of the requests
that accept it.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Mapping, Sequence

from ..errors import BadSignature
from .caller import Caller, Scheme, authorization
from .download import DownloadTokenScheme
from .keys import AuthMode, Credential, Keyring
from .management import DEFAULT_MAX_SKEW, QBoxScheme, QiniuScheme
from .raw import RawRequest
from .sigv4 import SigV4HeaderScheme, SigV4QueryScheme, SigV4Verifier
from .uptoken import UploadGrant, UpTokenScheme


class Authenticator:
    """Verifies Qiniu credentials against a table of access key -> secret key."""

    def __init__(
        self,
        accounts: Mapping[str, str],
        mode: AuthMode = AuthMode.STRICT,
        clock: Callable[[], float] = time.time,
        logger: logging.Logger | None = None,
        max_skew: float = DEFAULT_MAX_SKEW,
        client_clock: Callable[[], float] | None = None,
    ) -> None:
        self.keys = Keyring(accounts, mode, logger)
        self.qbox = QBoxScheme(self.keys)
        self.qiniu = QiniuScheme(self.keys, clock, max_skew, client_clock)
        self.uptoken = UpTokenScheme(self.keys, clock)
        self.download = DownloadTokenScheme(self.keys, clock)
        self.management: tuple[Scheme, ...] = (self.qbox, self.qiniu)
        self.sigv4 = SigV4Verifier(self.keys, clock)
        self.s3: tuple[Scheme, ...] = (SigV4HeaderScheme(self.sigv4), SigV4QueryScheme(self.sigv4))

    @property
    def mode(self) -> AuthMode:
        return self.keys.mode

    def sign(self, access_key: str, data: bytes | str) -> str:
        """``<AK>:<urlsafe_b64(HMAC-SHA1(SK, data))>`` with the account's secret key."""
        return self.keys.sign(access_key, data)

    def first_account(self) -> tuple[str, str]:
        """The first configured ``(access_key, secret_key)``."""
        return self.keys.first_account()

    def authenticate(self, req: RawRequest, schemes: Sequence[Scheme]) -> Caller | None:
        """The caller by the first of ``schemes`` that claims ``req``; None when none does."""
        for scheme in schemes:
            if scheme.claims(req):
                return scheme.authenticate(req)
        return None

    # -- management requests ------------------------------------------------

    def verify_management(self, req: RawRequest) -> str:
        """Verify ``QBox``/``Qiniu`` authorization; returns the signing access key."""
        return self.verify_caller(req).access_key

    def verify_caller(self, req: RawRequest) -> Caller:
        """Verify ``QBox``/``Qiniu`` authorization: who signed, and whether the body was signed.

        Failures are 401 ``bad token``; a ``Qiniu`` request whose ``X-Qiniu-Date`` is
        more than ``max_skew`` seconds off the clock is 403 ``request time too skewed``.
        """
        caller = self.authenticate(req, self.management)
        if caller is not None:
            return caller
        scheme, rest = authorization(req)
        if self.keys.mode is AuthMode.OFF:  # any credential, or none, passes
            return Caller(self.keys.claimed(Credential.split(rest)), covers_body=True)
        got = f"an {scheme!r} Authorization" if scheme else "no Authorization header"
        self.keys.log.info("management request rejected: expected a QBox or Qiniu management token "
                           "(Authorization: QBox <AK>:<sign>), got %s%s", got,
                           " (upload tokens are for uploads only)" if scheme == "UpToken" else "")
        raise BadSignature("management token", None,
                           hint="send Authorization: QBox <AccessKey>:<sign> or Qiniu <AccessKey>:<sign>")

    def verify_optional_management(self, req: RawRequest) -> str | None:
        """Like :meth:`verify_management`, but None when no Authorization is sent."""
        caller = self.verify_optional_caller(req)
        return caller.access_key if caller else None

    def verify_optional_caller(self, req: RawRequest) -> Caller | None:
        """Like :meth:`verify_caller`, but None when no Authorization is sent."""
        if not req.headers.get("Authorization"):
            return None
        return self.verify_caller(req)

    # -- upload tokens, download URLs and sync saveas ---------------------------

    def verify_upload_token(self, token: str | None) -> UploadGrant:
        """Verify an upload token (``auth/uptoken.py``) and return its parsed policy."""
        return self.uptoken.verify(token)

    def verify_download(self, url_variants: Sequence[str], query: Mapping[str, str]) -> str:
        """Verify a private download link's ``e`` and ``token`` (``auth/download.py``)."""
        return self.download.verify(url_variants, query)

    def verify_sync_saveas(self, signed_string: str | Sequence[str], sign: str) -> str:
        """Verify the ``/sign/<AK>:<sign>`` of a synchronous ``saveas``."""
        return self.download.verify_saveas(signed_string, sign)
