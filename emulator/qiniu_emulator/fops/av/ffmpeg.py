"""Running ffmpeg for the audio/video ops: argument lists, deadlines, progress, errors.

Commands are built with ffmpeg-python and run as argument lists (never through a
shell). Every run reads stdin from nowhere, may only open local files, overwrites its
own scratch outputs, and reports ``-progress`` lines back as a fraction of the
expected output duration.
"""

from __future__ import annotations

import functools
import os
import selectors
import shlex
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, IO, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    import ffmpeg
else:
    ffmpeg = lazy_module("ffmpeg")

from ..context import Cancelled, OpContext, OpFailed
from .inputs import input_options

# Global options go first: ffmpeg warns about (and may ignore) options after the last output.
GLOBAL_ARGS = ("-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
               "-progress", "pipe:1", "-y")
STDERR_TAIL_LINES = 20
# How often a running ffmpeg checks whether its run was cancelled.
STOP_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Deadline:
    """The wall-clock limit of one op, shared by every process the op starts."""

    at: float
    seconds: float

    @classmethod
    def start(cls, seconds: float) -> "Deadline":
        return cls(at=time.monotonic() + seconds, seconds=seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()


def media_input(path: Path, **options: Any) -> Any:
    """An ffmpeg-python input through the media gate (see ``inputs``)."""
    return ffmpeg.input(str(path), **input_options(), **options)


def compile_argv(node: Any, ctx: OpContext) -> list[str]:
    """The full argument list of an ffmpeg-python output node, global options first."""
    argv = node.compile(cmd=ctx.ffmpeg)
    return [argv[0], *GLOBAL_ARGS, *argv[1:]]


def run_ffmpeg(argv: list[str], ctx: OpContext, deadline: Deadline,
               expected_seconds: float | None = None) -> None:
    """Run one ffmpeg command; raise OpFailed on a non-zero exit or when time runs out.

    ``expected_seconds`` (the output duration) turns ``out_time`` into progress.
    """
    ctx.log("ffmpeg: " + shlex.join(argv))
    children = ctx.control.children
    try:
        proc = children.spawn(argv, nice=ctx.control.nice, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise OpFailed(f"cannot start ffmpeg ({ctx.ffmpeg}): {exc.strerror or exc}") from exc
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    # stderr is drained on a thread so a chatty ffmpeg can never block on a full pipe;
    # progress is read here so ctx.progress is always called on the op's own thread.
    drain = threading.Thread(target=_drain_lines, args=(proc.stderr, tail), daemon=True)
    drain.start()
    try:
        finished = _follow_progress(proc, ctx, deadline, expected_seconds)
        if finished:
            finished = _wait(proc, ctx, deadline)
    finally:
        if proc.poll() is None:
            children.kill(proc)
        children.release(proc)
        drain.join(timeout=5)
        _pipe(proc.stdout).close()
    if not finished:
        _log_tail(ctx, tail)
        raise OpFailed(f"ffmpeg timed out after {deadline.seconds:g} s and was stopped")
    if proc.returncode != 0:
        _log_tail(ctx, tail)
        raise OpFailed(f"ffmpeg failed: {_last_error(tail, proc.returncode)}")
    ctx.progress(1.0)


def _follow_progress(proc: subprocess.Popen, ctx: OpContext, deadline: Deadline,
                     expected_seconds: float | None) -> bool:
    """Read ``-progress`` output until EOF; False if the deadline passed first.

    Raises :class:`Cancelled` (after which the caller kills ffmpeg) when the run is stopped.
    """
    fd = _pipe(proc.stdout).fileno()
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            remaining = deadline.remaining()
            if remaining <= 0:
                return False
            if ctx.control.stop.is_set():
                raise Cancelled()
            if not selector.select(timeout=min(remaining, STOP_POLL_SECONDS)):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return True
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                fraction = _progress_fraction(line, expected_seconds)
                if fraction is not None:
                    ctx.progress(fraction)


def _progress_fraction(line: bytes, expected_seconds: float | None) -> float | None:
    key, _, value = line.decode("ascii", "replace").strip().partition("=")
    if key != "out_time_us" or not expected_seconds or not value.isdigit():
        return None
    return min(1.0, int(value) / 1e6 / expected_seconds)


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    """A pipe ``Popen`` was asked to open (so it is never None)."""
    if stream is None:
        raise RuntimeError("ffmpeg was started without its pipes")
    return stream


def _wait(proc: subprocess.Popen, ctx: OpContext, deadline: Deadline) -> bool:
    while deadline.remaining() > 0:
        if ctx.control.stop.is_set():
            raise Cancelled()
        try:
            proc.wait(timeout=min(max(deadline.remaining(), 0.01), STOP_POLL_SECONDS))
            return True
        except subprocess.TimeoutExpired:
            continue
    return False


def _drain_lines(stream: Any, tail: deque[str]) -> None:
    with stream:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                tail.append(line)


def _log_tail(ctx: OpContext, tail: deque[str]) -> None:
    for line in tail:
        ctx.log(f"ffmpeg stderr: {line}")


def _last_error(tail: deque[str], returncode: int) -> str:
    return tail[-1] if tail else f"exit status {returncode}"


@functools.lru_cache(maxsize=8)
def available_encoders(ffmpeg_exe: str) -> frozenset[str]:
    """Encoder names of this ffmpeg build (asked once per executable)."""
    try:
        listing = subprocess.run([ffmpeg_exe, "-hide_banner", "-nostdin", "-encoders"],
                                 capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise OpFailed(f"cannot list the encoders of {ffmpeg_exe}: {exc}") from exc
    names = set()
    for line in listing.splitlines():
        parts = line.split()
        # Encoder rows look like " V....D libx264   description"; the legend rows end in "=".
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] in "VAS" and "=" not in line[:12]:
            names.add(parts[1])
    return frozenset(names)
