"""Jobs in SQLite, in the emulator's database file, so that nothing accepted is lost."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict

from ..database import Database
from ..job_records import Attempt, Code, Item, Job, Phase, StageLog

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    type INTEGER NOT NULL,
    notify_url TEXT NOT NULL,
    force INTEGER NOT NULL,
    task_from TEXT NOT NULL,
    reqid TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    started_ns INTEGER NOT NULL DEFAULT 0,
    finished_ns INTEGER NOT NULL DEFAULT 0,
    code INTEGER NOT NULL,
    items TEXT NOT NULL,
    timings TEXT NOT NULL DEFAULT '[]',
    log TEXT NOT NULL DEFAULT '[]',
    notify_error TEXT NOT NULL DEFAULT '',
    account TEXT NOT NULL DEFAULT '',
    deliveries TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS jobs_code ON jobs (code, seq);
"""
# Columns added after the first release, for data directories made before them.
_ADDED_COLUMNS = {"account": "TEXT NOT NULL DEFAULT ''", "deliveries": "TEXT NOT NULL DEFAULT '[]'"}

_LOG_LINES = 200  # a job's log keeps its newest lines only


class JobStore:
    """Reads and writes :class:`Job` rows of the shared database."""

    def __init__(self, db: Database) -> None:
        self._db = db
        db.apply_schema(_SCHEMA)
        present = {row["name"] for row in db.query("PRAGMA table_info(jobs)")}
        for name, declaration in _ADDED_COLUMNS.items():
            if name not in present:
                with db.transaction() as conn:
                    conn.execute(f"ALTER TABLE jobs ADD COLUMN {name} {declaration}")

    def insert(self, job: Job) -> Job:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO jobs (id, bucket, key, pipeline, type, notify_url, force, task_from,"
                " reqid, created_ns, code, items, account) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (job.id, job.bucket, job.key, job.pipeline, job.type, job.notify_url, int(job.force),
                 job.task_from, job.reqid, job.created_ns, int(job.code), _items_json(job.items),
                 job.account),
            )
            job.seq = cursor.lastrowid or 0
        return job

    def save(self, job: Job) -> None:
        """Persist the mutable part of a job: code, items, timings, log."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE jobs SET code=?, items=?, timings=?, log=?, notify_error=?, started_ns=?,"
                " finished_ns=?, deliveries=? WHERE id=?",
                (int(job.code), _items_json(job.items), json.dumps([asdict(t) for t in job.timings]),
                 json.dumps(job.log[-_LOG_LINES:]), job.notify_error, job.started_ns, job.finished_ns,
                 json.dumps([asdict(d) for d in job.deliveries]), job.id),
            )

    def get(self, job_id: str) -> Job | None:
        row = self._db.query_one("SELECT * FROM jobs WHERE id=?", (job_id,))
        return _job(row) if row else None

    def unfinished(self) -> list[Job]:
        """Jobs left waiting or running (e.g. by a crash), oldest first."""
        return self._select("WHERE code IN (?, ?) ORDER BY seq", (Code.WAITING, Code.RUNNING))

    def recent(self, limit: int = 100, bucket: str | None = None, before: int | None = None,
               code: int | None = None) -> list[Job]:
        """The newest jobs first; ``before`` (a seq) pages on to older ones; ``code``: only that status."""
        clauses = ["seq < ?"]
        params: list[object] = [before if before is not None else 2**63 - 1]
        if bucket:
            clauses.append("bucket = ?")
            params.append(bucket)
        if code is not None:
            clauses.append("code = ?")
            params.append(code)
        return self._select(f"WHERE {' AND '.join(clauses)} ORDER BY seq DESC LIMIT ?", (*params, limit))

    def mentioning(self, bucket: str, key: str, limit: int) -> list[Job]:
        """Jobs whose source is ``bucket``/``key`` or whose results name ``key``, newest first
        (the caller checks the result's bucket)."""
        return self._select("WHERE (bucket = ? AND key = ?) OR instr(items, ?) > 0 ORDER BY seq DESC LIMIT ?",
                            (bucket, key, json.dumps(key), limit))

    def delete_all(self, bucket: str | None = None) -> None:
        with self._db.transaction() as conn:
            if bucket:
                conn.execute("DELETE FROM jobs WHERE bucket=?", (bucket,))
            else:
                conn.execute("DELETE FROM jobs")

    def _select(self, where: str, params: tuple) -> list[Job]:
        return [_job(row) for row in self._db.query(f"SELECT * FROM jobs {where}", params)]


def _items_json(items: list[Item]) -> str:
    return json.dumps([asdict(item) for item in items])


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"], bucket=row["bucket"], key=row["key"],
        items=[Item(**item) for item in json.loads(row["items"])],
        pipeline=row["pipeline"], type=row["type"], notify_url=row["notify_url"],
        force=bool(row["force"]), task_from=row["task_from"], reqid=row["reqid"],
        created_ns=row["created_ns"], started_ns=row["started_ns"], finished_ns=row["finished_ns"],
        code=row["code"], seq=row["seq"],
        timings=[StageLog(**t) for t in json.loads(row["timings"])],
        log=json.loads(row["log"]), notify_error=row["notify_error"], account=row["account"],
        deliveries=[Attempt(**d) for d in json.loads(row["deliveries"])], phase=Phase.stored(row["code"]),
    )
