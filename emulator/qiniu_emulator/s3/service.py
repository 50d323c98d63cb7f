"""The S3 operations on buckets and objects, over the same :class:`Storage` as the native door.

An object stored here is an ordinary Kodo object (its qetag computed by the storage layer,
its ``x-amz-meta-*`` its ``x-qn-meta-*``); what only S3 knows lives in :class:`Attributes`.
Native errors become S3's through ``errors.translate`` at this boundary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..config import ACCOUNT_UID
from ..cors import CorsRule, CorsRules
from ..errors import QiniuError
from ..storage import Storage
from ..storage.listing import decode_marker, encode_marker
from ..storage.names import check_bucket_name, key_bytes
from ..storage.records import ObjectInfo
from .attributes import Attributes, ObjectHeaders, S3View
from ..s3_errors import S3Error, translate
from .tagging import BucketTags, Tags, check_tags
from .wire import Entry, Listing

MAX_KEYS = 1000
# An S3 object may be at most 5 TiB; a single PUT at most 5 GiB (docs/s3.md §6).
MAX_PUT_BYTES = 5 * 1024 ** 3


@contextmanager
def s3_errors(bucket: str = "", key: str = "") -> Iterator[None]:
    """Native storage errors raised inside, as the S3 errors they stand for."""
    try:
        yield
    except S3Error:
        raise
    except QiniuError as exc:
        raise translate(exc, bucket, key) from exc


@dataclass(frozen=True)
class ListQuery:
    prefix: str = ""
    delimiter: str = ""
    after: str = ""  # continue after this key (Marker, StartAfter, a continuation token's key)
    max_keys: int = MAX_KEYS


class S3Service:
    """Buckets and objects as S3 sees them. Thread-safe (the storage layer is)."""

    owner_id = ACCOUNT_UID

    def __init__(self, storage: Storage, cors_rules: CorsRules) -> None:
        self.storage = storage
        self.cors_rules = cors_rules  # the native door's rules: one bucket setting (docs/s3.md §8)
        self.attributes = Attributes(storage.database)
        self.tags = BucketTags(storage.database)

    # buckets -------------------------------------------------------------------
    def list_buckets(self) -> list[tuple[str, float]]:
        return [(b.name, float(b.created)) for b in self.storage.list_buckets()]

    def create_bucket(self, name: str, region: str) -> None:
        try:
            check_bucket_name(name)
        except QiniuError:
            raise S3Error.invalid_bucket_name(name) from None
        with s3_errors(name):
            self.storage.create_bucket(name, region=region or "z0")

    def bucket_region(self, name: str) -> str:
        with s3_errors(name):
            return self.storage.get_bucket(name).region

    def delete_bucket(self, name: str) -> None:
        with s3_errors(name):
            self.storage.get_bucket(name)
            if self.storage.list_objects(name, limit=1).items:
                raise S3Error.bucket_not_empty(name)
            self.storage.drop_bucket(name)
        self.attributes.forget_bucket(name)
        self.cors_rules.forget(name)
        self.tags.set(name, 0, [])

    # objects -------------------------------------------------------------------
    def put_object(self, bucket: str, key: str, body: IO[bytes], given: ObjectHeaders) -> S3View:
        """Stream ``body`` into a temp file and commit it (nothing is stored if the body breaks a promise)."""
        with s3_errors(bucket, key):
            check_key(key)
            self.storage.get_bucket(bucket)
            with self.storage.temp_file() as temp:
                temp.write_stream(body, MAX_PUT_BYTES)
                temp.close()
                info = self.storage.commit(bucket, key, temp, mime=given.mime, meta=given.meta)
        return self.attributes.remember(info, given.headers)

    def head(self, bucket: str, key: str) -> S3View:
        with s3_errors(bucket, key):
            check_key(key)
            return self.attributes.view(self.storage.stat(bucket, key))

    def delete_object(self, bucket: str, key: str) -> None:
        """S3 deletes are idempotent: a missing key is a success."""
        with s3_errors(bucket, key):
            check_key(key)
            self.storage.get_bucket(bucket)
            try:
                self.storage.delete(bucket, key)
            except QiniuError as exc:
                if exc.status != 612:
                    raise
        self.attributes.forget(bucket, key)

    def delete_objects(self, bucket: str, keys: list[str]) -> tuple[list[str], list[tuple[str, S3Error]]]:
        with s3_errors(bucket):
            self.storage.get_bucket(bucket)
        deleted, failed = [], []
        for key in keys:
            try:
                self.delete_object(bucket, key)
                deleted.append(key)
            except S3Error as exc:
                failed.append((key, exc))
        return deleted, failed

    def copy_object(self, source: tuple[str, str], bucket: str, key: str, given: ObjectHeaders | None) -> S3View:
        """Copy ``source``; ``given`` replaces the metadata (REPLACE), None keeps it (COPY)."""
        src_bucket, src_key = source
        original = self.head(src_bucket, src_key)
        if given is None and (src_bucket, src_key) == (bucket, key):
            raise S3Error.invalid_request("This copy request is illegal because it is trying to copy an object to "
                                          "itself without changing the object's metadata.")
        with s3_errors(bucket, key):
            check_key(key)
            self.storage.get_bucket(bucket)
            with self.storage.temp_file() as temp, _opened(original.info.path, src_key) as stream:
                temp.write_stream(stream)
                temp.close()
                chosen = given or ObjectHeaders(original.info.mime, original.info.meta, original.headers)
                info = self.storage.commit(bucket, key, temp, mime=chosen.mime, meta=chosen.meta)
        return self.attributes.remember(info, chosen.headers, original.etag if "-" in original.etag else "")

    # listing ---------------------------------------------------------------------
    def list_objects(self, bucket: str, query: ListQuery) -> tuple[Listing, str]:
        """One page and the opaque marker of the next ("" when nothing remains)."""
        with s3_errors(bucket):
            if query.max_keys <= 0:
                self.storage.get_bucket(bucket)
                return Listing(bucket, query.prefix, query.delimiter, 0, [], [], False, ""), ""
            try:
                key_bytes(query.prefix)
            except QiniuError as exc:
                raise S3Error.invalid_argument(exc.message, "prefix", query.prefix[:80]) from None
            page = self.storage.list_objects(bucket, query.prefix, encode_marker(query.after) if query.after else "",
                                             min(query.max_keys, MAX_KEYS), query.delimiter)
        entries = [self._entry(info) for info in page.items]
        next_key = decode_marker(page.marker) if page.marker else ""
        listing = Listing(bucket, query.prefix, query.delimiter, query.max_keys, entries, page.common_prefixes,
                          bool(page.marker), next_key)
        return listing, page.marker

    def _entry(self, info: ObjectInfo) -> Entry:
        return Entry(info.key, info.put_time / 1e7, self.attributes.view(info).etag, info.fsize)

    # CORS ------------------------------------------------------------------------
    def cors(self, bucket: str) -> list[CorsRule]:
        with s3_errors(bucket):
            self.storage.get_bucket(bucket)
            rules = self.cors_rules.get(bucket)
        if not rules:
            raise S3Error.no_such_cors(bucket)
        return rules

    def set_cors(self, bucket: str, rules: list[CorsRule]) -> None:
        """Replace the bucket's rules; an empty list removes them."""
        with s3_errors(bucket):
            self.storage.get_bucket(bucket)
            if rules:
                self.cors_rules.set(bucket, rules)
            else:
                self.cors_rules.forget(bucket)

    # tagging ---------------------------------------------------------------------
    def bucket_tags(self, bucket: str) -> Tags:
        with s3_errors(bucket):
            created = self.storage.get_bucket(bucket).created
        tags = self.tags.get(bucket, created)
        if not tags:
            raise S3Error.no_such_tag_set(bucket)
        return tags

    def set_bucket_tags(self, bucket: str, tags: Tags) -> None:
        """Replace the bucket's tags; an empty list removes them."""
        check_tags(tags)
        with s3_errors(bucket):
            created = self.storage.get_bucket(bucket).created
        self.tags.set(bucket, created, tags)


def check_key(key: str) -> None:
    if not key:
        raise S3Error.invalid_argument("An object key must not be empty", "key", "")
    try:
        key_bytes(key)
    except QiniuError as exc:
        raise S3Error.bad_key(exc.message) from None


@contextmanager
def _opened(path: Path, key: str) -> Iterator[IO[bytes]]:
    try:
        stream = path.open("rb")
    except FileNotFoundError:  # deleted while we were about to copy it
        raise S3Error.no_such_key(key) from None
    with stream:
        yield stream
