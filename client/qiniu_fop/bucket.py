"""Object management (rs), listing (rsf) and bucket queries (uc), signed with Qiniu (v2)."""

from __future__ import annotations

import base64
import binascii
import builtins

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from .auth import FORM_CONTENT_TYPE, Auth, QiniuRequestsAuth
from .config import Config, defaults
from .http import ResponseInfo, decode_ok_body, request_json
from .ops import entry, urlsafe_b64encode
from .regions import request_on

MAX_BATCH_OPS = 1000
#: A batch where only some operations failed answers 298.
BATCH_PARTIAL_STATUS = 298


class BucketManager:
    """Stat, copy, move, delete and list objects; list buckets and their domains.

    Every call returns ``(ret, info)`` (``list`` adds ``eof``); ``ret`` is None unless
    the service answered 200 (``{}`` for the empty-bodied mutations).
    """

    def __init__(self, auth: Auth, *, config: Config | None = None) -> None:
        if not isinstance(auth, Auth):
            raise ValueError(f"auth must be a qiniu_fop.Auth, got {type(auth).__name__}")
        self.auth = auth
        self._config = config

    @property
    def config(self) -> Config:
        """The explicit config given at construction, else the process-wide defaults."""
        return self._config or defaults()

    def stat(self, bucket: str, key: str) -> tuple[dict | None, ResponseInfo]:
        """Size, hash, mime type, putTime and type of an object (612 when missing)."""
        return self._rs(bucket, f"/stat/{entry(bucket, key)}")

    def delete(self, bucket: str, key: str) -> tuple[dict | None, ResponseInfo]:
        """Delete one object."""
        return self._rs(bucket, f"/delete/{entry(bucket, key)}")

    def copy(self, bucket: str, key: str, bucket_to: str, key_to: str,
             force: bool = False) -> tuple[dict | None, ResponseInfo]:
        """Copy an object; without ``force`` an existing target is an error (614)."""
        return self._rs(bucket, _copy_op("copy", bucket, key, bucket_to, key_to, force))

    def move(self, bucket: str, key: str, bucket_to: str, key_to: str,
             force: bool = False) -> tuple[dict | None, ResponseInfo]:
        """Move (rename) an object; without ``force`` an existing target is an error (614)."""
        return self._rs(bucket, _copy_op("move", bucket, key, bucket_to, key_to, force))

    def change_mime(self, bucket: str, key: str, mime: str) -> tuple[dict | None, ResponseInfo]:
        """Set an object's stored MIME type."""
        return self._rs(bucket, _chgm_op(bucket, key, mime))

    def batch(self, ops: Sequence[str]) -> tuple[builtins.list[Any] | None, ResponseInfo]:
        """Run up to 1000 operations built with the ``build_batch_*`` helpers.

        ``ret`` is the per-operation result list; it is also returned for a partial
        success (HTTP 298), where each element's ``code`` tells which failed.
        """
        if isinstance(ops, str) or not ops or len(ops) > MAX_BATCH_OPS:
            raise ValueError(f"ops must be a list of 1 to {MAX_BATCH_OPS} operation strings")
        # The region of the first operation's bucket serves the batch, as in the official SDKs.
        info = request_on(self.config, self.auth.access_key, _op_bucket(ops[0]), "rs", "POST", "/batch",
                          data=urlencode([("op", op) for op in ops]), **self._signed())
        return decode_ok_body(info, frozenset({200, BATCH_PARTIAL_STATUS})), info

    def list(self, bucket: str, prefix: str | None = None, marker: str | None = None,
             limit: int | None = None, delimiter: str | None = None
             ) -> tuple[dict | None, bool, ResponseInfo]:
        """One page of objects: ``(ret, eof, info)``; pass ``ret['marker']`` for the next.

        ``eof`` is True once the service returns no marker.
        """
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or not 1 <= limit <= 1000):
            raise ValueError(f"limit must be an integer from 1 to 1000, got {limit!r}")
        query = {"bucket": bucket, "prefix": prefix, "marker": marker, "limit": limit,
                 "delimiter": delimiter}
        path = "/list?" + urlencode([(name, value) for name, value in query.items() if value is not None])
        info = request_on(self.config, self.auth.access_key, bucket, "rsf", "GET", path, **self._signed())
        ret = decode_ok_body(info)
        eof = isinstance(ret, dict) and not ret.get("marker")
        return ret, eof, info

    # Buckets (uc), under the official Python SDK's names and arguments (docs/wire.md §9.6).
    def buckets(self) -> tuple[builtins.list[Any] | None, ResponseInfo]:
        """Names of every bucket of the account."""
        return self._uc("/buckets")

    def list_bucket(self, region: str) -> tuple[builtins.list[Any] | None, ResponseInfo]:
        """The account's buckets in ``region`` (``z0``...), each a dict with its ``tbl`` name."""
        return self._uc("/v3/buckets?" + urlencode({"region": region}))

    def mkbucketv3(self, bucket_name: str, region: str) -> tuple[dict | None, ResponseInfo]:
        """Create a bucket in ``region`` (614 when the name is taken)."""
        return self._uc(f"/mkbucketv3/{_segment(bucket_name)}/region/{_segment(region)}")

    def drop_bucket(self, bucket_name: str) -> tuple[dict | None, ResponseInfo]:
        """Delete an empty bucket (the Python SDK has no such call; the Go SDK's ``DropBucket``
        sends this request)."""
        return self._uc(f"/drop/{_segment(bucket_name)}")

    def bucket_info(self, bucket_name: str) -> tuple[dict | None, ResponseInfo]:
        """A bucket's settings: ``region``, ``private``, its domains..."""
        return self._uc("/v2/bucketInfo?" + urlencode({"bucket": bucket_name}))

    def change_bucket_permission(self, bucket_name: str, private: int | str) -> tuple[dict | None, ResponseInfo]:
        """Make a bucket private (``1``) or public (``0``)."""
        return self._uc("/private?" + urlencode({"bucket": bucket_name, "private": private}))

    def list_domains(self, bucket: str) -> tuple[builtins.list[Any] | None, ResponseInfo]:
        """Download domains bound to a bucket."""
        return self._uc("/v2/domains?" + urlencode({"tbl": bucket}))

    bucket_domain = list_domains  # the SDK's other name for it
    domains = list_domains

    def _uc(self, path: str) -> tuple[Any | None, ResponseInfo]:
        return request_json(self.config, "POST", f"{self.config.uc_host}{path}", **self._signed())

    def _rs(self, bucket: str, path: str) -> tuple[dict | None, ResponseInfo]:
        info = request_on(self.config, self.auth.access_key, bucket, "rs", "POST", path, **self._signed())
        return decode_ok_body(info), info

    def _signed(self) -> dict[str, Any]:
        return {"auth": QiniuRequestsAuth(self.auth),
                "headers": {"Content-Type": FORM_CONTENT_TYPE}}


