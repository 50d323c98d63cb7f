"""Download URLs for objects, optionally processed by a fop and signed for private buckets."""

from __future__ import annotations

from urllib.parse import quote

from .auth import Auth


def download_url(domain: str, key: str, private: bool = False, auth: Auth | None = None,
                 expires: int = 3600, scheme: str = "http", fop: str | None = None) -> str:
    """``<scheme>://<domain>/<percent-encoded key>[?<fop>]``, signed when ``private``.

    ``domain`` may carry its own scheme (``https://cdn.example.com``), which then wins.
    The key keeps its ``/``; everything else outside the unreserved set is UTF-8
    percent-encoded, so what is signed is what goes on the wire.

    Against the emulator, use the path-style domain ``127.0.0.1:9000/_io/<bucket>``, the
    first that ``BucketManager.domains`` lists. Its other domain, ``<bucket>.localhost``,
    works in browsers and curl, but Python (``requests``, ``urllib``) does not resolve
    ``*.localhost`` names on most systems and fails with a name-resolution error.
    """
    if not isinstance(domain, str) or not domain.strip("/ "):
        raise ValueError(f"domain must be a host name such as cdn.example.com, got {domain!r}")
    if not isinstance(key, str):
        raise ValueError(f"key must be a string, got {key!r}")
    if scheme not in ("http", "https"):
        raise ValueError(f"scheme must be 'http' or 'https', got {scheme!r}")
    base = domain.rstrip("/") if "://" in domain else f"{scheme}://{domain.strip('/')}"
    url = f"{base}/{quote(key, safe='/')}"
    if fop:
        url = f"{url}?{fop}"
    if not private:
        return url
    if not isinstance(auth, Auth):
        raise ValueError("a private download URL needs auth=Auth(access_key, secret_key)")
    return auth.private_download_url(url, expires)
