"""One emulator per data directory: an exclusive lock on ``<data>/emulator.lock``.

Two emulators writing one database and one bucket tree would step on each other's
journal and scratch files, so the second one refuses to start and names the first.
The lock is the operating system's (``flock``): it goes away with the process that holds
it, even after ``kill -9``, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from typing import IO


class DataDirInUse(RuntimeError):
    """Another live emulator holds the data directory."""


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "emulator.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        file = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = _describe(file.read())
            file.close()
            raise DataDirInUse(f"data directory {self.path.parent} is in use by another "
                               f"qiniu-emulator ({holder}); stop it or give this one another --data") from None
        self._file = file
        self.describe()

    def describe(self, url: str = "") -> None:
        """Record who holds the lock, for the message a second emulator prints."""
        if self._file is None:
            return
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": int(time.time()), "url": url}
        self._file.seek(0)
        self._file.truncate()
        self._file.write(json.dumps(info))
        self._file.flush()

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None


def _describe(text: str) -> str:
    try:
        info = json.loads(text)
    except ValueError:
        return "holder unknown"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.get("since", 0)))
    where = f", serving {info['url']}" if info.get("url") else ""
    return f"pid {info.get('pid')} on {info.get('host')}{where}, since {since}"
