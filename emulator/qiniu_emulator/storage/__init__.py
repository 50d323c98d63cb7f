"""Buckets and objects: SQLite metadata plus files under ``<data>/buckets``.

The names below are loaded on first use: ``fops.parse`` checks saveas bucket names with
``storage.names``, and importing the whole store for that would slow ``qiniu-emulator lint``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .conditions import ObjectCondition
    from .records import BlockState, BucketInfo, ListPage, MultipartUpload, ObjectInfo, PartInfo
    from .store import Storage
    from .tempfiles import TempFile

_HOMES = {
    "ObjectCondition": "conditions",
    "BlockState": "records",
    "BucketInfo": "records",
    "ListPage": "records",
    "MultipartUpload": "records",
    "ObjectInfo": "records",
    "PartInfo": "records",
    "Storage": "store",
    "TempFile": "tempfiles",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # later reads skip this function
    return value
