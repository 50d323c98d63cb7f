"""Run one command of a job (or a download-URL fop) and store what it produces."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..encoding import etag_of_stream
from ..errors import NoSuchBucket, NoSuchKey, QiniuError
from ..fops.execute import PipelineRun, StageFailed, StageTiming, run_ops
from ..fops.parse import Pipeline, SaveAs
from ..downloads import Access
from ..fetch import UrlFetcher
from ..fops.budget import MemoryBudget
from ..fops.children import ChildProcesses
from ..fops.context import OpContext, OpResult, RunControl, SourceInfo, default_output_prefix
from ..fops.profiles import FAST, EncodeProfile
from ..fops.registry import Registry
from ..magic import render_template, time_variables
from ..storage import ObjectInfo, Storage
from ..job_records import HINT_PREFIX, Code, Item, StageLog


def default_output_key(pipeline: Pipeline, source_etag: str) -> str:
    """Where a result goes without saveas: ``b64u(sha1(cmd)) + "/" + source etag``."""
    cmd = "|".join(op.text for op in pipeline.ops)
    return default_output_prefix(cmd, source_etag).rstrip("/")


# saveKey of results stored under their own etag (docs/fops.md §1.3: mkzip without saveas).
OWN_HASH_KEY = "$(etag)"


def output_variables(etag: str) -> dict[str, object]:
    """Magic variables of the result, for saveKey."""
    return {"etag": etag, **time_variables()}


@dataclass
class Target:
    bucket: str
    key: str | None  # None: rendered from save_key after the run (it needs the result's etag)
    save_key: str | None = None
    delete_after_days: int = 0


# Work started by an unauthenticated download runs below the server's own threads.
SYNC_NICENESS = 10


@dataclass
class Processor:
    """Executes pipelines against stored objects through the op registry.

    ``shutdown`` stops every job run (they resume at the next start); ``children`` tracks
    the child processes of every run so none outlives the server.
    """

    storage: Storage
    registry: Registry
    fetcher: UrlFetcher | None
    ffmpeg: Callable[[], str]  # resolved at the first op: finding the bundled binary runs it
    op_timeout: float
    memory: MemoryBudget = field(default_factory=lambda: MemoryBudget(1024 * 1024 * 1024))  # one for all workers
    shutdown: threading.Event = field(default_factory=threading.Event)
    children: ChildProcesses = field(default_factory=ChildProcesses)
    public_url: Callable[[], str] = lambda: ""
    sign_download: Callable[[str, int], str] | None = None
    encode: EncodeProfile = FAST
    # The moderation verdict of a job's source for some scenes, as items[].result shows it.
    censor: Callable[[SourceInfo, tuple[str, ...], str], Any] | None = None

    def context(self, scratch: Path, source: SourceInfo, log: Callable[[str], None],
                progress: Callable[[float], None], access: Access, sync: bool = False,
                stop: threading.Event | None = None, public_url: str | None = None,
                output_key: str | None = None) -> OpContext:
        control = RunControl(stop=stop or self.shutdown, children=self.children,
                             nice=SYNC_NICENESS if sync else 0)
        fetch = self.fetcher.bind(access) if self.fetcher is not None else None
        return OpContext(scratch=scratch, source=source, fetch_url=fetch,
                         ffmpeg=self.ffmpeg(), op_timeout=self.op_timeout, log=log,
                         progress=progress, sync=sync, control=control, memory=self.memory,
                         public_url=self.public_url() if public_url is None else public_url,
                         sign_download=self.sign_download, now=self.storage.clock.now, output_key=output_key,
                         encode=self.encode, censor=self._censor_for(source, sync))

    def _censor_for(self, source: SourceInfo, sync: bool) -> Callable[[tuple[str, ...], str], Any] | None:
        judge = self.censor
        if judge is None or sync:
            return None
        return lambda scenes, app: judge(source, scenes, app)

    def run_item(self, pipeline: Pipeline, source: ObjectInfo, index: int, force: bool,
                 log: Callable[[str], None], progress: Callable[[float], None],
                 timings: list[StageLog], access: Access) -> Item:
        """Run one ``;`` command; never raises for a failure of the command itself.

        Raises :class:`Cancelled` when a shutdown stops it (the job is then resumed later).
        """
        item = Item(cmd=pipeline.text)
        info = _source_info(source)
        try:
            # A savePattern renders its key here: one too long for Qiniu fails the item, not the job.
            target = self.target(pipeline, info)
            old = self._existing(target) if not force and not self._inline(pipeline) else None
        except QiniuError as exc:
            item.code, item.error = Code.FAILED, f"save failed: {exc.message}"
            return item
        if old is not None:
            item.code, item.key, item.hash, item.return_old = Code.SUCCESS, old.key, old.hash, 1
            item.bucket = target.bucket
            return item
        scratch = self.storage.scratch_dir("job")
        try:
            ctx = self.context(scratch, info, log, progress, access, output_key=target.key)
            run = run_ops(pipeline.ops, source.path, source.mime, ctx, self.registry)
            timings.extend(_stage_logs(index, run.timings))
            self._store(run, target, item, scratch)
            item.code = Code.SUCCESS
        except StageFailed as exc:
            timings.extend(_stage_logs(index, exc.timings))
            item.code, item.error, item.error_index = Code.FAILED, exc.item_error, exc.index
            log(f"item {index} stage {exc.index} failed: {exc.message}")
            if exc.hint:
                log(HINT_PREFIX + exc.hint)
        except QiniuError as exc:
            item.code, item.error = Code.FAILED, f"save failed: {exc.message}"
            log(f"item {index} could not be saved: {exc.message}")
        finally:
            self.storage.remove_scratch(scratch)
        return item

    def run_sync(self, pipeline: Pipeline, source: ObjectInfo, scratch: Path,
                 log: Callable[[str], None], access: Access, stop: threading.Event,
                 public_url: str | None = None) -> OpResult:
        """Run a download-URL fop in ``scratch`` (the caller owns it).

        ``public_url`` is the scheme and host the request came in on. Raises
        :class:`StageFailed` when a stage fails, :class:`Cancelled` when ``stop`` is set.
        """
        ctx = self.context(scratch, _source_info(source), log, lambda fraction: None, access,
                           sync=True, stop=stop, public_url=public_url)
        return run_ops(pipeline.ops, source.path, source.mime, ctx, self.registry).result

    def save_sync(self, pipeline: Pipeline, source: ObjectInfo, result: OpResult, scratch: Path) -> ObjectInfo:
        """Store a download-URL fop's result where its ``saveas`` says (signature already checked)."""
        target = self.target(pipeline, _source_info(source))
        return self.storage.put_path(target.bucket, self._final_key(target, result.path), result.path,
                                     mime=result.mime, move=result.path.is_relative_to(scratch),
                                     delete_after_days=target.delete_after_days)

    def target(self, pipeline: Pipeline, info: SourceInfo) -> Target:
        saveas: SaveAs | None = pipeline.saveas
        if saveas is None:
            if self._stored_by_hash(pipeline):
                return Target(info.bucket, None, OWN_HASH_KEY)
            return Target(info.bucket, default_output_key(pipeline, info.etag))
        days = saveas.delete_after_days or 0
        if saveas.save_pattern:
            key = render_template(saveas.save_pattern, info.variables(), json_mode=False)
            return Target(saveas.bucket, key, delete_after_days=days)
        if saveas.save_key:
            return Target(saveas.bucket, None, saveas.save_key, days)
        if saveas.key is None and self._stored_by_hash(pipeline):
            return Target(saveas.bucket, None, OWN_HASH_KEY, days)
        key = saveas.key if saveas.key is not None else default_output_key(pipeline, info.etag)
        return Target(saveas.bucket, key, delete_after_days=days)

    def _inline(self, pipeline: Pipeline) -> bool:
        spec = self.registry.get(pipeline.ops[-1].name) if pipeline.ops else None
        return spec is not None and spec.inline

    def _stored_by_hash(self, pipeline: Pipeline) -> bool:
        spec = self.registry.get(pipeline.ops[-1].name) if pipeline.ops else None
        return spec is not None and spec.stored_by_hash

    @staticmethod
    def _final_key(target: Target, path: Path) -> str:
        """The target key, rendering ``saveKey`` from the result's etag when needed."""
        if target.key is not None:
            return target.key
        with path.open("rb") as f:
            return render_template(target.save_key or "", output_variables(etag_of_stream(f)), json_mode=False)

    def _existing(self, target: Target) -> ObjectInfo | None:
        if target.key is None:
            return None
        try:
            return self.storage.stat(target.bucket, target.key)
        except (NoSuchKey, NoSuchBucket):
            return None

    def _store(self, run: PipelineRun, target: Target, item: Item, scratch: Path) -> None:
        result = run.result
        if result.inline is not None:  # an answer, not an object (image-censor)
            item.result = result.inline
            return
        extra_paths = {extra.path for extra in result.extra}
        keys = []
        for extra in result.extra:
            stored = self.storage.put_path(target.bucket, extra.key, extra.path, mime=extra.mime, move=True,
                                           delete_after_days=target.delete_after_days)
            keys.append(stored.key)
        if result.path in extra_paths:
            # multi-output ops whose main output is one of the extras (vsample frames)
            first = self.storage.stat(target.bucket, keys[0])
            item.key, item.hash, item.keys, item.bucket = first.key, first.hash, keys, target.bucket
            return
        key = self._final_key(target, result.path)
        # only files the ops wrote are moved; a pass-through may be the source object itself
        stored = self.storage.put_path(target.bucket, key, result.path, mime=result.mime,
                                       move=result.path.is_relative_to(scratch),
                                       delete_after_days=target.delete_after_days)
        item.key, item.hash, item.bucket = stored.key, stored.hash, target.bucket
        item.keys = keys or None


def _stage_logs(index: int, timings: list[StageTiming]) -> list[StageLog]:
    return [StageLog(index, t.op, round(t.seconds, 4), t.passthrough) for t in timings]


def _source_info(obj: ObjectInfo) -> SourceInfo:
    return SourceInfo(bucket=obj.bucket, key=obj.key, etag=obj.hash, fsize=obj.fsize,
                      mime=obj.mime, end_user=obj.end_user)
