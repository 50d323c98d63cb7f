"""vframe (one frame at an offset) and vsample (frames at an interval) as JPEG/PNG."""

from __future__ import annotations

import math
import tempfile
from fractions import Fraction
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..context import ExtraOutput, OpContext, OpFailed, OpResult
from ..declare import Op
from ..grammar import FopSyntaxError, arg, b64_text, int_range, one_of
from .ffmpeg import Deadline, compile_argv, media_input, run_ffmpeg
from .geometry import transposes
from .naming import check_pattern, render_pattern
from .params import SizeSpec, positive_seconds, rotate_value, seconds, size_spec
from .probe import MediaInfo, probe

IMAGE_FORMATS = {"jpg": ("mjpeg", "image/jpeg", ".jpg"), "png": ("png", "image/png", ".png")}
JPEG_QSCALE = 2  # ffmpeg's mjpeg scale: 2 is near-lossless, as thumbnails should be
DEFAULT_INTERVAL = 5.0
MAX_SAMPLES = 10_000


def _pattern(text: str) -> str:
    return check_pattern(b64_text(text))


@dataclass(frozen=True)
class VframeArgs:
    format: str = arg(one_of(*IMAGE_FORMATS), "jpg or png", positional=True, required=True)
    offset: float = arg(seconds, "seconds from the start", required=True)
    w: int | None = arg(int_range(1, 3840), "width in px")
    h: int | None = arg(int_range(1, 2160), "height in px")
    rotate: str | None = arg(rotate_value, "90, 180, 270 or auto")


@dataclass(frozen=True)
class VsampleArgs:
    format: str = arg(one_of(*IMAGE_FORMATS), "jpg or png", positional=True, required=True)
    ss: float | None = arg(seconds, "start offset in seconds")
    t: float | None = arg(positive_seconds, "duration in seconds")
    s: SizeSpec | None = arg(size_spec(3840, 3840, allow_missing=True), "frame size <w>x<h>")
    rotate: str | None = arg(rotate_value, "90, 180, 270 or auto")
    interval: float | None = arg(positive_seconds, "seconds between frames")
    frames: int | None = arg(int_range(1, MAX_SAMPLES), "number of frames, evenly spaced")
    pattern: str | None = arg(_pattern, "key pattern with $(count)")
    save_pattern: str | None = arg(_pattern, "key pattern with $(count)", name="savePattern")

    def check(self) -> None:
        if self.interval is not None and self.frames is not None:
            raise FopSyntaxError("interval and frames are mutually exclusive", "frames")
        if (self.pattern is None) == (self.save_pattern is None):
            raise FopSyntaxError("vsample needs exactly one of pattern or savePattern")


def run_vframe(op: Op[VframeArgs], src: Path, ctx: OpContext) -> OpResult:
    """The frame at ``offset`` seconds, scaled to w/h and rotated.

    ffmpeg runs first and the source is probed only when no frame comes out: a thumbnail
    is a few tens of milliseconds, and probing up front would add a tenth to every one.
    """
    deadline = Deadline.start(ctx.op_timeout)
    args = op.args
    offset = args.offset
    codec, mime, ext = IMAGE_FORMATS[args.format]
    out = ctx.output_path(ext)
    # -ss before -i seeks by index: much faster than decoding up to the offset.
    video = _picture(media_input(src, ss=offset)["v:0"], args.w, args.h, args.rotate)
    node = video.output(str(out), **_image_options(codec, frames=1), update=1)
    try:
        run_ffmpeg(compile_argv(node, ctx), ctx, deadline)
    except OpFailed as exc:
        raise _why_no_frame(src, offset) or exc
    if not out.exists() or out.stat().st_size == 0:
        raise _why_no_frame(src, offset) or OpFailed(_beyond(offset, None))
    return OpResult(path=out, mime=mime)


def _why_no_frame(src: Path, offset: float) -> OpFailed | None:
    """The user-facing reason a frame could not be taken, if the source explains it."""
    try:
        info = _probe_video(src)
    except OpFailed as exc:
        return exc
    if info.duration is not None and offset >= info.duration:
        return OpFailed(_beyond(offset, info.duration))
    return None


def run_vsample(op: Op[VsampleArgs], src: Path, ctx: OpContext) -> OpResult:
    """Frames every ``interval`` seconds (or ``frames`` evenly spaced) as extra outputs."""
    deadline = Deadline.start(ctx.op_timeout)
    info = _probe_video(src)
    args = op.args
    start = args.ss or 0.0
    if info.duration is None:
        raise OpFailed("not a valid video: its duration is unknown")
    if start >= info.duration:
        raise OpFailed(f"ss {start:g} is beyond the duration {info.duration:.3f} s of the video")
    span = min(args.t or math.inf, info.duration - start)
    count, rate = _sampling(args, span, info)
    codec, mime, ext = IMAGE_FORMATS[args.format]
    workdir = Path(tempfile.mkdtemp(dir=ctx.scratch, prefix="vsample-"))
    spec = args.s
    window = {"ss": start, "t": span} if start else {"t": span}
    video = media_input(src, **window)["v:0"].filter("fps", fps=f"{rate.numerator}/{rate.denominator}")
    video = _picture(video, spec.width if spec else None, spec.height if spec else None, args.rotate)
    node = video.output(str(workdir / f"%06d{ext}"), start_number=0, **_image_options(codec, count))
    run_ffmpeg(compile_argv(node, ctx), ctx, deadline, span)
    files = sorted(workdir.glob(f"*{ext}"))
    if not files:
        raise OpFailed("ffmpeg wrote no frames")
    pattern = args.save_pattern or args.pattern or ""
    extra = [ExtraOutput(render_pattern(pattern, ctx.source, i), f, mime) for i, f in enumerate(files)]
    return OpResult(path=files[0], mime=mime, extra=extra)


def _sampling(args: VsampleArgs, span: float, info: MediaInfo) -> tuple[int, Fraction]:
    """How many frames to take and at what rate (frames per second)."""
    if args.frames is not None:
        count = min(args.frames, (info.video and info.video.frames) or args.frames)
        return count, Fraction(count / span).limit_denominator(1000)
    interval = args.interval or DEFAULT_INTERVAL
    count = min(MAX_SAMPLES, max(1, math.ceil(round(span / interval, 6))))
    return count, 1 / Fraction(interval).limit_denominator(1000)


def _probe_video(src: Path) -> MediaInfo:
    info = probe(src)
    if info.video is None:
        raise OpFailed("not a valid video: the source has no video stream")
    return info


def _picture(video: Any, w: int | None, h: int | None, rotate: str | None) -> Any:
    """Scale to w×h, then rotate clockwise.

    A missing side is left to ffmpeg (``-1``): it scales the displayed (auto-rotated)
    picture and rounds half up, so the source's rotation need not be probed here.
    """
    if w or h:
        video = video.filter("scale", w or -1, h or -1)
    for direction in transposes(int(rotate) if rotate and rotate != "auto" else 0):
        video = video.filter("transpose", direction)
    return video


def _image_options(codec: str, frames: int) -> dict[str, Any]:
    options: dict[str, Any] = {"f": "image2", "c:v": codec, "frames:v": frames}
    if codec == "mjpeg":
        options["q:v"] = JPEG_QSCALE
    return options


def _beyond(offset: float, duration: float | None) -> str:
    known = f" {duration:.3f} s" if duration is not None else ""
    return f"offset {offset:g} is beyond the duration{known} of the video"
