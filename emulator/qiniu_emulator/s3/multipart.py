"""S3 multipart uploads over the storage layer's multipart sessions.

Parts are stored by the same session store as Kodo's resumable upload v2; S3's part ETag is
the part's MD5, and the object's ETag is the MD5 of the parts' MD5s followed by ``-N``
(docs/s3.md §6). Every part but the last must be at least 5 MiB.
"""

from __future__ import annotations

import hashlib
from typing import IO, cast

from ..errors import NoSuchUpload
from ..storage import Storage
from ..storage.records import MultipartUpload
from .attributes import Attributes, ObjectHeaders, S3View
from ..s3_errors import S3Error
from .service import check_key, s3_errors
from .wire import PartEntry, UploadEntry

MIN_PART_BYTES = 5 * 1024 * 1024
MAX_LIST_PARTS = 1000


class _Slice:
    """``length`` bytes of an open file from its current position."""

    def __init__(self, stream: IO[bytes], length: int) -> None:
        self._stream, self._left = stream, length

    def read(self, size: int = -1) -> bytes:
        want = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(want) if want else b""
        self._left -= len(data)
        return data


class S3Multipart:
    def __init__(self, storage: Storage, attributes: Attributes) -> None:
        self._storage = storage
        self._attributes = attributes

    def create(self, bucket: str, key: str, given: ObjectHeaders) -> str:
        with s3_errors(bucket, key):
            check_key(key)
            upload = self._storage.init_multipart(bucket, key)
        self._attributes.open_upload(upload.upload_id, given)
        return upload.upload_id

    def _session(self, bucket: str, key: str, upload_id: str) -> MultipartUpload:
        with s3_errors(bucket, key):
            self._storage.get_bucket(bucket)
        try:
            upload = self._storage.get_multipart(bucket, upload_id)
        except NoSuchUpload:
            raise S3Error.no_such_upload(upload_id) from None
        if upload.key != key:
            raise S3Error.no_such_upload(upload_id)
        return upload

    def upload_part(self, bucket: str, key: str, upload_id: str, number: int, body: IO[bytes]) -> str:
        self._session(bucket, key, upload_id)
        if not 1 <= number <= 10000:
            raise S3Error.invalid_argument("Part number must be an integer between 1 and 10000, inclusive",
                                           "partNumber", str(number))
        with s3_errors(bucket, key):
            return self._storage.put_part(bucket, upload_id, number, body, None, None).md5

    def upload_part_copy(self, bucket: str, key: str, upload_id: str, number: int, source: S3View,
                         span: tuple[int, int] | None) -> str:
        """Copy ``span`` (first, last byte; None: all) of ``source`` in as part ``number``."""
        self._session(bucket, key, upload_id)
        first, last = span if span is not None else (0, source.info.fsize - 1)
        try:
            stream = source.info.path.open("rb")
        except FileNotFoundError:
            raise S3Error.no_such_key(source.info.key) from None
        with stream, s3_errors(bucket, key):
            stream.seek(first)
            piece = cast(IO[bytes], _Slice(stream, last - first + 1))
            return self._storage.put_part(bucket, upload_id, number, piece,
                                          None, None).md5

    def complete(self, bucket: str, key: str, upload_id: str, listed: list[tuple[int, str]]) -> S3View:
        self._session(bucket, key, upload_id)
        stored = {p.part_number: p for p in self._all_parts(bucket, upload_id)}
        previous = 0
        for index, (number, etag) in enumerate(listed):
            if number <= previous:
                raise S3Error.invalid_part_order()
            previous = number
            part = stored.get(number)
            if part is None or part.md5 != etag.lower():
                raise S3Error.invalid_part(number, etag)
            if index < len(listed) - 1 and part.size < MIN_PART_BYTES:
                raise S3Error.entity_too_small(number, part.size, MIN_PART_BYTES)
        chosen = [stored[number] for number, _ in listed]
        given = self._attributes.upload_headers(upload_id)
        with s3_errors(bucket, key):
            with self._storage.complete_multipart(bucket, upload_id, [(p.part_number, p.etag) for p in chosen]) \
                    as temp:
                info = self._storage.commit(bucket, key, temp, mime=given.mime, meta=given.meta)
            self._storage.finish_multipart(bucket, upload_id)
        self._attributes.close_upload(upload_id)
        digest = hashlib.md5(b"".join(bytes.fromhex(p.md5) for p in chosen)).hexdigest()
        return self._attributes.remember(info, given.headers, f"{digest}-{len(chosen)}")

    def abort(self, bucket: str, key: str, upload_id: str) -> None:
        self._session(bucket, key, upload_id)
        with s3_errors(bucket, key):
            self._storage.abort_multipart(bucket, upload_id)
        self._attributes.close_upload(upload_id)

    def list_parts(self, bucket: str, key: str, upload_id: str, marker: int,
                   max_parts: int) -> tuple[list[PartEntry], bool]:
        self._session(bucket, key, upload_id)
        max_parts = max(1, min(max_parts, MAX_LIST_PARTS))
        with s3_errors(bucket, key):
            # One more than asked says whether the listing is truncated (the store lists 1000 at most).
            parts = self._storage.list_parts(bucket, upload_id, min(max_parts + 1, MAX_LIST_PARTS), marker)
            if len(parts) == max_parts == MAX_LIST_PARTS:
                parts += self._storage.list_parts(bucket, upload_id, 1, parts[-1].part_number)
        truncated = len(parts) > max_parts
        return [PartEntry(p.part_number, float(p.put_time), p.md5, p.size) for p in parts[:max_parts]], truncated

    def list_uploads(self, bucket: str, prefix: str) -> list[UploadEntry]:
        with s3_errors(bucket):
            uploads = self._storage.list_multipart(bucket)
        return [UploadEntry(u.key or "", u.upload_id, float(u.created)) for u in uploads
                if (u.key or "").startswith(prefix)]

    def _all_parts(self, bucket: str, upload_id: str) -> list:
        parts, marker = [], 0
        while True:
            page = self._storage.list_parts(bucket, upload_id, MAX_LIST_PARTS, marker)
            parts += page
            if len(page) < MAX_LIST_PARTS:
                return parts
            marker = page[-1].part_number
