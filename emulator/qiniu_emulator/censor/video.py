"""Asynchronous video moderation (docs/censor.md §5): ``POST /v3/video/censor`` stores a
job, one worker samples the video every ``cut_param.interval_msecs`` over its real
duration (probed with PyAV) and records a verdict per cut; ``GET /v3/jobs/video/<id>``
reads it. Unfinished jobs are taken up again at the next start."""

from __future__ import annotations

import logging
import queue
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..downloads import Access
from ..errors import QiniuError
from ..fidelity import Fidelity, NotEmulated
from ..fops.av.probe import probe
from ..fops.context import OpFailed
from ..storage import Storage
from .judge import Judge, Subject, requested_scenes
from .sources import SourceReader
from .verdicts import Verdict
from .video_store import DOING, FAILED, FINISHED, VideoJob, VideoJobStore

DEFAULT_INTERVAL_MS = 5000
INTERVAL_RANGE_MS = (1000, 60000)
NOT_EMULATED_PARAMS = ("hook_url", "hook_auth")  # callbacks of a finished job (docs/censor.md §5)
MAX_CUTS = 10_000  # a cut every second of a 2.7-hour video; more is a mistake, not a video

log = logging.getLogger("qiniu_emulator.censor")


@dataclass
class VideoCensor:
    storage: Storage
    judge: Judge
    sources: SourceReader
    store: VideoJobStore
    fidelity: Fidelity = field(default_factory=Fidelity)
    _queue: "queue.Queue[str | None]" = field(default_factory=queue.Queue)
    _worker: threading.Thread | None = None

    def start(self) -> None:
        for job in self.store.unfinished():
            self._queue.put(job.id)
        self._worker = threading.Thread(target=self._work, name="video-censor", daemon=True)
        self._worker.start()

    def close(self, timeout: float = 10.0) -> None:
        self._queue.put(None)
        if self._worker is not None:
            self._worker.join(timeout)

    def submit(self, body: dict[str, Any], access: Access) -> str:
        data, params = body.get("data"), body.get("params")
        if not isinstance(data, dict) or not isinstance(params, dict):
            raise QiniuError.bad_request("data and params must be JSON objects")
        if not isinstance(data.get("uri"), str) or not data["uri"]:
            raise QiniuError.bad_request("data.uri is required: an http(s), qiniu:// or data: URI")
        try:
            requested_scenes(params.get("scenes"))
        except ValueError as exc:
            raise QiniuError.bad_request(str(exc)) from None
        _interval(params)
        try:  # a job that finished without calling back would let a test pass on nothing
            self.fidelity.screen([name for name in NOT_EMULATED_PARAMS if name in params], "video censor parameter")
        except NotEmulated as exc:
            raise QiniuError.bad_request(f"params.{exc}") from None
        now = self.storage.clock.now_ns()
        job = VideoJob(id=secrets.token_hex(12), vid=str(data.get("id") or ""), request=body,
                       account=access.account or "", created_ns=now, updated_ns=now)
        self.store.insert(job)
        self._queue.put(job.id)
        return job.id

    def forget(self) -> None:
        """Drop every job (``/_emulator/reset``); one running now finishes unrecorded."""
        self.store.delete_all()

    def get(self, job_id: str) -> dict[str, Any]:
        job = self.store.get(job_id)
        if job is None:
            raise QiniuError.no_such_video_job(job_id)
        return job_json(job)

    def _work(self) -> None:
        while (job_id := self._queue.get()) is not None:
            job = self.store.get(job_id)
            if job is None or job.finished:
                continue
            try:
                self._run(job)
            except Exception:  # noqa: BLE001 - one bad job must not stop the worker
                log.exception("video censor job %s failed unexpectedly", job.id)
                self._finish(job, FAILED, {"code": 500, "message": "internal error"})

    def _run(self, job: VideoJob) -> None:
        job.status, job.updated_ns = DOING, self.storage.clock.now_ns()
        self.store.save(job)
        params = job.request["params"]
        scratch = self.storage.scratch_dir("censor")
        try:
            source = self.sources.read(job.request["data"]["uri"], scratch, Access(job.account or None))
            duration = probe(source.path).duration
        except (QiniuError, OpFailed) as exc:
            self._finish(job, FAILED, {"code": 400, "message": getattr(exc, "message", str(exc))})
            return
        finally:
            self.storage.remove_scratch(scratch)
        if not duration:
            self._finish(job, FAILED, {"code": 400, "message": "the video has no duration"})
            return
        scenes = requested_scenes(params["scenes"])
        verdict = self.judge.judge(Subject("censor.video", source.bucket, source.key, source.meta), scenes)
        offsets = cut_offsets(duration, _interval(params))
        self._finish(job, FINISHED, {"code": 200, "message": "OK", "result": video_result(verdict, offsets)})

    def _finish(self, job: VideoJob, status: str, result: dict[str, Any]) -> None:
        job.status, job.result, job.updated_ns = status, result, self.storage.clock.now_ns()
        self.store.save(job)


def _interval(params: dict[str, Any]) -> int:
    cut = params.get("cut_param") or {}
    value = cut.get("interval_msecs", DEFAULT_INTERVAL_MS) if isinstance(cut, dict) else None
    low, high = INTERVAL_RANGE_MS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise QiniuError.bad_request(f"params.cut_param.interval_msecs must be an integer from {low} to {high}")
    return value


def cut_offsets(duration: float, interval_ms: int) -> list[int]:
    """Offsets in ms of the sampled frames: 0, interval, 2*interval, ... before the end."""
    end_ms = int(duration * 1000)
    return list(range(0, max(end_ms, 1), interval_ms))[:MAX_CUTS]


def video_result(verdict: Verdict, offsets: list[int]) -> dict[str, Any]:
    """``result.result`` of a finished job: every cut of a scene carries the scene's verdict."""
    scenes = {}
    for scene in verdict.scenes:
        cuts = [{"offset": offset, "suggestion": scene.suggestion, "details": [scene.detail()]}
                for offset in offsets]
        scenes[scene.scene] = {"suggestion": scene.suggestion, "cuts": cuts}
    return {"suggestion": verdict.suggestion, "scenes": scenes}


def job_json(job: VideoJob) -> dict[str, Any]:
    out: dict[str, Any] = {"id": job.id, "vid": job.vid, "request": job.request, "status": job.status,
                           "created_at": _stamp(job.created_ns), "updated_at": _stamp(job.updated_ns)}
    if job.result is not None:
        out["result"] = job.result
    return out


def _stamp(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")

