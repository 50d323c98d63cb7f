"""The upload token and the put policy it carries.

A put policy is the JSON object a client signs into its upload token
``<AK>:<sign>:<urlsafe_b64(policy JSON)>``. :class:`UploadToken` splits a token without
judging its signature (``auth/uptoken.py`` does that), and :class:`PutPolicy` type-checks
the policy once, so upload handlers work with typed fields and ask the policy the
questions the upload protocol needs answered: which key to store under, may it
overwrite, is the size or mime type acceptable.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .encoding import b64_decode
from .errors import QiniuError

MAX_SCOPE_KEY_BYTES = 750
MAX_KEYLIMIT = 20
# Each callback URL may take a whole callback deadline, so the fallbacks are bounded too.
MAX_CALLBACK_URLS = 3
TRAFFIC_LIMIT_RANGE = (819_200, 838_860_800)
ARCHIVE_FILE_TYPES = (2, 3)
# Fields the SDKs send that the emulator reads but does not act on (docs/wire.md §4.3):
# an upload speed limit and the deprecated synchronous transcode.
NOT_EMULATED_FIELDS = ("trafficLimit", "transform", "transformFallbackMode", "transformFallbackKey")


# ---------------------------------------------------------------------------
# Field readers: each returns the typed value or raises ValueError naming the field.


def _read_str(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {type(value).__name__}")
    return value


def _read_int(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    # JSON true/false arrive as bool, which Python counts as int; flags tolerate them.
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {type(value).__name__}")
    return value


def _read_bool(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name)
    if value is None:
        return False
    if not isinstance(value, (bool, int)):
        raise ValueError(f"{name} must be a boolean, got {type(value).__name__}")
    return bool(value)


def _read_str_list(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{name} must be a list of strings")
    return list(value)


def _read_deadline(data: Mapping[str, Any]) -> int:
    value = data.get("deadline")
    if value is None:
        raise ValueError("deadline is required")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"deadline must be an integer, got {type(value).__name__}")
    return value


def _read_scope(data: Mapping[str, Any]) -> tuple[str, str, str | None]:
    scope = _read_str(data, "scope")
    if not scope:
        raise ValueError("scope is required")
    bucket, sep, key = scope.partition(":")
    if not bucket:
        raise ValueError(f"scope {scope!r} has no bucket")
    if len(key.encode("utf-8")) > MAX_SCOPE_KEY_BYTES:
        raise ValueError(f"scope key is longer than {MAX_SCOPE_KEY_BYTES} bytes")
    return scope, bucket, (key if sep else None)


# ---------------------------------------------------------------------------


@dataclass
class PutPolicy:
    """A validated put policy. ``key`` is the scope's key part (None for ``<bucket>`` scope)."""

    scope: str
    deadline: int
    bucket: str
    key: str | None = None
    is_prefixal_scope: bool = False
    insert_only: bool = False
    end_user: str = ""
    return_url: str = ""
    return_body: str = ""
    callback_url: str = ""
    callback_host: str = ""
    callback_body: str = ""
    callback_body_type: str = ""
    callback_fetch_key: bool = False
    persistent_ops: str = ""
    persistent_notify_url: str = ""
    persistent_pipeline: str = ""
    persistent_type: int = 0
    persistent_workflow_template_id: str = ""
    save_key: str = ""
    force_save_key: bool = False
    fsize_min: int | None = None
    fsize_limit: int | None = None
    detect_mime: int = 0
    mime_limit: str = ""
    file_type: int = 0
    delete_after_days: int = 0
    keylimit: list[str] = field(default_factory=list)
    traffic_limit: int | None = None
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> "PutPolicy":
        """Build from the decoded policy JSON; ``ValueError`` names the offending field.

        Unknown fields are kept in ``raw`` and otherwise ignored, as Qiniu ignores them.
        """
        if not isinstance(data, dict):
            raise ValueError("put policy must be a JSON object")
        scope, bucket, key = _read_scope(data)
        policy = cls(
            scope=scope,
            deadline=_read_deadline(data),
            bucket=bucket,
            key=key,
            is_prefixal_scope=bool(_read_int(data, "isPrefixalScope")),
            insert_only=bool(_read_int(data, "insertOnly")),
            end_user=_read_str(data, "endUser"),
            return_url=_read_str(data, "returnUrl"),
            return_body=_read_str(data, "returnBody"),
            callback_url=_read_str(data, "callbackUrl"),
            callback_host=_read_str(data, "callbackHost"),
            callback_body=_read_str(data, "callbackBody"),
            callback_body_type=_read_str(data, "callbackBodyType"),
            callback_fetch_key=bool(_read_int(data, "callbackFetchKey")),
            persistent_ops=_read_str(data, "persistentOps"),
            persistent_notify_url=_read_str(data, "persistentNotifyUrl"),
            persistent_pipeline=_read_str(data, "persistentPipeline"),
            persistent_type=_read_int(data, "persistentType") or 0,
            persistent_workflow_template_id=_read_str(data, "persistentWorkflowTemplateID"),
            save_key=_read_str(data, "saveKey"),
            force_save_key=_read_bool(data, "forceSaveKey"),
            fsize_min=_read_int(data, "fsizeMin"),
            fsize_limit=_read_int(data, "fsizeLimit"),
            detect_mime=_read_int(data, "detectMime") or 0,
            mime_limit=_read_str(data, "mimeLimit"),
            file_type=_read_int(data, "fileType") or 0,
            delete_after_days=_read_int(data, "deleteAfterDays") or 0,
            keylimit=_read_str_list(data, "keylimit"),
            traffic_limit=_read_int(data, "trafficLimit"),
            raw=dict(data),
        )
        policy._check_consistency()
        return policy

    def _check_consistency(self) -> None:
        if self.callback_url and not self.callback_body:
            raise ValueError("callbackBody is required when callbackUrl is set")
        urls = [u for u in self.callback_url.split(";") if u.strip()]
        if len(urls) > MAX_CALLBACK_URLS:
            raise ValueError(f"callbackUrl lists {len(urls)} URLs; at most {MAX_CALLBACK_URLS} are tried")
        if len(self.keylimit) > MAX_KEYLIMIT:
            raise ValueError(f"keylimit allows at most {MAX_KEYLIMIT} keys")
        if self.persistent_type not in (0, 1):
            raise ValueError(f"persistentType must be 0 (normal) or 1 (idle-time), got {self.persistent_type}")
        if not 0 <= self.file_type <= 4:
            raise ValueError(f"fileType must be 0..4, got {self.file_type}")
        if self.persistent_ops and self.file_type in ARCHIVE_FILE_TYPES:
            raise ValueError("persistentOps cannot be used with an archive fileType")
        low, high = TRAFFIC_LIMIT_RANGE
        if self.traffic_limit is not None and not low <= self.traffic_limit <= high:
            raise ValueError(f"trafficLimit must be within {low}..{high} bit/s")
        for name, value in (("fsizeMin", self.fsize_min), ("fsizeLimit", self.fsize_limit)):
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")

    # -- questions an upload asks ------------------------------------------

    def not_emulated_fields(self) -> list[str]:
        return [name for name in NOT_EMULATED_FIELDS if name in self.raw]

    def resolve_key(
        self, client_key: str | None, render_save_key: Callable[[str], str]
    ) -> str | None:
        """Decide the object key for an upload, or None when the content hash is the key.

        ``client_key`` is the key the uploader sent (None when it sent none; ``""`` is a
        real key). ``render_save_key`` expands the ``saveKey`` template. Raises
        ``key doesn't match scope`` (403) when the result is not allowed by the policy.
        """
        if self.force_save_key and self.save_key:
            key: str | None = render_save_key(self.save_key)
        elif client_key is not None:
            key = client_key
        elif self.save_key:
            key = render_save_key(self.save_key)
        else:
            key = None
        if key is None:
            self._check_hash_key_allowed()
        else:
            self.check_key(key)
        return key

    def check_key(self, key: str) -> None:
        """Raise 403 ``key doesn't match scope`` unless the scope and keylimit allow ``key``."""
        if self.key is not None:
            allowed = key.startswith(self.key) if self.is_prefixal_scope else key == self.key
            if not allowed:
                raise QiniuError.scope_mismatch()
        if self.keylimit and key not in self.keylimit:
            raise QiniuError.scope_mismatch()

    def _check_hash_key_allowed(self) -> None:
        # Without a key the object is stored under its hash, which a fixed key, a
        # non-empty prefix or a keylimit list can never be expected to match.
        if self.keylimit:
            raise QiniuError.scope_mismatch()
        if self.key is not None and (not self.is_prefixal_scope or self.key):
            raise QiniuError.scope_mismatch()

    def allows_overwrite(self, key: str) -> bool:
        """True only for a ``<bucket>:<key>`` scope naming ``key`` without ``insertOnly``."""
        return (
            self.key is not None
            and not self.is_prefixal_scope
            and not self.insert_only
            and key == self.key
        )

    def check_size(self, size: int) -> None:
        """413 above ``fsizeLimit``, 403 below ``fsizeMin``."""
        if self.fsize_limit is not None and size > self.fsize_limit:
            raise QiniuError.too_large(
                f"file size {size} exceeds fsizeLimit {self.fsize_limit}"
            )
        if self.fsize_min is not None and size < self.fsize_min:
            raise QiniuError.forbidden(
                f"file size too small: {size} is below fsizeMin {self.fsize_min}"
            )

    def check_mime(self, mime: str) -> None:
        """403 unless ``mime`` passes ``mimeLimit`` (``a/b;c/*`` allow list, ``!`` deny list)."""
        if not self.mime_limit.strip():
            return
        deny, patterns = parse_mime_limit(self.mime_limit)
        base = mime.split(";", 1)[0].strip().lower()
        matched = any(fnmatch.fnmatchcase(base, pattern) for pattern in patterns)
        if matched == deny:
            raise QiniuError.forbidden(
                f"mime type not allowed: {base or '(none)'} does not satisfy mimeLimit "
                f"{self.mime_limit!r}"
            )


