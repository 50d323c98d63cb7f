"""Synchronous fops: a download URL with ``?<fop>`` runs the pipeline on the request.

Anyone who can download can start one, so they are bounded: at most ``slots`` run at a
time (more are answered 573 with ``Retry-After`` at once, keeping the HTTP threads free
for health checks and storage requests), their child processes run niced, and a run is
stopped as soon as its client disconnects or the server shuts down.

The service owns the run's scratch directory from start to end: the answer is either an
open file (already unlinked from scratch, so nothing is left behind however the response
ends) or the object a signed ``saveas`` stored.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import IO, Callable

from ..cpu_affinity import every_cpu
from ..errors import QiniuError
from ..downloads import Access
from ..fops.context import Cancelled
from ..fops.execute import StageFailed
from ..fops.parse import Pipeline
from ..storage import ObjectInfo, Storage
from .process import Processor

# How often a waiting request checks whether its client is still there.
WATCH_SECONDS = 0.2


@dataclass
class SyncOutput:
    """What a sync fop produced: a body to stream, or the object a saveas stored."""

    mime: str = ""
    body: IO[bytes] | None = None
    stored: ObjectInfo | None = None


@dataclass
class SyncFops:
    storage: Storage
    processor: Processor
    logger: logging.Logger
    slots: int = 2
    retry_after: int = 1
    closing: threading.Event = field(default_factory=threading.Event)
    _free: threading.Semaphore = field(init=False)
    _running: set[threading.Event] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._free = threading.Semaphore(self.slots)

    def run(self, pipeline: Pipeline, source: ObjectInfo, access: Access,
            client_gone: Callable[[], bool] = lambda: False, public_url: str | None = None) -> SyncOutput:
        """Run ``pipeline`` on ``source``; a failing stage is a 400 with the op's message.

        ``public_url`` (``scheme://host``) is where the request came in, for ops that write URLs.
        573 when every slot is busy; 499 when the client left before the result was ready.
        """
        if self.closing.is_set():
            raise QiniuError.shutting_down()
        if not self._free.acquire(blocking=False):
            raise QiniuError.too_many_requests(
                f"too many synchronous fops running ({self.slots}); retry in {self.retry_after} s")
        stop = threading.Event()
        with self._lock:
            self._running.add(stop)
        watcher = threading.Thread(target=_watch, args=(client_gone, stop), daemon=True,
                                   name="sync-fop-watch")
        watcher.start()
        try:
            with every_cpu():  # Pillow and ffmpeg run in parallel: off the request CPU
                return self._run(pipeline, source, access, stop, public_url)
        except Cancelled:
            self.logger.info("sync fop on %s:%s stopped: its client left or the server is stopping",
                             source.bucket, source.key)
            raise QiniuError.client_closed() from None
        finally:
            with self._lock:
                self._running.discard(stop)
            stop.set()  # ends the watcher
            self._free.release()

    def running(self) -> int:
        with self._lock:
            return len(self._running)

    def stop_all(self) -> None:
        """Refuse new sync fops and stop every running one (shutdown)."""
        self.closing.set()
        with self._lock:
            for stop in self._running:
                stop.set()

    def _run(self, pipeline: Pipeline, source: ObjectInfo, access: Access,
             stop: threading.Event, public_url: str | None) -> SyncOutput:
        scratch = self.storage.scratch_dir("sync")
        try:
            try:
                result = self.processor.run_sync(pipeline, source, scratch, self.logger.info, access, stop,
                                                 public_url)
            except StageFailed as exc:
                raise QiniuError.bad_request(exc.message).noted(exc.hint) from None
            if pipeline.saveas is not None:
                stored = self.processor.save_sync(pipeline, source, result, scratch)
                return SyncOutput(mime=stored.mime, stored=stored)
            return SyncOutput(mime=result.mime, body=result.path.open("rb"))
        finally:
            self.storage.remove_scratch(scratch)


def _watch(client_gone: Callable[[], bool], stop: threading.Event) -> None:
    """Set ``stop`` when the client disconnects; return when the run ends."""
    while not stop.wait(WATCH_SECONDS):
        if client_gone():
            stop.set()
