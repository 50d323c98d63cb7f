"""A typed view of a prefop answer: one persistent job and its per-command items."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

#: Job and item codes (spec section 6.2).
SUCCEEDED, WAITING, RUNNING, FAILED, NOTIFY_FAILED, CANCELLED = 0, 1, 2, 3, 4, 5
PENDING_CODES = frozenset({WAITING, RUNNING})


@dataclasses.dataclass(frozen=True)
class JobItem:
    """The outcome of one ``;``-separated command of a job."""

    cmd: str
    code: int
    desc: str = ""
    error: str = ""
    error_index: int | None = None
    key: str | None = None
    hash: str | None = None
    keys: list[str] = dataclasses.field(default_factory=list)
    return_old: int = 0

    @property
    def ok(self) -> bool:
        """The command produced its result."""
        return self.code == SUCCEEDED

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobItem:
        """Build from one element of the prefop ``items`` array."""
        _require_mapping("item", data)
        return cls(
            cmd=_field(data, "cmd", str, ""),
            code=_field(data, "code", int, FAILED),
            desc=_field(data, "desc", str, ""),
            error=_field(data, "error", str, ""),
            error_index=_field(data, "errorIndex", int, None),
            key=_field(data, "key", str, None),
            hash=_field(data, "hash", str, None),
            keys=list(_field(data, "keys", list, None) or []),
            return_old=_field(data, "returnOld", int, 0),
        )


@dataclasses.dataclass(frozen=True)
class JobStatus:
    """A persistent job as prefop reports it."""

    id: str
    code: int
    desc: str = ""
    input_bucket: str | None = None
    input_key: str | None = None
    pipeline: str | None = None
    reqid: str | None = None
    type: int = 0
    task_from: str | None = None
    creation_date: str | None = None
    items: list[JobItem] = dataclasses.field(default_factory=list)

    @property
    def done(self) -> bool:
        """The job left the queue: it is neither waiting nor running."""
        return self.code not in PENDING_CODES

    @property
    def ok(self) -> bool:
        """Every command succeeded (a failed notify, code 4, does not undo that)."""
        if self.code == SUCCEEDED:
            return True
        return self.code == NOTIFY_FAILED and bool(self.items) and all(i.ok for i in self.items)

    @property
    def created_at(self) -> datetime | None:
        """``creation_date`` parsed (RFC 3339), or None when absent or unreadable."""
        if not self.creation_date:
            return None
        try:
            return datetime.fromisoformat(self.creation_date.replace("Z", "+00:00"))
        except ValueError:
            return None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobStatus:
        """Build from a decoded prefop body; ``ValueError`` if it is not one."""
        _require_mapping("prefop answer", data)
        if "id" not in data or "code" not in data:
            raise ValueError(f"not a prefop answer (needs 'id' and 'code'): {dict(data)!r:.200}")
        items = _field(data, "items", list, None) or []
        return cls(
            id=_field(data, "id", str, ""),
            code=_field(data, "code", int, FAILED),
            desc=_field(data, "desc", str, ""),
            input_bucket=_field(data, "inputBucket", str, None),
            input_key=_field(data, "inputKey", str, None),
            pipeline=_field(data, "pipeline", str, None),
            reqid=_field(data, "reqid", str, None),
            type=_field(data, "type", int, 0),
            task_from=_field(data, "taskFrom", str, None),
            creation_date=_field(data, "creationDate", str, None),
            items=[JobItem.from_dict(item) for item in items],
        )


def _field(data: Mapping[str, Any], name: str, kind: type, default: Any) -> Any:
    value = data.get(name)
    if value is None:
        return default
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(f"prefop field {name!r} should be {kind.__name__}, got {value!r}")
    return value


def _require_mapping(what: str, data: Any) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a JSON object, got {type(data).__name__}")
