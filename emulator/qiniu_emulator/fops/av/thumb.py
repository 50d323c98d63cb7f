"""avthumb: transcode to one output file (every format but m3u8, see ``hls``).

The command is planned from the parsed arguments, the format's preset values and a
probe of the source, so that rules such as "never above the source bitrate" and even
picture sizes are decided here rather than left to ffmpeg.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op
from .ffmpeg import Deadline, available_encoders, compile_argv, media_input, run_ffmpeg
from .filters import apply_chain
from .formats import FORMATS, NO_BITRATE_ENCODERS, YUV420_ENCODERS, OutputFormat, resolve_encoder, speed_options
from .geometry import even, fit_inside, rotated, transposes
from .params import SizeSpec
from .thumb_parse import ThumbArgs
from .probe import MediaInfo, VideoInfo, probe
from .watermark import DEFAULT_GRAVITY, Placement, add_image_mark, add_text_mark


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
    input_options = {"ss": start} if start else {}
    if args.t is not None:
        input_options["t"] = args.t
    source = media_input(src, **input_options)
    encoders = available_encoders(ctx.ffmpeg)
    streams, options = [], {"f": fmt.muxer, **(extra_options or {})}
    if video is not None and vcodec is not None:
        encoder = resolve_encoder(vcodec, encoders)
        streams.append(_video_stream(source, args, video, encoder, ctx))
        options.update(_video_options(args, fmt, info, encoder))
        options.update(speed_options(encoder, ctx.encode))
    if keep_audio and acodec is not None:
        encoder = resolve_encoder(acodec, encoders)
        streams.append(apply_chain(source["a:0"], args.af))
        options.update(_audio_options(args, fmt, info, encoder))
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
                  ctx: OpContext) -> Any:
    video = source["v:0"]
    if encoder == "copy":
        return video
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
    if args.vf:
        video = apply_chain(video, args.vf)
        if needs_even:  # a user crop/pad may leave odd sides
            video = video.filter("scale", "trunc(iw/2)*2", "trunc(ih/2)*2")
    return _watermarks(video, args, ctx)


def _target_size(size: tuple[int, int], spec: SizeSpec | None, autoscale: bool) -> tuple[int, int]:
    if spec is None or spec.width is None or spec.height is None:
        return size
    box = (spec.width, spec.height)
    if spec.only == ">" and size[0] <= box[0] and size[1] <= box[1]:
        return size
    if spec.only == "<" and size[0] >= box[0] and size[1] >= box[1]:
        return size
    return fit_inside(size[0], size[1], box[0], box[1]) if autoscale else box


def _watermarks(video: Any, args: ThumbArgs, ctx: OpContext) -> Any:
    offsets = (args.wm_offset_x, args.wm_offset_y)
    if args.wm_image is not None:
        placement = Placement(args.wm_gravity or DEFAULT_GRAVITY, *offsets)
        video = add_image_mark(video, args.wm_image, placement, ctx)
    if args.wm_text is not None:
        placement = Placement(args.wm_gravity_text or DEFAULT_GRAVITY, *offsets)
        video = add_text_mark(video, args.wm_text, placement, ctx, args.wm_font,
                              args.wm_font_color, args.wm_font_size)
    return video


def _video_options(args: ThumbArgs, fmt: OutputFormat, info: MediaInfo,
                   encoder: str) -> dict[str, Any]:
    options: dict[str, Any] = {"c:v": encoder}
    if encoder == "copy":
        return options
    if encoder in YUV420_ENCODERS:
        options["pix_fmt"] = "yuv420p"
    options.update(_video_rate(args, fmt, info, encoder))
    if args.r is not None:
        options["r"] = f"{args.r:g}"
    if args.aspect is not None:
        options["aspect"] = args.aspect
    return options


def _video_rate(args: ThumbArgs, fmt: OutputFormat, info: MediaInfo,
                encoder: str) -> dict[str, Any]:
    """Bitrate or quality, never above the source's bitrate when that is known."""
    source_rate = info.video_bit_rate()
    wanted = args.vb or fmt.vb
    if wanted and source_rate:
        wanted = min(wanted, source_rate)
    crf = args.crf_value
    capped_crf = encoder in ("libx264", "libx265")
    if crf is not None:
        options: dict[str, Any] = {"crf": crf}
        cap = wanted or (source_rate if capped_crf else None)
        return options | ({"maxrate": cap, "bufsize": 2 * cap} if cap else {})
    if wanted:
        return {"b:v": wanted}
    if capped_crf and source_rate:
        return {"maxrate": source_rate, "bufsize": 2 * source_rate}
    return {}


def _audio_options(args: ThumbArgs, fmt: OutputFormat, info: MediaInfo,
                   encoder: str) -> dict[str, Any]:
    options: dict[str, Any] = {"c:a": encoder}
    if encoder == "copy":
        return options
    if args.aq is not None:
        options["q:a"] = _audio_quality(args.aq, encoder)
    elif encoder not in NO_BITRATE_ENCODERS:
        wanted = args.ab or fmt.ab
        source_rate = info.audio_bit_rate()
        if wanted and source_rate:
            wanted = min(wanted, source_rate)
        if wanted:
            options["b:a"] = wanted
    for name, value in (("ar", args.ar or fmt.ar), ("ac", args.ac or fmt.ac)):
        if value:
            options[name] = value
    if args.audio_profile is not None:
        options["profile:a"] = _aac_profile(args.audio_profile, encoder)
    return options


def _audio_quality(aq: int, encoder: str) -> float:
    """Qiniu's ``aq`` scale (mp3 0-9, aac 10-500) as the encoder's own ``-q:a``."""
    if encoder == "libmp3lame":
        if aq > 9:
            raise OpFailed(f"aq {aq} is out of range 0..9 for mp3")
        return aq
    if encoder == "aac":
        if aq < 10:
            raise OpFailed(f"aq {aq} is out of range 10..500 for aac")
        return aq / 100  # the native encoder's VBR scale runs 0.1..5
    return aq


def _aac_profile(profile: str, encoder: str) -> str:
    if profile == "aac_low":
        return profile
    if encoder != "libfdk_aac":
        raise OpFailed(f"audioProfile/{profile} needs acodec/libfdk_aac, "
                       "which this ffmpeg build does not have")
    return profile


def _container_options(args: ThumbArgs, fmt: OutputFormat) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.stripmeta:
        options["map_metadata"] = -1
    if fmt.muxer == "mp3" and args.write_xing is False:
        options["write_xing"] = 0
    if fmt.muxer in ("mp4", "mov", "ipod"):
        options["movflags"] = "+faststart"
    return options
