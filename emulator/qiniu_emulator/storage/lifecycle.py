"""An object's lifecycle: moves to another storage class and deletion, N days after they are set.

``/lifecycle/<entry>/toIAAfterDays/<n>/.../deleteAfterDays/<n>`` sets them (docs/wire.md
§9.7): a positive N schedules the move (or the deletion) N×24 h from now by the emulator's
:class:`~..clock.Clock`, -1 cancels one set before, 0 leaves it as it is. A scheduled move
is a row of ``object_moves`` naming the object by its put time, so an object written again
under the same key does not inherit it; housekeeping applies the moves that came due.
Deletion is the object's ``expires_at``, which stat, list and download already honour.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ..clock import DAY

SCHEMA = """
CREATE TABLE IF NOT EXISTS object_moves (
    bucket   TEXT NOT NULL,
    key      BLOB NOT NULL,
    put_time INTEGER NOT NULL,
    type     INTEGER NOT NULL,
    due_at   INTEGER NOT NULL,
    PRIMARY KEY (bucket, key, type)
);
CREATE INDEX IF NOT EXISTS object_moves_due ON object_moves (due_at);
"""
# The path segments of /lifecycle and the storage class each moves the object to.
MOVES = {"toIAAfterDays": 1, "toArchiveIRAfterDays": 4, "toArchiveAfterDays": 2, "toDeepArchiveAfterDays": 3}
CANCEL = -1


@dataclass(frozen=True)
class LifecycleChange:
    """Days per target storage class, and for deletion: N schedules, -1 cancels, 0 keeps."""

    moves: dict[int, int] = field(default_factory=dict)
    delete_after_days: int = 0


def schedule(conn: sqlite3.Connection, row: sqlite3.Row, change: LifecycleChange, now: float) -> None:
    """Apply ``change`` to the object ``row`` (a row of ``objects``)."""
    bucket, key = row["bucket"], bytes(row["key"])
    for type_, days in change.moves.items():
        if days == CANCEL:
            conn.execute("DELETE FROM object_moves WHERE bucket = ? AND key = ? AND type = ?", (bucket, key, type_))
        elif days > 0:
            conn.execute("INSERT OR REPLACE INTO object_moves VALUES (?, ?, ?, ?, ?)",
                         (bucket, key, row["put_time"], type_, int(now) + days * DAY))
    if change.delete_after_days:
        expires_at = 0 if change.delete_after_days == CANCEL else int(now) + change.delete_after_days * DAY
        conn.execute("UPDATE objects SET expires_at = ? WHERE bucket = ? AND key = ?", (expires_at, bucket, key))


def apply_due(conn: sqlite3.Connection, now: float) -> int:
    """Move every object whose move came due to its storage class, the latest due last;
    returns how many moves were made (those of objects since deleted or rewritten are dropped)."""
    due = conn.execute("SELECT bucket, key, put_time, type FROM object_moves WHERE due_at <= ? "
                       "ORDER BY due_at", (int(now),)).fetchall()
    moved = 0
    for bucket, key, put_time, type_ in due:
        moved += conn.execute("UPDATE objects SET type = ? WHERE bucket = ? AND key = ? AND put_time = ?",
                              (type_, bucket, key, put_time)).rowcount
        conn.execute("DELETE FROM object_moves WHERE bucket = ? AND key = ? AND type = ?", (bucket, key, type_))
    return moved
