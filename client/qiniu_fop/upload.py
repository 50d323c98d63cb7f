"""Uploads: form upload for small content, resumable v2 multipart for large files.

Both send the upload token; both check the hash the service reports against the
locally computed qetag when the answer is the plain ``{"hash", "key"}`` shape.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import zlib
from collections.abc import Mapping
from typing import IO, Any
from urllib.parse import quote

from .auth import UpTokenRequestsAuth
from .config import Config, defaults
from .etag import multipart_etag, qetag
from .http import ResponseInfo, decode_ok_body, request, request_json
from .ops import urlsafe_b64encode
from .regions import request_on, service_hosts

MIB = 1024 * 1024
DEFAULT_PART_SIZE = 4 * MIB
MIN_PART_SIZE, MAX_PART_SIZE = 1 * MIB, 1024 * MIB
OCTET_STREAM = "application/octet-stream"
_META_PREFIX = "x-qn-meta-"


def put_data(up_token: str, key: str | None, data: bytes | str | IO[bytes],
             params: Mapping[str, str] | None = None, mime_type: str = OCTET_STREAM,
             metadata: Mapping[str, str] | None = None, fname: str | None = None,
             *, config: Config | None = None) -> tuple[dict | None, ResponseInfo]:
    """Form-upload in-memory content (text is sent as UTF-8) or a binary stream.

    ``key`` None lets the policy decide (saveKey, else the content hash).
    ``params`` are custom variables named ``x:<name>``; ``metadata`` becomes
    ``x-qn-meta-<name>`` object metadata.
    """
    config = config or defaults()
    policy = decode_upload_token(up_token)
    content = _content_bytes(data)
    fields: list[tuple[str, Any]] = [("token", (None, up_token))]
    if _checked_key(key) is not None:
        fields.append(("key", (None, key)))
    fields += [(name, (None, value)) for name, value in _custom_vars(params).items()]
    fields += [(name, (None, value)) for name, value in _metadata(metadata).items()]
    fields.append(("crc32", (None, str(zlib.crc32(content)))))
    fields.append(("file", (fname or key or "file", content, mime_type or OCTET_STREAM)))
    info = request_on(config, up_token.split(":", 1)[0], _scope_bucket(policy), "up", "POST", "/", files=fields)
    return _checked_hash(policy, decode_ok_body(info), info, qetag(content))


def put_file(up_token: str, key: str | None, file_path: str | os.PathLike[str],
             params: Mapping[str, str] | None = None, mime_type: str = OCTET_STREAM,
             metadata: Mapping[str, str] | None = None, fname: str | None = None,
             resumable_threshold: int = 4 * MIB, part_size: int = DEFAULT_PART_SIZE,
             *, config: Config | None = None) -> tuple[dict | None, ResponseInfo]:
    """Upload a file: form upload up to ``resumable_threshold`` bytes, multipart above.

    ``fname`` defaults to the file's base name.
    """
    if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
        raise ValueError(f"part_size must be between 1 MiB and 1 GiB, got {part_size}")
    if not os.path.isfile(file_path):
        raise ValueError(f"no such file: {os.fspath(file_path)!r}")
    fname = fname or os.path.basename(file_path)
    if os.path.getsize(file_path) <= resumable_threshold:
        with open(file_path, "rb") as stream:
            return put_data(up_token, key, stream.read(), params, mime_type, metadata, fname,
                            config=config)
    upload = _MultipartUpload(config or defaults(), up_token, _checked_key(key))
    return upload.run(file_path, part_size, fname, mime_type or OCTET_STREAM,
                      _custom_vars(params), _metadata(metadata))


class _MultipartUpload:
    """One v2 multipart upload: init, parts with their MD5, complete (abort on failure)."""

    def __init__(self, config: Config, up_token: str, key: str | None) -> None:
        self.config = config
        self.policy = decode_upload_token(up_token)
        self.auth = UpTokenRequestsAuth(up_token)
        self.access_key, self.bucket = up_token.split(":", 1)[0], _scope_bucket(self.policy)
        encoded_key = "~" if key is None else urlsafe_b64encode(key)
        self.path = f"/buckets/{quote(self.bucket, safe='')}/objects/{encoded_key}/uploads"
        self.base = ""

    def run(self, path: str | os.PathLike[str], part_size: int, fname: str, mime_type: str,
            custom_vars: dict[str, str], metadata: dict[str, str]) -> tuple[dict | None, ResponseInfo]:
        """Upload the file's bytes and return the service's final answer."""
        hosts, failed = service_hosts(self.config, self.access_key, self.bucket, "up")
        if hosts is None:
            assert failed is not None
            return None, failed
        self.base = hosts[0] + self.path  # one upload's parts all go to one host
        ret, info = request_json(self.config, "POST", self.base, auth=self.auth)
        upload_id = ret.get("uploadId") if isinstance(ret, dict) else None
        if not isinstance(upload_id, str) or not upload_id:
            if ret is not None:
                info.error = f"init answered without an uploadId: {info.text_body!r}"
            return None, info
        parts, sizes, etags = [], [], []
        with open(path, "rb") as stream:
            for number, chunk in enumerate(iter(lambda: stream.read(part_size), b""), 1):
                etag, info = self._put_part(upload_id, number, chunk)
                if etag is None:
                    self._abort(upload_id)
                    return None, info
                parts.append({"etag": etag, "partNumber": number})
                sizes.append(len(chunk))
                etags.append(qetag(chunk))
        body: dict[str, Any] = {"parts": parts, "fname": fname, "mimeType": mime_type}
        if custom_vars:
            body["customVars"] = custom_vars
        if metadata:
            body["metadata"] = metadata
        ret, info = request_json(
            self.config, "POST", f"{self.base}/{upload_id}", data=json.dumps(body),
            headers={"Content-Type": "application/json"}, auth=self.auth)
        return _checked_hash(self.policy, ret, info, multipart_etag(sizes, etags))

    def _put_part(self, upload_id: str, number: int, chunk: bytes) -> tuple[str | None, ResponseInfo]:
        md5 = hashlib.md5(chunk).hexdigest()
        ret, info = request_json(
            self.config, "PUT", f"{self.base}/{upload_id}/{number}", data=chunk,
            headers={"Content-Type": OCTET_STREAM, "Content-MD5": md5}, auth=self.auth)
        if ret is None:
            return None, info
        etag = ret.get("etag") if isinstance(ret, dict) else None
        if not isinstance(etag, str) or ret.get("md5", md5) != md5:
            info.error = f"part {number}: the service's answer does not confirm it: {info.text_body!r}"
            return None, info
        return etag, info

    def _abort(self, upload_id: str) -> None:
        # Best effort: parts left behind expire on their own.
        request(self.config, "DELETE", f"{self.base}/{upload_id}", auth=self.auth)


def _scope_bucket(policy: Mapping[str, Any]) -> str:
    bucket = str(policy.get("scope", "")).split(":", 1)[0]
    if not bucket:
        raise ValueError("the upload token's policy has no scope (bucket)")
    return bucket


def decode_upload_token(up_token: str) -> dict[str, Any]:
    """The put policy inside an upload token; ``ValueError`` if it is not a token."""
    pieces = up_token.split(":") if isinstance(up_token, str) else []
    if len(pieces) != 3 or not all(pieces):
        raise ValueError("up_token must be an upload token (<AK>:<sign>:<policy>), "
                         "as made by Auth.upload_token")
    encoded = pieces[2]
    try:
        policy = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (binascii.Error, ValueError):
        raise ValueError("up_token's policy part is not base64 JSON") from None
    if not isinstance(policy, dict):
        raise ValueError("up_token's policy must be a JSON object")
    return policy


def _checked_hash(policy: Mapping[str, Any], ret: Any, info: ResponseInfo,
                  expected: str) -> tuple[dict | None, ResponseInfo]:
    # returnBody and callbacks reshape the answer, so only the default one is checked.
    if not isinstance(ret, dict) or "returnBody" in policy or "callbackUrl" in policy:
        return ret, info
    reported = ret.get("hash")
    if isinstance(reported, str) and reported != expected:
        info.error = f"uploaded content hash {reported} differs from the local qetag {expected}"
        return None, info
    return ret, info


def _content_bytes(data: bytes | str | IO[bytes]) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if hasattr(data, "read"):
        content = data.read()
        if isinstance(content, bytes):
            return content
    raise ValueError(f"data must be bytes, str or a binary stream, got {type(data).__name__}")


def _checked_key(key: str | None) -> str | None:
    if key is not None and not isinstance(key, str):
        raise ValueError(f"key must be a string or None, got {key!r}")
    return key


def _custom_vars(params: Mapping[str, str] | None) -> dict[str, str]:
    params = params or {}
    wrong = [name for name in params if not str(name).startswith("x:")]
    if wrong:
        raise ValueError(f"custom variable names must start with 'x:', got {wrong}")
    return {name: str(value) for name, value in params.items()}


def _metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    return {
        (name if name.startswith(_META_PREFIX) else _META_PREFIX + name): str(value)
        for name, value in (metadata or {}).items()
    }
