"""Child processes of ops (ffmpeg, LibreOffice).

Each child runs in its own process group, so killing the group ends everything it
spawned; each is tracked while it runs, so a cancelled run or a shutdown can kill it
instead of leaving it to outlive the request or the server. Work started by a download
request runs niced, below the server's own threads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any, Sequence


@dataclass
class ChildProcesses:
    """The live children of one emulator (or one ``fop`` command)."""

    _live: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def spawn(self, argv: Sequence[str], nice: int = 0, **options: Any) -> subprocess.Popen[bytes]:
        """Start ``argv`` in a new process group; raises OSError when it cannot start."""
        proc: subprocess.Popen[bytes] = subprocess.Popen(list(argv), start_new_session=True, **options)
        with self._lock:
            self._live[proc.pid] = proc
        if nice:
            try:
                os.setpriority(os.PRIO_PROCESS, proc.pid, nice)
            except OSError:
                pass  # it may already have exited
        return proc

    def release(self, proc: subprocess.Popen[bytes]) -> None:
        """Forget a child that has been waited for."""
        with self._lock:
            self._live.pop(proc.pid, None)

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """Kill the child's whole process group and reap the child."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()

    def kill_all(self) -> int:
        """Kill every live child (shutdown); returns how many there were."""
        with self._lock:
            live = list(self._live.values())
        for proc in live:
            if proc.poll() is None:
                self.kill(proc)
            self.release(proc)
        return len(live)

    def count(self) -> int:
        with self._lock:
            return sum(1 for proc in self._live.values() if proc.poll() is None)
