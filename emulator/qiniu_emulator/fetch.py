"""Resolve the URLs that ops name (watermark images, avconcat pieces) to local files.

Order: ``kodo://bucket/key`` and the emulator's own download URLs read straight from
the local buckets; then ``--url-map PREFIX=DIR`` fixtures (so documentation URLs work
offline); then a real HTTP fetch with a deadline for the whole transfer, a size cap and
at most a few redirects. Every failure is an :class:`OpFailed` with the URL in the
message, never a hang.
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests

from .errors import NoSuchBucket, NoSuchKey
from .fops.context import OpFailed
from .storage import Storage
from .storage.paths import is_inside

IO_PREFIX = "/_io/"
MAX_REDIRECTS = 5


@dataclass
class UrlFetcher:
    """Callable as ``fetcher(url, dest_dir) -> Path``: the :class:`~.fops.context.FetchUrl` of a run."""

    storage: Storage | None
    url_map: list[tuple[str, Path]] = field(default_factory=list)
    own_hosts: set[str] = field(default_factory=set)
    domain_suffix: str = "localhost"
    timeout: float = 5.0
    max_bytes: int = 50 * 1024 * 1024

    def __call__(self, url: str, dest_dir: Path) -> Path:
        local = self.local_object(url)
        if local is not None:
            return self._copy_object(*local, dest_dir)
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

    def _copy_object(self, bucket: str, key: str, dest_dir: Path) -> Path:
        if self.storage is None:
            raise OpFailed(f"failed to GET kodo://{bucket}/{key}: no buckets outside a running emulator")
        try:
            info = self.storage.stat(bucket, key)
        except (NoSuchKey, NoSuchBucket) as exc:
            raise OpFailed(f"failed to GET kodo://{bucket}/{key}: {exc.message}") from exc
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
        deadline = time.monotonic() + self.timeout
        dest = dest_dir / f"fetched-{uuid.uuid4().hex}"
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise OpFailed(f"failed to GET {url}: only http(s) and kodo:// URLs can be fetched")
            try:
                with requests.get(url, stream=True, allow_redirects=False,
                                  timeout=max(deadline - time.monotonic(), 0.1)) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers["Location"])
                        continue
                    if response.status_code != 200:
                        raise OpFailed(f"failed to GET {url}: HTTP {response.status_code}")
                    self._save_capped(response, dest, url, deadline)
                    return dest
            except requests.RequestException as exc:
                raise OpFailed(f"failed to GET {url}: {type(exc).__name__}") from exc
        raise OpFailed(f"failed to GET {url}: more than {MAX_REDIRECTS} redirects")

    def _save_capped(self, response: requests.Response, dest: Path, url: str, deadline: float) -> None:
        size = 0
        with dest.open("wb") as out:
            for chunk in response.iter_content(1 << 16):
                size += len(chunk)
                if size > self.max_bytes:
                    raise OpFailed(f"failed to GET {url}: larger than {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise OpFailed(f"failed to GET {url}: not finished within {self.timeout:g} s")
                out.write(chunk)