def parse_mime_limit(text: str) -> tuple[bool, list[str]]:
    """Split a ``mimeLimit`` into (is_deny_list, lower-case glob patterns).

    A leading ``!`` turns the whole ``;`` list into a deny list; a ``!`` repeated on
    each item is tolerated.
    """
    text = text.strip()
    deny = text.startswith("!")
    items = [item.strip().lstrip("!").strip().lower() for item in text.split(";")]
    return deny, [item for item in items if item]


# ---------------------------------------------------------------------------
# The token around the policy


@dataclass(frozen=True)
class UploadToken:
    """An upload token's three parts, as sent; nothing here says the signature is right.

    ``prefixed``: the token came as ``:<prefix>:<AK>:<sign>:<policy>``, the five-part form
    the Go SDK reads by dropping the first two parts (docs/wire.md §4.3).
    """

    access_key: str
    sign: str
    encoded_policy: str
    prefixed: bool = False

    @classmethod
    def split(cls, text: str | None) -> "UploadToken | None":
        """The parts of ``text``; None when it is not an upload token's shape."""
        parts = (text or "").strip().split(":")
        prefixed = len(parts) == 5 and parts[0] == ""
        if prefixed:
            parts = parts[2:]
        if len(parts) != 3:
            return None
        return cls(parts[0], parts[1], parts[2], prefixed)

    def fields(self) -> dict[str, Any]:
        """The policy's JSON object, unchecked; ValueError when it is not one."""
        try:
            data = json.loads(b64_decode(self.encoded_policy).decode("utf-8"))
        except RecursionError:
            raise ValueError("the put policy nests too deep") from None
        if not isinstance(data, dict):
            raise ValueError("the put policy is not a JSON object")
        return data

    def policy(self) -> PutPolicy:
        """The typed policy: 401 ``bad token`` when it does not decode, 400 naming a mistyped field."""
        try:
            data = self.fields()
        except ValueError:
            raise QiniuError.bad_token() from None
        try:
            return PutPolicy.from_json(data)
        except ValueError as exc:
            raise QiniuError.bad_request(f"invalid put policy: {exc}") from None
