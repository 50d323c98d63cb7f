"""vframe (one frame at an offset) and vsample (frames at an interval) as JPEG/PNG."""

from __future__ import annotations

import math
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..registry import (
    ExtraOutput,
    FopSyntaxError,
    Op,
    OpContext,
    OpFailed,
    OpResult,
    Param,
    Schema,
    b64_text,
    int_range,
    one_of,
)
from .ffmpeg import Deadline, compile_argv, media_input, run_ffmpeg
from .geometry import transposes
from .naming import check_pattern, render_pattern
from .params import positive_seconds, rotate_value, seconds, size_spec
from .probe import MediaInfo, probe

IMAGE_FORMATS = {"jpg": ("mjpeg", "image/jpeg", ".jpg"), "png": ("png", "image/png", ".png")}
JPEG_QSCALE = 2  # ffmpeg's mjpeg scale: 2 is near-lossless, as thumbnails should be
DEFAULT_INTERVAL = 5.0
MAX_SAMPLES = 10_000

VFRAME_SCHEMA = Schema(
    positional=(Param("format", one_of(*IMAGE_FORMATS)),),
    pairs=(Param("offset", seconds), Param("w", int_range(1, 3840)), Param("h", int_range(1, 2160)),
           Param("rotate", rotate_value)),
)

VSAMPLE_SCHEMA = Schema(
    positional=(Param("format", one_of(*IMAGE_FORMATS)),),
    pairs=(Param("ss", seconds), Param("t", positive_seconds),
           Param("s", size_spec(3840, 3840, allow_missing=True)), Param("rotate", rotate_value),
           Param("interval", positive_seconds), Param("frames", int_range(1, MAX_SAMPLES)),
           Param("pattern", lambda t: check_pattern(b64_text(t))),
           Param("savePattern", lambda t: check_pattern(b64_text(t)))),
)


def parse_vframe(segments: list[str]) -> tuple[dict[str, Any], list[str]]:
    args, order = VFRAME_SCHEMA.parse(segments)
    if "offset" not in args:
        raise FopSyntaxError("vframe needs offset/<seconds>")
    return args, order


def parse_vsample(segments: list[str]) -> tuple[dict[str, Any], list[str]]:
    args, order = VSAMPLE_SCHEMA.parse(segments)
    if "interval" in args and "frames" in args:
        raise FopSyntaxError("interval and frames are mutually exclusive", "frames")
    if ("pattern" in args) == ("savePattern" in args):
        raise FopSyntaxError("vsample needs exactly one of pattern or savePattern")
    return args, order


def run_vframe(op: Op, src: Path, ctx: OpContext) -> OpResult:
    """The frame at ``offset`` seconds, scaled to w/h and rotated.

    ffmpeg runs first and the source is probed only when no frame comes out: a thumbnail
    is a few tens of milliseconds, and probing up front would add a tenth to every one.
    """
    deadline = Deadline.start(ctx.op_timeout)
    offset = op.args["offset"]
    codec, mime, ext = IMAGE_FORMATS[op.args["format"]]
    out = ctx.output_path(ext)
    # -ss before -i seeks by index: much faster than decoding up to the offset.
    video = _picture(media_input(src, ss=offset)["v:0"], op.args.get("w"), op.args.get("h"),
                     op.args.get("rotate"))
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


def run_vsample(op: Op, src: Path, ctx: OpContext) -> OpResult:
    """Frames every ``interval`` seconds (or ``frames`` evenly spaced) as extra outputs."""
    deadline = Deadline.start(ctx.op_timeout)
    info = _probe_video(src)
    start = op.args.get("ss", 0.0)
    if info.duration is None:
        raise OpFailed("not a valid video: its duration is unknown")
    if start >= info.duration:
        raise OpFailed(f"ss {start:g} is beyond the duration {info.duration:.3f} s of the video")
    span = min(op.args.get("t", math.inf), info.duration - start)
    count, rate = _sampling(op.args, span, info)
    codec, mime, ext = IMAGE_FORMATS[op.args["format"]]
    workdir = Path(tempfile.mkdtemp(dir=ctx.scratch, prefix="vsample-"))
    spec = op.args.get("s")
    window = {"ss": start, "t": span} if start else {"t": span}
    video = media_input(src, **window)["v:0"].filter("fps", fps=f"{rate.numerator}/{rate.denominator}")
    video = _picture(video, spec and spec.width, spec and spec.height, op.args.get("rotate"))
    node = video.output(str(workdir / f"%06d{ext}"), start_number=0, **_image_options(codec, count))
    run_ffmpeg(compile_argv(node, ctx), ctx, deadline, span)
    files = sorted(workdir.glob(f"*{ext}"))
    if not files:
        raise OpFailed("ffmpeg wrote no frames")
    pattern = op.args.get("savePattern") or op.args["pattern"]
    extra = [ExtraOutput(render_pattern(pattern, ctx.source, i), f, mime) for i, f in enumerate(files)]
    return OpResult(path=files[0], mime=mime, extra=extra)


def _sampling(args: dict[str, Any], span: float, info: MediaInfo) -> tuple[int, Fraction]:
    """How many frames to take and at what rate (frames per second)."""
    if "frames" in args:
        count = min(args["frames"], info.video.frames or args["frames"])
        return count, Fraction(count / span).limit_denominator(1000)
    interval = args.get("interval", DEFAULT_INTERVAL)
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
