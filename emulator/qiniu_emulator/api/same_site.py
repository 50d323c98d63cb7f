"""Writes under ``/_emulator/`` come from this emulator's console or from a client, never from
another site's page.

A page of any site can make a browser send a form POST to ``http://127.0.0.1:9000`` (no
preflight for a form, a multipart upload or an empty body), and the emulator-only
endpoints need no signature: ``/_emulator/reset`` would wipe the data, ``fops/run`` start
jobs, ``objects`` store files. Browsers name the page's origin in ``Origin`` (and say
``Sec-Fetch-Site``) on such a request; a client such as curl, an SDK or a test sends
neither, and the console's own page sends its own origin. So a write whose ``Origin`` is
another host is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

from ..errors import QiniuError

EMULATOR_PREFIX = "/_emulator/"
READS = ("GET", "HEAD", "OPTIONS")


def refuse_cross_site_writes() -> None:
    """403 for a write under ``/_emulator/`` sent by a page of another origin."""
    if request.method in READS or not request.path.startswith(EMULATOR_PREFIX):
        return
    origin = request.headers.get("Origin")
    cross = request.headers.get("Sec-Fetch-Site") == "cross-site"
    if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
        cross = True
    if cross:
        raise QiniuError.forbidden(f"{request.method} {request.path} from a page of another site "
                                   f"(Origin {origin or 'unknown'}) is refused: the emulator-only endpoints "
                                   "take writes from the console and from clients, not from other sites")
