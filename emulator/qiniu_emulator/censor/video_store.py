"""Video moderation jobs in the emulator's SQLite file, so that a job accepted before a
restart is answered (and finished) after it."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from ..database import Database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS censor_video_jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    vid TEXT NOT NULL,
    request TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT 'null',
    account TEXT NOT NULL DEFAULT '',
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS censor_video_jobs_status ON censor_video_jobs (status, seq);
"""

WAITING, DOING, FINISHED, FAILED = "WAITING", "DOING", "FINISHED", "FAILED"


@dataclass
class VideoJob:
    """One ``POST /v3/video/censor`` job: the request as sent, its status and result."""

    id: str
    vid: str
    request: dict[str, Any]
    status: str = WAITING
    result: Any = None
    account: str = ""
    created_ns: int = 0
    updated_ns: int = 0
    seq: int = field(default=0, compare=False)

    @property
    def finished(self) -> bool:
        return self.status in (FINISHED, FAILED)


class VideoJobStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.apply_schema(_SCHEMA)

    def insert(self, job: VideoJob) -> None:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO censor_video_jobs (id, vid, request, status, result, account, created_ns, updated_ns)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (job.id, job.vid, json.dumps(job.request), job.status, json.dumps(job.result), job.account,
                 job.created_ns, job.updated_ns))
            job.seq = cursor.lastrowid or 0

    def save(self, job: VideoJob) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE censor_video_jobs SET status=?, result=?, updated_ns=? WHERE id=?",
                         (job.status, json.dumps(job.result), job.updated_ns, job.id))

    def get(self, job_id: str) -> VideoJob | None:
        row = self._db.query_one("SELECT * FROM censor_video_jobs WHERE id=?", (job_id,))
        return _job(row) if row else None

    def delete_all(self) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM censor_video_jobs")

    def unfinished(self) -> list[VideoJob]:
        rows = self._db.query("SELECT * FROM censor_video_jobs WHERE status IN (?, ?) ORDER BY seq", (WAITING, DOING))
        return [_job(row) for row in rows]


def _job(row: sqlite3.Row) -> VideoJob:
    return VideoJob(id=row["id"], vid=row["vid"], request=json.loads(row["request"]), status=row["status"],
                    result=json.loads(row["result"]), account=row["account"], created_ns=row["created_ns"],
                    updated_ns=row["updated_ns"], seq=row["seq"])
