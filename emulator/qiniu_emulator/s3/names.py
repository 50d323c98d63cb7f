"""A bucket's S3 name: its Kodo name, or the alias Kodo assigns when that name is taken in S3's
global namespace. Through the S3 door such a bucket answers only to its alias; its Kodo name
belongs to someone else there (docs/s3.md §2)."""

from __future__ import annotations

from typing import Mapping

from ..s3_errors import S3Error


class BucketNames:
    def __init__(self, aliases: Mapping[str, str]) -> None:
        self._to_s3 = dict(aliases)  # Kodo name -> S3 name
        self._to_kodo = {alias: bucket for bucket, alias in aliases.items()}

    def kodo(self, name: str, creating: bool = False) -> str:
        """The Kodo bucket an S3 request's bucket name means."""
        if name in self._to_kodo:
            return self._to_kodo[name]
        if name in self._to_s3:  # an aliased bucket's Kodo name is another account's in S3
            raise S3Error.bucket_exists(name) if creating else S3Error.no_such_bucket(name)
        return name

    def s3(self, bucket: str) -> str:
        """The name S3 shows for a Kodo bucket."""
        return self._to_s3.get(bucket, bucket)
