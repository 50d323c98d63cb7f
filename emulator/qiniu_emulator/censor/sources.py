"""What a censor request's ``data.uri`` names, read to a local file (docs/censor.md §2):
an object of this emulator (``qiniu://[<uid>@]<bucket>/<key>``, ``kodo://<bucket>/<key>``
or one of its download URLs), a ``data:`` URI with base64 bytes, or an http(s) URL read
under the fetch policy like any URL an op names."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote, urlsplit

from ..downloads import Access
from ..errors import NoSuchBucket, NoSuchKey, QiniuError
from ..fetch import UrlFetcher
from ..fops.context import OpFailed
from ..storage import Storage

QINIU_URI = re.compile(r"qiniu://(?:[^@/]*@)?([^/]+)/(.+)", re.DOTALL)
DATA_URI = re.compile(r"data:[^,;]*;base64,(.*)", re.DOTALL)
MAX_DATA_BYTES = 10 * 1024 * 1024  # Qiniu's image limit (docs/censor.md §2)


@dataclass(frozen=True)
class Source:
    """A censor request's input as a local file, and where it is stored (when it is)."""

    path: Path
    bucket: str | None = None
    key: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass
class SourceReader:
    storage: Storage
    fetcher: UrlFetcher

    def read(self, uri: object, scratch: Path, access: Access) -> Source:
        if not isinstance(uri, str) or not uri:
            raise QiniuError.bad_request("data.uri is required: an http(s), qiniu:// or data: URI")
        data = DATA_URI.fullmatch(uri)
        if data is not None:
            return Source(self._decode(data.group(1), scratch))
        named = QINIU_URI.fullmatch(uri)
        url = f"kodo://{named.group(1)}/{named.group(2)}" if named else uri
        local = self.fetcher.local_object(url)
        try:
            path = self.fetcher.fetch(url, scratch, access)
        except OpFailed as exc:
            raise QiniuError.bad_request(f"data.uri could not be read: {exc}").noted(exc.hint) from None
        if local is None:  # a foreign URL: its path stands in for the key (the key convention)
            return Source(path, key=unquote(urlsplit(uri).path.lstrip("/")) or None)
        bucket, key, _ = local
        return Source(path, bucket, key, self._meta(bucket, key))

    def _meta(self, bucket: str, key: str) -> Mapping[str, str]:
        try:
            return self.storage.stat(bucket, key).meta
        except (NoSuchKey, NoSuchBucket):
            return {}

    @staticmethod
    def _decode(text: str, scratch: Path) -> Path:
        if len(text) > MAX_DATA_BYTES * 4 // 3 + 4:
            raise QiniuError.bad_request(f"data.uri: more than {MAX_DATA_BYTES} bytes")
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise QiniuError.bad_request("data.uri: the data: URI is not valid base64") from None
        path = scratch / "data-uri"
        path.write_bytes(raw)
        return path
