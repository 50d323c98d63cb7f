"""The emulator's published development key pair never goes to the real service.

``qiniu-emulator-ak`` / ``qiniu-emulator-sk`` are printed in every README and banner: a
request signed with them that is about to leave for a Qiniu host means the client was
never pointed at the emulator (``QINIU_EMULATOR_URL`` unset). It is refused before it is
sent, with the fix in the message, instead of failing later as a confusing 401.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from requests.auth import AuthBase

from .auth import QBoxRequestsAuth, QiniuRequestsAuth, UpTokenRequestsAuth

DEVELOPMENT_ACCESS_KEY = "qiniu-emulator-ak"
# The service's own domains: the default hosts of config.py, the upload and CDN domains.
QINIU_DOMAINS = ("qiniuapi.com", "qiniu.com", "qiniup.com", "qiniuio.com", "qiniucs.com",
                 "qbox.me", "qiniudn.com", "clouddn.com", "qnssl.com")


class DevelopmentKeyRefused(ValueError):
    """A request signed with the development key pair, addressed to a real Qiniu host."""

    def __init__(self, host: str) -> None:
        super().__init__(
            f"refusing to send the emulator's development key pair ({DEVELOPMENT_ACCESS_KEY}) to {host}, "
            "a real Qiniu host: point the client at the emulator with "
            "`export QINIU_EMULATOR_URL=http://127.0.0.1:9000` (or qiniu_fop.set_default(...), or "
            "config=qiniu_fop.Config.for_url(...)), or use your own keys for the real service")


def check_destination(url: str, auth: AuthBase | None, files: Any = None) -> None:
    """Raise :class:`DevelopmentKeyRefused` when the development key would go to Qiniu."""
    host = (urlsplit(url).hostname or "").lower()
    if not any(host == domain or host.endswith("." + domain) for domain in QINIU_DOMAINS):
        return
    if _access_key(auth, files) == DEVELOPMENT_ACCESS_KEY:
        raise DevelopmentKeyRefused(host)


def _access_key(auth: AuthBase | None, files: Any) -> str:
    if isinstance(auth, (QBoxRequestsAuth, QiniuRequestsAuth)):
        return auth.auth.access_key
    if isinstance(auth, UpTokenRequestsAuth):
        return auth.up_token.split(":", 1)[0]
    for name, value in files or ():  # a form upload carries its token as a field
        if name == "token" and isinstance(value, tuple) and isinstance(value[1], str):
            return value[1].split(":", 1)[0]
    return ""
