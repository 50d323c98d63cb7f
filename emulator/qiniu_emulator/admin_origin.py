"""The admin origin: the console and every ``/_emulator/`` endpoint, on a port of their own.

Object bytes (anything anyone uploaded, ``.html`` included) are served on the service port
and the bucket domains, so a page there runs in a browser as that origin. It must never be
able to act as the console, so the admin origin, which serves no object bytes:

- answers only the Host names the emulator is reached by (loopback names, the listen
  addresses, ``--admin-name``): a DNS-rebinding page arrives with its own name and gets 421;
- takes a write (any method but GET, HEAD, OPTIONS) only with the header
  ``X-Qiniu-Emulator: 1`` (a cross-site page cannot send it without a preflight, which this
  origin never grants: it sends no CORS headers), and only when ``Sec-Fetch-Site`` and
  ``Origin``, when the browser sends them, say the request comes from this origin itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .config import Settings
from .errors import QiniuError

WRITE_HEADER = "X-Qiniu-Emulator"
READ_METHODS = ("GET", "HEAD", "OPTIONS")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("", "0.0.0.0", "::")
# The service port names the admin origin in this header of its pointer answers.
ADMIN_URL_HEADER = "X-Qiniu-Emulator-Admin"


def hostname_of(host: str) -> str:
    """``host[:port]`` or ``[v6]:port`` without the port, lower-cased, brackets removed."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def url_host(hostname: str) -> str:
    return f"[{hostname}]" if ":" in hostname else hostname


@dataclass(frozen=True)
class AdminOrigin:
    """Who the admin origin answers, and which writes it takes."""

    names: frozenset[str]

    @classmethod
    def of(cls, settings: Settings) -> "AdminOrigin":
        names = {*LOOPBACK_NAMES, *(hostname_of(n) for n in settings.admin_names)}
        names.update(hostname_of(h) for h in (settings.host, settings.admin_host) if h not in WILDCARDS)
        return cls(frozenset(names))

    def check(self, method: str, host: str, scheme: str, header: Callable[[str], str | None]) -> None:
        """Raise 421 for a foreign Host, 403 for a write a cross-site page could have sent
        (``header`` looks a request header up by name, in any case)."""
        if hostname_of(host) not in self.names:
            raise QiniuError.misdirected(hostname_of(host))
        if method.upper() in READ_METHODS:
            return
        if header(WRITE_HEADER) != "1":
            raise QiniuError.forbidden(f"writes to the emulator's admin endpoints need the header {WRITE_HEADER}: 1")
        site = header("Sec-Fetch-Site")
        if site is not None and site not in ("same-origin", "none"):
            raise QiniuError.forbidden(f"a {site} page may not write to the emulator's admin endpoints")
        origin = header("Origin")
        if origin is not None and origin != f"{scheme}://{host}":
            raise QiniuError.forbidden(f"a page of {origin} may not write to the emulator's admin endpoints")


def public_host(bind: str, requested_host: str) -> str:
    """The host name a browser that reached us as ``requested_host`` uses for a port bound to ``bind``."""
    return url_host(hostname_of(requested_host)) if bind in WILDCARDS else url_host(bind)


def admin_url(settings: Settings, requested_host: str = "127.0.0.1") -> str:
    return f"http://{public_host(settings.admin_host, requested_host)}:{settings.admin_port_number()}"


def service_url(settings: Settings, scheme: str = "http", requested_host: str = "127.0.0.1") -> str:
    port = settings.https_port() if scheme == "https" else settings.port
    return f"{scheme}://{public_host(settings.host, requested_host)}:{port}"
