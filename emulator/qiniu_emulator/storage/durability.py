"""Whether a write reaches the disk before it is acknowledged.

Durable (the default) fsyncs every file and directory entry and commits SQLite with
``synchronous=FULL``, so a crash loses nothing that was answered. Ephemeral state lives
only as long as the process: nothing is fsynced and SQLite runs with ``synchronous=OFF``,
so a write costs what the page cache costs.

An in-memory SQLite database was measured as the other way to do this: with one
connection per thread it needs a shared cache, whose table locks fail concurrent writers
with "database table is locked" at once instead of waiting (``busy_timeout`` does not
apply to them); a file with ``synchronous=OFF`` in a temp dir has no such failure and was
8x faster than ``synchronous=FULL`` on the same disk.

Ephemeral state goes to ``/dev/shm`` when it is there with room to spare and ``TMPDIR``
does not say otherwise: on a tmpfs creating and renaming a file costs a tenth of what it
costs on a disk's filesystem, which matters when every upload creates one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from collections.abc import Mapping
from pathlib import Path

MEMORY_DIR = Path("/dev/shm")
# Below this much free space in /dev/shm (Docker gives 64 MB), ephemeral state stays in
# the usual temp dir: job outputs and uploads could fill it.
MEMORY_DIR_MIN_FREE = 2 << 30


@dataclass(frozen=True)
class Durability:
    """The write policy of one data directory."""

    sync: bool = True

    @property
    def sqlite_synchronous(self) -> str:
        # FULL: a committed row is on disk as surely as the fsynced file it names.
        return "FULL" if self.sync else "OFF"

    def fsync(self, fd: int) -> None:
        if self.sync:
            os.fsync(fd)

    def fsync_dir(self, path: Path) -> None:
        """Persist a directory entry change (a rename or a new file) in ``path``."""
        if not self.sync:
            return
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


DURABLE = Durability(sync=True)
EPHEMERAL = Durability(sync=False)


def ephemeral_parent(environ: Mapping[str, str], memory_dir: Path = MEMORY_DIR) -> Path | None:
    """Where an ephemeral data dir is made: ``memory_dir`` when usable, else None (the
    temp dir ``TMPDIR`` or the system names)."""
    if environ.get("TMPDIR"):
        return None
    try:
        stats = os.statvfs(memory_dir)
    except OSError:
        return None
    if stats.f_bavail * stats.f_frsize < MEMORY_DIR_MIN_FREE or not os.access(memory_dir, os.W_OK | os.X_OK):
        return None
    return memory_dir
