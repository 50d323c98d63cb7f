"""The ``cond`` of conditional management ops (``chstatus``): ``k=v&k=v`` that must all
hold for the object, else the op fails with 613 ``cond not match``."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import QiniuError
from .records import ObjectInfo

FIELDS = ("hash", "mime", "fsize", "putTime")


@dataclass(frozen=True)
class ObjectCondition:
    """Expected values of an object's fields; ``None`` means "any"."""

    hash: str | None = None
    mime: str | None = None
    fsize: int | None = None
    put_time: int | None = None

    @classmethod
    def parse(cls, text: str) -> "ObjectCondition":
        """Parse ``hash=..&mime=..&fsize=..&putTime=..``; 400 for an unknown or malformed part."""
        values: dict[str, str] = {}
        for part in text.split("&"):
            name, sep, value = part.partition("=")
            if not sep or name not in FIELDS:
                raise QiniuError.bad_request(f"invalid cond {part!r}: use {', '.join(FIELDS)}")
            values[name] = value
        return cls(hash=values.get("hash"), mime=values.get("mime"),
                   fsize=_int(values, "fsize"), put_time=_int(values, "putTime"))

    def matches(self, info: ObjectInfo) -> bool:
        expected = ((self.hash, info.hash), (self.mime, info.mime), (self.fsize, info.fsize),
                    (self.put_time, info.put_time))
        return all(want is None or want == actual for want, actual in expected)


def _int(values: dict[str, str], name: str) -> int | None:
    if name not in values:
        return None
    try:
        return int(values[name])
    except ValueError:
        raise QiniuError.bad_request(f"cond {name} must be an integer") from None
