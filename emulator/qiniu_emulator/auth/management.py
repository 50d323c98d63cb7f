"""Management requests: ``Authorization: QBox <AK>:<sign>`` and ``Qiniu <AK>:<sign>``."""

from __future__ import annotations

import time
from calendar import timegm
from typing import Callable

from ..errors import QiniuError
from .caller import Caller, authorization
from .keys import AuthMode, Credential, Keyring
from .raw import RawRequest
from .signing import Signed, qbox_candidates, qiniu_candidates

QINIU_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
DEFAULT_MAX_SKEW = 900.0


class _ManagementScheme:
    name = ""

    def __init__(self, keys: Keyring) -> None:
        self._keys = keys

    def claims(self, req: RawRequest) -> bool:
        return authorization(req)[0] == self.name

    def authenticate(self, req: RawRequest) -> Caller:
        credential = Credential.split(authorization(req)[1])
        if self._keys.mode is AuthMode.OFF:
            return Caller(self._keys.claimed(credential), covers_body=True, scheme=self.name)
        candidates = self._candidates(req)
        access_key, index = self._keys.match_index(
            credential, [c.data for c in candidates], f"{self.name} management token")
        self._check(req)
        return Caller(access_key, candidates[index].covers_body, scheme=self.name)

    def _candidates(self, req: RawRequest) -> list[Signed]:
        raise NotImplementedError

    def _check(self, req: RawRequest) -> None:
        """What the scheme checks beyond the signature."""


class QBoxScheme(_ManagementScheme):
    """``QBox``: the path, query and a form body (docs/wire.md §4.1)."""

    name = "QBox"

    def _candidates(self, req: RawRequest) -> list[Signed]:
        return qbox_candidates(req)


class QiniuScheme(_ManagementScheme):
    """``Qiniu``: method, path, query, Host, Content-Type, ``X-Qiniu-*`` headers and the body.

    A request whose ``X-Qiniu-Date`` is more than ``max_skew`` seconds off the clock (and
    off ``client_clock``, when given) is 403 ``request time too skewed``.
    """

    name = "Qiniu"

    def __init__(self, keys: Keyring, clock: Callable[[], float] = time.time,
                 max_skew: float = DEFAULT_MAX_SKEW, client_clock: Callable[[], float] | None = None) -> None:
        super().__init__(keys)
        self._clock = clock
        self._max_skew = max_skew
        # Clients date their requests by their own clock, which moving the emulated one
        # (``clock.py``) cannot move: a date fresh by that clock is accepted too.
        self._client_clock = client_clock

    def _candidates(self, req: RawRequest) -> list[Signed]:
        return qiniu_candidates(req)

    def _check(self, req: RawRequest) -> None:
        value = req.headers.get("X-Qiniu-Date")
        if value is None:
            return
        try:
            sent = timegm(time.strptime(value.strip(), QINIU_DATE_FORMAT))
        except ValueError:
            raise QiniuError.time_skewed() from None
        if abs(self._clock() - sent) > self._max_skew and (
                self._client_clock is None or abs(self._client_clock() - sent) > self._max_skew):
            raise QiniuError.time_skewed()
