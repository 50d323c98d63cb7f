"""What every authenticator answers, and the one interface they share.

A :class:`Scheme` is one credential scheme (``QBox``, ``Qiniu``, ``UpToken``, a download
token; next, AWS Signature V4 in a header or a presigned query). It says whether a
request carries its kind of credential (:meth:`Scheme.claims`) and, if so, who signed it
(:meth:`Scheme.authenticate`), raising the scheme's typed 401/403 ``QiniuError`` when the
credential is wrong. ``Authenticator.authenticate`` tries a declared list of schemes in
order and lets the first that claims the request decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..put_policy import PutPolicy
from .raw import RawRequest


@dataclass(frozen=True)
class Caller:
    """Who signed a request, and whether the signature covers its body.

    A valid signature that leaves the body out (QBox with a body that is not exactly
    form-encoded, or the Go SDK's rule for other types) authorises the path and query
    only: whatever the body says must not be read. An upload token's caller carries the
    put policy it signed.
    """

    access_key: str
    covers_body: bool
    scheme: str = ""
    policy: PutPolicy | None = None


class Scheme(Protocol):
    """One credential scheme."""

    name: str

    def claims(self, req: RawRequest) -> bool:
        """Whether ``req`` carries this scheme's credential (it need not be valid)."""

    def authenticate(self, req: RawRequest) -> Caller:
        """Who signed ``req``; a typed ``QiniuError`` when the credential is wrong."""


def authorization(req: RawRequest) -> tuple[str, str]:
    """The ``Authorization`` header's scheme word and the rest (``"", ""`` when absent)."""
    scheme, _, rest = (req.headers.get("Authorization") or "").strip().partition(" ")
    return scheme, rest
