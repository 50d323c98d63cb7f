"""What the URLs that ops name (watermark images, avconcat pieces, mkzip entries) mean,
and the rules for reading them.

Order: ``kodo://bucket/key`` and the emulator's own download URLs are read from the local
buckets under the download rule (below); then ``--url-map PREFIX=DIR`` fixtures (so
documentation URLs work offline); then an outbound GET, if the fetch policy allows the
URL and the address it connects to, with one deadline for the whole transfer, a size cap
and at most a few redirects (each re-checked). Every failure is an :class:`OpFailed`
naming the URL; transport failures all read the same, so an error never tells an open
port from a closed one.

The download rule for an object of this emulator: an object of a public bucket is
readable; an object of a private bucket (or a disabled object) is readable through an
http(s) URL only when that URL carries a valid download token (``e`` and ``token``, as a
download would need), and through ``kodo://`` only in a run started by a signed request
(a pfop, an upload token's persistentOps, a signed sync saveas), never by an anonymous
download.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .auth import RawRequest
from .errors import QiniuError
from .fetch_policy import FetchPolicy
from .fops.context import FetchUrl, OpFailed
from .normal_url import BadUrl, normal_url
from .outbound import Outbound, OutboundError
from .storage.paths import is_inside

from .downloads import Access, DownloadService

IO_PREFIX = "/_io/"
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)

log = logging.getLogger("qiniu_emulator.fetch")


@dataclass
class UrlFetcher:
    """Reads the resources ops name; :meth:`bind` gives one run its :class:`FetchUrl`."""

    downloads: DownloadService | None
    url_map: list[tuple[str, Path]] = field(default_factory=list)
    own_hosts: set[str] = field(default_factory=set)
    bucket_hosts: dict[str, str] = field(default_factory=dict)  # host:port of a bucket's own port -> bucket
    domain_suffix: str = "localhost"
    outbound: Outbound = field(default_factory=Outbound)
    policy: FetchPolicy = field(default_factory=FetchPolicy)

    def bind(self, access: Access) -> FetchUrl:
        return BoundFetch(self, access)

    def fetch(self, url: str, dest_dir: Path, access: Access) -> Path:
        return self.fetch_typed(url, dest_dir, access)[0]

    def fetch_typed(self, url: str, dest_dir: Path, access: Access) -> tuple[Path, str]:
        """The resource as a local file, and its MIME type when the source says ("" if not)."""
        local = self.local_object(url)
        if local is not None:
            return self._copy_object(url, *local, dest_dir, access)
        for prefix, directory in self.url_map:
            if url.startswith(prefix):
                return self._from_directory(url, prefix, directory), ""
        return self._download(url, dest_dir)

    def local_object(self, url: str) -> tuple[str, str, RawRequest | None] | None:
        """``(bucket, key, request)`` when the URL names an object of this emulator.

        ``request`` is the URL as a download request (for its token); None for ``kodo://``.
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:  # unreadable (an unclosed [ or a port that is no number): not ours
            return None
        if parts.scheme == "kodo":
            key = unquote(parts.path.lstrip("/"))
            return (parts.netloc, key, None) if parts.netloc and key else None
        if parts.scheme not in ("http", "https"):
            return None
        request = RawRequest(method="GET", raw_path=parts.path or "/", raw_query=parts.query,
                             host=parts.netloc)
        host = parts.netloc.lower()
        if host in self.bucket_hosts:
            key = unquote(parts.path.lstrip("/"))
            return (self.bucket_hosts[host], key, request) if key else None
        if host in self.own_hosts and parts.path.startswith(IO_PREFIX):
            bucket, _, key = parts.path[len(IO_PREFIX):].partition("/")
            return (bucket, unquote(key), request) if bucket and key else None
        hostname = (parts.hostname or "").lower()
        suffix = "." + self.domain_suffix
        if hostname.endswith(suffix) and port in self._own_ports():
            return hostname[: -len(suffix)], unquote(parts.path.lstrip("/")), request
        return None

    def _own_ports(self) -> set[int | None]:
        ports: set[int | None] = set()
        for host in self.own_hosts:
            _, _, port = host.rpartition(":")
            if port.isdigit():
                ports.add(int(port))
        return ports

    def _copy_object(self, url: str, bucket: str, key: str, request: RawRequest | None,
                     dest_dir: Path, access: Access) -> tuple[Path, str]:
        if self.downloads is None:
            raise OpFailed(f"failed to GET {url}: no buckets outside a running emulator")
        try:
            info = self.downloads.readable(bucket, key, request, access)
        except QiniuError as exc:
            raise OpFailed(f"failed to GET {url}: {exc.status} {exc.message}") from exc
        dest = dest_dir / f"fetched-{uuid.uuid4().hex}"
        shutil.copyfile(info.path, dest)
        return dest, info.mime

    def _from_directory(self, url: str, prefix: str, directory: Path) -> Path:
        relative = unquote(urlsplit(url[len(prefix):]).path).lstrip("/")
        candidate = directory / relative
        if not relative or not is_inside(directory, candidate) or not candidate.is_file():
            raise OpFailed(f"failed to GET {url}: no file {relative!r} in the url map for {prefix}")
        return candidate

    def _download(self, url: str, dest_dir: Path) -> tuple[Path, str]:
        """GET with a deadline for the whole transfer, a size cap and at most a few redirects."""
        deadline = time.monotonic() + self.outbound.timeout
        dest = dest_dir / f"fetched-{uuid.uuid4().hex}"
        first = url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                scheme = urlsplit(url).scheme.lower()
            except ValueError as exc:
                raise OpFailed(f"failed to GET {first}: unreadable URL: {exc}") from exc
            if scheme not in ("http", "https"):
                raise OpFailed(f"failed to GET {first}: only http(s) and kodo:// URLs can be fetched")
            try:
                normal = normal_url(url)  # the policy decides on, and the GET sends, one spelling
            except BadUrl as exc:
                raise OpFailed(f"failed to GET {first}: {exc}") from exc
            url = str(normal)
            if not self.policy.allows_url(normal):
                raise OpFailed(f"failed to GET {first}: not allowed by the fetch policy (--fetch {self.policy})",
                               url_map_hint(first, refused=True))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OpFailed(f"failed to GET {first}: not finished within {self.outbound.timeout:g} s")
            try:
                with dest.open("wb") as sink:
                    answer = self.outbound.request("GET", url, sink=sink, timeout=remaining,
                                                   allow_address=self.policy.allows_address)
            except OutboundError as exc:
                dest.unlink(missing_ok=True)
                log.debug("fetch of %s failed: %s", url, exc)
                reason = "not allowed by the fetch policy" if exc.refused else "could not be fetched"
                raise OpFailed(f"failed to GET {first}: {reason}", url_map_hint(first, exc.refused)) from exc
            if answer.status in REDIRECTS and "Location" in answer.headers:
                url = urljoin(url, answer.headers["Location"])
                continue
            if answer.status != 200:
                dest.unlink(missing_ok=True)
                raise OpFailed(f"failed to GET {first}: HTTP {answer.status}")
            return dest, answer.headers.get("Content-Type", "").split(";")[0].strip()
        raise OpFailed(f"failed to GET {first}: more than {MAX_REDIRECTS} redirects")


def url_map_hint(url: str, refused: bool) -> str:
    """How to serve ``url`` without the network: the usual fix for a fetch that failed."""
    parts = urlsplit(url)
    prefix = f"{parts.scheme}://{parts.netloc}/"
    why = "the fetch policy refuses it (--fetch)" if refused else "the emulator could not reach it (offline?)"
    return (f"{url}: {why}; serve it from a folder with --url-map {prefix}=DIR "
            f"(the file DIR{parts.path or '/'}), or upload it and name it kodo://<bucket>/<key>")


@dataclass(frozen=True)
class BoundFetch:
    """A fetcher bound to one run's :class:`Access`, callable as ``fetch(url, dest_dir)``."""

    fetcher: UrlFetcher
    access: Access

    def __call__(self, url: str, dest_dir: Path) -> Path:
        return self.fetcher.fetch(url, dest_dir, self.access)
