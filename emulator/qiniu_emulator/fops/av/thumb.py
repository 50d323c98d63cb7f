"""avthumb: transcode to one output file (every format but m3u8, see ``hls``).

The command is planned from the parsed arguments, the format's preset values and a
probe of the source, so that rules such as "never above the source bitrate" and even
picture sizes are decided here rather than left to ffmpeg.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    import ffmpeg
else:
    ffmpeg = lazy_module("ffmpeg")

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op
from .audio_graph import audio_stream
from .codec_options import audio_options, video_options
from .ffmpeg import Deadline, available_encoders, compile_argv, media_input, run_ffmpeg
from .filters import apply_chain
from .formats import FORMATS, YUV420_ENCODERS, OutputFormat, resolve_encoder, speed_options
from .geometry import even, fit_inside, rotated, transposes
from .params import SizeSpec
from .probe import MediaInfo, VideoInfo, probe
from .subtitles import subtitle_stream
from .thumb_parse import ThumbArgs
from .watermark import add_marks


@dataclass
class Transcode:
    """A planned ffmpeg run: the output node and how long the output will play."""

    node: Any
    seconds: float | None


def run_avthumb(op: Op[ThumbArgs], src: Path, ctx: OpContext) -> OpResult:
    """Transcode ``src`` into the single file of ``avthumb/<format>``."""
    fmt = FORMATS[op.args.format]
    deadline = Deadline.start(ctx.op_timeout)
    info = probe(src, with_rotation=not fmt.audio_only)
    out = ctx.output_path(fmt.ext)
    plan = plan_transcode(op.args, fmt, info, src, out, ctx)
    run_ffmpeg(compile_argv(plan.node, ctx), ctx, deadline, plan.seconds)
    if not out.exists() or out.stat().st_size == 0:
        raise OpFailed(f"ffmpeg wrote no {op.args.format} output")
    return OpResult(path=out, mime=fmt.mime)


def plan_transcode(args: ThumbArgs, fmt: OutputFormat, info: MediaInfo, src: Path,
                   out: Path, ctx: OpContext, extra_options: dict[str, Any] | None = None) -> Transcode:
    """The ffmpeg-python output node for ``args`` applied to the probed source."""
    start = args.ss or 0.0
    seconds = _output_seconds(info, start, args.t)
    vcodec, acodec = args.vcodec or fmt.vcodec, args.acodec or fmt.acodec
    video = info.video if fmt.vcodec is not None and not args.vn else None
    keep_audio = fmt.acodec is not None and info.audio is not None and not args.an
    if video is None and not keep_audio:
        raise OpFailed(f"not a valid media: nothing to put in {args.format} "
                       f"(the source has {_describe_streams(info)})")
    input_options: dict[str, Any] = {"ss": start} if start else {}
    if args.t is not None:
        input_options["t"] = args.t
    source = media_input(src, **input_options)
    encoders = available_encoders(ctx.ffmpeg)
    streams, options = [], {"f": fmt.muxer, **(extra_options or {})}
    if video is not None and vcodec is not None:
        encoder = resolve_encoder(vcodec, encoders)
        streams.append(_video_stream(source, args, video, encoder, seconds, ctx))
        options.update(video_options(args, fmt, info, encoder))
        options.update(speed_options(encoder, ctx.encode))
    if keep_audio and acodec is not None:
        encoder = resolve_encoder(acodec, encoders)
        streams.append(audio_stream(source, args, info, ctx) if encoder != "copy" else source["a:0"])
        options.update(audio_options(args, fmt, info, encoder))
    subtitles, subtitle_options = subtitle_stream(source, args, fmt, info, ctx, input_options)
    if subtitles is not None:
        streams.append(subtitles)
        options.update(subtitle_options)
    options.update(_container_options(args, fmt))
    node = ffmpeg.output(*streams, str(out), **options)
    return Transcode(node=node, seconds=seconds)


def _output_seconds(info: MediaInfo, start: float, limit: float | None) -> float | None:
    if info.duration is None:
        return limit
    if start >= info.duration:
        raise OpFailed(f"ss {start:g} is beyond the duration {info.duration:.3f} s of the source")
    left = info.duration - start
    return min(left, limit) if limit else left


def _describe_streams(info: MediaInfo) -> str:
    kinds = [k for k, present in (("video", info.video), ("audio", info.audio)) if present]
    return " and ".join(kinds) + " only" if kinds else "no streams"


def _video_stream(source: Any, args: ThumbArgs, picture: VideoInfo, encoder: str,
                  seconds: float | None, ctx: OpContext) -> Any:
    video = source["v:0"]
    if encoder == "copy":
        return video
    if args.deinterlace:
        video = video.filter("yadif")
    size = (picture.width, picture.height)
    degrees = int(args.rotate) if args.rotate not in (None, "auto") else 0
    for direction in transposes(degrees):
        video = video.filter("transpose", direction)
    size = rotated(size, degrees)
    target = _target_size(size, args.s, args.autoscale)
    needs_even = encoder in YUV420_ENCODERS
    if needs_even:
        target = (even(target[0]), even(target[1]))
    if target != size:
        video = video.filter("scale", target[0], target[1])
    if args.pad_w is not None and args.pad_h is not None:
        video, target = _pad(video, args, target, needs_even)
    if args.vf:
        video = apply_chain(video, args.vf)
        if needs_even:  # a user crop/pad may leave odd sides
            video = video.filter("scale", "trunc(iw/2)*2", "trunc(ih/2)*2")
    return add_marks(video, args, target, seconds, ctx)


def _pad(video: Any, args: ThumbArgs, size: tuple[int, int], needs_even: bool) -> tuple[Any, tuple[int, int]]:
    """``padW``/``padH``: a black canvas with the video at padVideoX/Y (centred by default)."""
    canvas = (args.pad_w or 0, args.pad_h or 0)
    if needs_even:
        canvas = (even(canvas[0]), even(canvas[1]))
    for name, side, room in (("padW", size[0], canvas[0]), ("padH", size[1], canvas[1])):
        if room < side:
            raise OpFailed(f"{name} {room} is smaller than the video's {side}")
    x = (canvas[0] - size[0]) // 2 if args.pad_x is None else args.pad_x
    y = (canvas[1] - size[1]) // 2 if args.pad_y is None else args.pad_y
    if x + size[0] > canvas[0] or y + size[1] > canvas[1]:
        raise OpFailed(f"the video ({size[0]}x{size[1]}) at padVideoX {x}, padVideoY {y} "
                       f"does not fit the {canvas[0]}x{canvas[1]} canvas")
    return video.filter("pad", canvas[0], canvas[1], x, y, color="black"), canvas


def _target_size(size: tuple[int, int], spec: SizeSpec | None, autoscale: bool) -> tuple[int, int]:
    if spec is None or spec.width is None or spec.height is None:
        return size
    box = (spec.width, spec.height)
    if spec.only == ">" and size[0] <= box[0] and size[1] <= box[1]:
        return size
    if spec.only == "<" and size[0] >= box[0] and size[1] >= box[1]:
        return size
    return fit_inside(size[0], size[1], box[0], box[1]) if autoscale else box


def _container_options(args: ThumbArgs, fmt: OutputFormat) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.stripmeta:
        options["map_metadata"] = -1
    if fmt.muxer == "mp3" and args.write_xing is False:
        options["write_xing"] = 0
    if fmt.muxer in ("mp4", "mov", "ipod"):
        options["movflags"] = "+faststart"
    return options