def build_batch_stat(bucket: str, keys: Iterable[str]) -> list[str]:
    """Batch operations that stat each key."""
    return [f"/stat/{entry(bucket, key)}" for key in _keys(keys)]


def build_batch_delete(bucket: str, keys: Iterable[str]) -> list[str]:
    """Batch operations that delete each key."""
    return [f"/delete/{entry(bucket, key)}" for key in _keys(keys)]


def build_batch_copy(source_bucket: str, key_pairs: Mapping[str, str], target_bucket: str,
                     force: bool = False) -> list[str]:
    """Batch copies ``{source_key: target_key}`` from one bucket to another."""
    return [_copy_op("copy", source_bucket, src, target_bucket, dst, force)
            for src, dst in key_pairs.items()]


def build_batch_move(source_bucket: str, key_pairs: Mapping[str, str], target_bucket: str,
                     force: bool = False) -> list[str]:
    """Batch moves ``{source_key: target_key}`` from one bucket to another."""
    return [_copy_op("move", source_bucket, src, target_bucket, dst, force)
            for src, dst in key_pairs.items()]


def build_batch_rename(bucket: str, key_pairs: Mapping[str, str], force: bool = False) -> list[str]:
    """Batch renames ``{old_key: new_key}`` inside one bucket."""
    return build_batch_move(bucket, key_pairs, bucket, force)


def build_batch_change_mime(bucket: str, key_mimes: Mapping[str, str]) -> list[str]:
    """Batch MIME changes ``{key: mime}``."""
    return [_chgm_op(bucket, key, mime) for key, mime in key_mimes.items()]


def _copy_op(name: str, bucket: str, key: str, bucket_to: str, key_to: str, force: bool) -> str:
    flag = "true" if force else "false"
    return f"/{name}/{entry(bucket, key)}/{entry(bucket_to, key_to)}/force/{flag}"


def _segment(name: str) -> str:
    """A bucket or region name as one path segment: nothing in it can reach another path."""
    return quote(name, safe="")


def _chgm_op(bucket: str, key: str, mime: str) -> str:
    if not isinstance(mime, str) or "/" not in mime:
        raise ValueError(f"mime must be a MIME type such as image/png, got {mime!r}")
    return f"/chgm/{entry(bucket, key)}/mime/{urlsafe_b64encode(mime)}"


def _op_bucket(op: str) -> str:
    """The bucket of a batch operation's first entry (``/stat/<EncodedEntryURI>...``); "" when
    it names none (the service then says what is wrong with it)."""
    segments = op.split("/") if isinstance(op, str) else []
    encoded = segments[2] if len(segments) > 2 else ""
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8").split(":", 1)[0]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


def _keys(keys: Iterable[str]) -> list[str]:
    if isinstance(keys, str):
        raise ValueError("keys must be a list of keys, not a single string")
    return list(keys)
