"""The fetch policy: which URLs ops may fetch over the network (``--fetch``)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .normal_url import BadUrl, NormalUrl, normal_url

FETCH_MODES = ("any", "public", "loopback", "none")


@dataclass(frozen=True)
class FetchPolicy:
    """Which URLs ops may fetch over the network (``--fetch``).

    ``any``: every URL; ``public`` (the default): only hosts whose address is a public one
    (no loopback, private, link-local or reserved address, checked on the connected
    socket, so DNS tricks do not help); ``loopback``: only this machine; ``none``:
    nothing; ``allow=<prefix>,...``: only URLs on a prefix's scheme, host and port whose
    path starts with the prefix's path, both compared in their normal spelling
    (:mod:`.normal_url`), so ``..``, escapes, host case and default ports cannot step out.
    """

    mode: str = "public"
    prefixes: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "FetchPolicy":
        if text.startswith("allow="):
            prefixes = tuple(p for p in text[len("allow="):].split(",") if p)
            if not prefixes or not all(p.startswith(("http://", "https://")) for p in prefixes):
                raise ValueError("allow= takes http(s) URL prefixes separated by commas")
            for prefix in prefixes:
                try:
                    normal_url(prefix)
                except BadUrl as exc:
                    raise ValueError(f"allow= prefix {prefix!r}: {exc}") from exc
            return cls("allow", prefixes)
        if text not in FETCH_MODES:
            raise ValueError(f"{text!r} is not one of {', '.join(FETCH_MODES)} or allow=<prefixes>")
        return cls(text)

    def __str__(self) -> str:
        return f"allow={','.join(self.prefixes)}" if self.mode == "allow" else self.mode

    def allows_url(self, url: NormalUrl) -> bool:
        if self.mode == "none":
            return False
        if self.mode == "allow":
            return any(url.origin == prefix.origin and url.target.startswith(prefix.target)
                       for prefix in map(normal_url, self.prefixes))
        return True

    def allows_address(self, address: str) -> bool:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if self.mode == "public":
            return ip.is_global and not ip.is_multicast
        if self.mode == "loopback":
            return ip.is_loopback
        return True
