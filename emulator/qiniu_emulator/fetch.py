"""Resolve the URLs that ops name (watermark images, avconcat pieces) to local files.

Order: ``kodo://bucket/key`` and the emulator's own download URLs read straight from
the local buckets (an own URL only as a download of it would be allowed: a private
bucket's URL needs its token); then ``--url-map PREFIX=DIR`` fixtures (so documentation
URLs work offline); then a real HTTP fetch with a deadline for the whole transfer, a size
cap and at most a few redirects. Every failure is an :class:`OpFailed` with the URL in
the message, never a hang.
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urljoin, urlsplit

from .errors import NoSuchBucket, NoSuchKey, QiniuError
from .fops.context import OpFailed
from .outbound import Outbound, OutboundError
from .storage import Storage
from .storage.paths import is_inside

IO_PREFIX = "/_io/"
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class UrlFetcher:
    """Callable as ``fetcher(url, dest_dir) -> Path``: the :class:`~.fops.context.FetchUrl` of a run."""

    storage: Storage | None
    url_map: list[tuple[str, Path]] = field(default_factory=list)
    own_hosts: set[str] = field(default_factory=set)
    domain_suffix: str = "localhost"
    outbound: Outbound = field(default_factory=Outbound)
    # (url, bucket, key) -> None, raising QiniuError when a download of the URL would be refused
    authorize: Callable[[str, str, str], None] | None = None

    def __call__(self, url: str, dest_dir: Path) -> Path:
        local = self.local_object(url)
        if local is not None:
            if self.authorize is not None and not url.startswith("kodo://"):
                try:
                    self.authorize(url, *local)
                except QiniuError as exc:
                    raise OpFailed(f"failed to GET {url}: {exc.status} {exc.message}") from exc
            return self._copy_object(url, *local, dest_dir)
        for prefix, directory in self.url_map:
            if url.startswith(prefix):
                return self._from_directory(url, prefix, directory)
        return self._download(url, dest_dir)

    def local_object(self, url: str) -> tuple[str, str] | None:
        """``(bucket, key)`` when the URL names an object of this emulator."""
        parts = urlsplit(url)
        if parts.scheme == "kodo":
            key = unquote(parts.path.lstrip("/"))
            return (parts.netloc, key) if parts.netloc and key else None
        if parts.scheme not in ("http", "https"):
            return None
        host = parts.netloc.lower()
        if host in self.own_hosts and parts.path.startswith(IO_PREFIX):
            bucket, _, key = parts.path[len(IO_PREFIX):].partition("/")
            return (bucket, unquote(key)) if bucket and key else None
        hostname = (parts.hostname or "").lower()
        suffix = "." + self.domain_suffix
        if hostname.endswith(suffix) and parts.port in self._own_ports():
            return hostname[: -len(suffix)], unquote(parts.path.lstrip("/"))
        return None

    def _own_ports(self) -> set[int | None]:
        ports: set[int | None] = set()
        for host in self.own_hosts:
            _, _, port = host.rpartition(":")
            if port.isdigit():
                ports.add(int(port))
        return ports

    def _copy_object(self, url: str, bucket: str, key: str, dest_dir: Path) -> Path:
        if self.storage is None:
            raise OpFailed(f"failed to GET {url}: no buckets outside a running emulator")
        try:
            info = self.storage.stat(bucket, key)
        except (NoSuchKey, NoSuchBucket) as exc:
            raise OpFailed(f"failed to GET {url}: {exc.message}") from exc
        dest = dest_dir / f"fetched-{uuid.uuid4().hex}"
        shutil.copyfile(info.path, dest)
        return dest

    def _from_directory(self, url: str, prefix: str, directory: Path) -> Path:
        relative = unquote(urlsplit(url[len(prefix):]).path).lstrip("/")
        candidate = directory / relative
        if not relative or not is_inside(directory, candidate) or not candidate.is_file():
            raise OpFailed(f"failed to GET {url}: no file {relative!r} in the url map for {prefix}")
        return candidate

    def _download(self, url: str, dest_dir: Path) -> Path:
        """GET with a deadline for the whole transfer, a size cap and at most a few redirects."""
        deadline = time.monotonic() + self.outbound.timeout
        dest = dest_dir / f"fetched-{uuid.uuid4().hex}"
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise OpFailed(f"failed to GET {url}: only http(s) and kodo:// URLs can be fetched")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise OpFailed(f"failed to GET {url}: not finished within {self.outbound.timeout:g} s")
            try:
                with dest.open("wb") as sink:
                    answer = self.outbound.request("GET", url, sink=sink, timeout=remaining)
            except OutboundError as exc:
                dest.unlink(missing_ok=True)
                raise OpFailed(f"failed to GET {url}: {exc}") from exc
            if answer.status in REDIRECTS and "Location" in answer.headers:
                url = urljoin(url, answer.headers["Location"])
                continue
            if answer.status != 200:
                dest.unlink(missing_ok=True)
                raise OpFailed(f"failed to GET {url}: HTTP {answer.status}")
            return dest
        raise OpFailed(f"failed to GET {url}: more than {MAX_REDIRECTS} redirects")
