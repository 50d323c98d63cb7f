"""A bucket's tags (PutBucketTagging and friends), with the limits Kodo puts on bucket tags
(docs/s3.md §9): at most 10, keys up to 64 bytes and values up to 128, from a small set of
characters, no key starting ``kodo``.

Tags are kept beside the S3 door's other tables, tied to the bucket's creation time so a
bucket dropped and made again (through either door) starts without tags.
"""

from __future__ import annotations

import json
import re

from ..database import Database
from ..s3_errors import S3Error

MAX_TAGS = 10
MAX_KEY_BYTES = 64
MAX_VALUE_BYTES = 128
RESERVED_PREFIX = "kodo"
# Letters, digits, space and + - = . _ : / @ (docs/s3.md §9).
_ALLOWED = re.compile(r"[A-Za-z0-9 +\-=._:/@]+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS s3_bucket_tags (
    bucket   TEXT PRIMARY KEY,
    created  INTEGER NOT NULL,
    tags     TEXT NOT NULL
);
"""

Tags = list[tuple[str, str]]


def check_tags(tags: Tags) -> None:
    """Refuse a tag set Kodo would refuse, with S3's ``InvalidTag``."""
    if len(tags) > MAX_TAGS:
        raise S3Error.invalid_tag(f"A bucket has at most {MAX_TAGS} tags")
    keys = [key for key, _ in tags]
    if len(set(keys)) != len(keys):
        raise S3Error.invalid_tag("Cannot provide multiple Tags with the same key")
    for key, value in tags:
        for what, text, limit in (("key", key, MAX_KEY_BYTES), ("value", value, MAX_VALUE_BYTES)):
            if not _ALLOWED.fullmatch(text):
                raise S3Error.invalid_tag(f"The tag {what} {text[:80]!r} is empty or has a character other than "
                                          "letters, digits, space and + - = . _ : / @")
            if len(text.encode("utf-8")) > limit:
                raise S3Error.invalid_tag(f"A tag {what} is at most {limit} bytes")
        if key.lower().startswith(RESERVED_PREFIX):
            raise S3Error.invalid_tag(f"Tag keys starting with {RESERVED_PREFIX!r} are reserved")


class BucketTags:
    """Each bucket's tag set, in the data directory's database."""

    def __init__(self, db: Database) -> None:
        self._db = db
        db.apply_schema(SCHEMA)

    def get(self, bucket: str, created: int) -> Tags:
        row = self._db.query_one("SELECT created, tags FROM s3_bucket_tags WHERE bucket = ?", (bucket,))
        if row is None or row["created"] != created:
            return []
        return [(key, value) for key, value in json.loads(row["tags"])]

    def set(self, bucket: str, created: int, tags: Tags) -> None:
        with self._db.transaction() as conn:
            if tags:
                conn.execute("INSERT OR REPLACE INTO s3_bucket_tags (bucket, created, tags) VALUES (?, ?, ?)",
                             (bucket, created, json.dumps(tags)))
            else:
                conn.execute("DELETE FROM s3_bucket_tags WHERE bucket = ?", (bucket,))
