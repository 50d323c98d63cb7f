"""Threads for connections: a thread that served one waits for the next instead of ending,
so a new connection costs a queue hand-off rather than a thread start."""

from __future__ import annotations

import queue
import threading
from typing import Callable

IDLE_THREADS = 16  # threads kept waiting for a connection; more end when their connection does


class Workers:
    """``on_start`` runs first on each new thread (pinning it to the request CPU)."""

    def __init__(self, idle_max: int = IDLE_THREADS, on_start: Callable[[], None] = lambda: None) -> None:
        self._idle_max = idle_max
        self._on_start = on_start
        self._idle = 0
        self._lock = threading.Lock()
        self._tasks: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()

    def run(self, task: Callable[[], None]) -> None:
        """Run ``task`` on a waiting thread, or a new one (RuntimeError when none can start)."""
        with self._lock:
            if self._idle:
                self._idle -= 1
                self._tasks.put(task)
                return
        threading.Thread(target=self._serve, args=(task,), name="qiniu-emulator-conn", daemon=True).start()

    def _serve(self, task: Callable[[], None] | None) -> None:
        self._on_start()
        while task is not None:
            task()
            with self._lock:
                if self._idle >= self._idle_max:
                    return
                self._idle += 1
            task = self._tasks.get()

    def stop(self) -> None:
        """End the waiting threads."""
        with self._lock:
            waiting, self._idle = self._idle, 0
        for _ in range(waiting):
            self._tasks.put(None)
