"""Buckets and objects: SQLite metadata plus files under ``<data>/buckets``."""

from .conditions import ObjectCondition
from .records import BlockState, BucketInfo, ListPage, MultipartUpload, ObjectInfo, PartInfo
from .store import Storage
from .tempfiles import TempFile

__all__ = [
    "BlockState",
    "BucketInfo",
    "ListPage",
    "MultipartUpload",
    "ObjectCondition",
    "ObjectInfo",
    "PartInfo",
    "Storage",
    "TempFile",
]
