"""Run the ops of one pipeline on a file, stage by stage.

Shared by persistent jobs, synchronous download fops and the ``fop`` command, so all
three produce the same bytes for the same fop string.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass, field
from pathlib import Path

from .context import OpContext, OpFailed, OpResult
from .declare import Op
from .registry import Registry


@dataclass
class StageFailed(Exception):
    """Stage ``index`` of a pipeline failed with ``message``."""

    index: int
    message: str
    timings: list["StageTiming"] = field(default_factory=list)
    hint: str = ""  # OpFailed.hint: for the logs, never the item's error

    def __post_init__(self) -> None:
        super().__init__(f"stage {self.index}: {self.message}")

    @property
    def item_error(self) -> str:
        return f"execute fop cmd failed: {self.message}"


@dataclass
class StageTiming:
    op: str
    seconds: float
    passthrough: bool = False


@dataclass
class PipelineRun:
    result: OpResult
    timings: list[StageTiming] = field(default_factory=list)


def run_ops(ops: list[Op], src: Path, src_mime: str, ctx: OpContext, registry: Registry) -> PipelineRun:
    """Feed ``src`` through ``ops``; raise :class:`StageFailed` at the first failure.

    An op written with ``ignore-error/1`` that fails hands its input on unchanged.
    Unexpected exceptions from an op are failures of that stage, never of the caller.
    """
    current = OpResult(path=src, mime=src_mime)
    timings: list[StageTiming] = []
    extra = []
    for index, op in enumerate(ops):
        spec = registry.get(op.name)
        if spec is None:  # parse_op guarantees this; kept for direct callers
            raise StageFailed(index, f"unknown fop {op.name}")
        if ctx.sync and not spec.sync:
            raise StageFailed(index, f"{op.name} is only available through pfop")
        started = time.perf_counter()
        ctx.start_op()
        try:
            ctx.check()
            result = spec.run(op, current.path, ctx)
        except Exception as exc:  # noqa: BLE001 - an op failure must never escape as a crash
            message = str(exc) if isinstance(exc, OpFailed) else _describe(exc)
            if not op.ignore_error:
                raise StageFailed(index, message, timings, exc.hint if isinstance(exc, OpFailed) else "") from exc
            ctx.log(f"{op.name}: {message}; ignore-error returns the input unchanged")
            result = OpResult(path=current.path, mime=current.mime, passthrough=True)
        timings.append(StageTiming(op.name, time.perf_counter() - started, result.passthrough))
        extra.extend(result.extra)
        current = result
    current.extra = extra
    return PipelineRun(result=current, timings=timings)


def _describe(exc: Exception) -> str:
    if isinstance(exc, MemoryError):
        return ("out of memory: the input is too large for this emulator to process "
                "(see --op-memory-mb for image ops)")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on the emulator's disk to write the result"
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, (OSError, ValueError)) else f"{type(exc).__name__}: {text}"
