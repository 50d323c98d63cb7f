"""Download URLs as a client would build them: path-style, the bucket domain, and the
private-bucket signature (``e`` and ``token``) made with the first configured account."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from ..auth import Authenticator
from ..fetch import IO_PREFIX

# Long enough to leave a console page open for a working session.
SIGNED_FOR_SECONDS = 3600


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Links:
    """Builds the URLs of one emulator as the browser reaches it (``base`` = scheme://host)."""

    base: str
    auth: Authenticator
    domain_suffix: str
    now: Callable[[], float] = time.time  # the emulated clock
    bucket_port: Callable[[str], int | None] = lambda bucket: None

    def download(self, bucket: str, key: str, private: bool, query: str = "") -> str:
        """The path-style URL, with ``query`` (a fop) and a signature when ``private``."""
        url = f"{self.base}{IO_PREFIX}{bucket}/{quote(key, safe='/')}" + (f"?{query}" if query else "")
        return self.sign(url) if private else url

    def domain(self, bucket: str, key: str, private: bool) -> str:
        scheme, _, host = self.base.partition("://")
        port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
        url = f"{scheme}://{bucket}.{self.domain_suffix}{':' + port if port else ''}/{quote(key, safe='/')}"
        return self.sign(url) if private else url

    def own_port(self, bucket: str, key: str, private: bool) -> str | None:
        """The URL on the bucket's own port, when it has one."""
        port = self.bucket_port(bucket)
        if port is None:
            return None
        url = f"{self.base.rsplit(':', 1)[0]}:{port}/{quote(key, safe='/')}"
        return self.sign(url) if private else url

    def sign(self, url: str) -> str:
        """``url`` with ``e=<deadline>&token=<AK>:<sign>``, as ``Auth.private_download_url`` makes it."""
        url += ("&" if "?" in url else "?") + f"e={int(self.now()) + SIGNED_FOR_SECONDS}"
        access_key = self.auth.first_account()[0]
        return f"{url}&token={self.auth.sign(access_key, url)}"

    def all(self, bucket: str, key: str, private: bool) -> list[Link]:
        note = " (signed for an hour)" if private else ""
        links = [Link("path-style" + note, self.download(bucket, key, private)),
                 Link("bucket domain" + note, self.domain(bucket, key, private))]
        own = self.own_port(bucket, key, private)
        return links + ([Link("bucket port" + note, own)] if own else [])
