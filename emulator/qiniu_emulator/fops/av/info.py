"""avinfo: ffprobe-shaped metadata (``streams[]`` and ``format{}``) read with PyAV.

Typing follows ffprobe's JSON writer: counts and sizes of the picture are numbers,
times, rates and byte sizes are strings.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    import av
else:
    av = lazy_module("av")

from .probe import fraction_text, open_media


def media_info_json(path: Path, filename: str) -> dict[str, Any]:
    """The avinfo document of ``path``; ``filename`` replaces the local path."""
    with open_media(path) as container:
        streams = [_stream_json(stream) for stream in container.streams]
        return {"streams": streams, "format": _format_json(container, path, filename)}


def _format_json(container, path: Path, filename: str) -> dict[str, Any]:
    fmt: dict[str, Any] = {
        "filename": filename,
        "nb_streams": len(container.streams),
        "nb_programs": 0,
        "format_name": container.format.name,
        "format_long_name": container.format.long_name,
    }
    if container.start_time is not None:
        fmt["start_time"] = _seconds(Fraction(container.start_time, av.time_base))
    if container.duration is not None:
        fmt["duration"] = _seconds(Fraction(container.duration, av.time_base))
    fmt["size"] = str(path.stat().st_size)
    if container.bit_rate:
        fmt["bit_rate"] = str(container.bit_rate)
    if container.metadata:
        fmt["tags"] = dict(container.metadata)
    return fmt


def _stream_json(stream) -> dict[str, Any]:
    ctx = stream.codec_context
    out: dict[str, Any] = {"index": stream.index}
    if ctx is not None and ctx.codec is not None:
        out["codec_name"] = ctx.codec.canonical_name
        out["codec_long_name"] = ctx.codec.long_name
        if stream.profile:
            out["profile"] = stream.profile
    out["codec_type"] = stream.type
    if ctx is not None:
        out.update(_codec_tag(ctx.codec_tag))
    if stream.type == "video":
        out.update(_video_fields(stream, ctx))
    elif stream.type == "audio":
        out.update(_audio_fields(stream, ctx))
    out.update(_timing_fields(stream))
    if ctx is not None and ctx.bit_rate:
        out["bit_rate"] = str(ctx.bit_rate)
    if stream.frames:
        out["nb_frames"] = str(stream.frames)
    if stream.metadata:
        out["tags"] = dict(stream.metadata)
    return out


def _codec_tag(tag: str | None) -> dict[str, str]:
    if not tag or len(tag) != 4 or not tag.isprintable():
        return {"codec_tag_string": "[0][0][0][0]", "codec_tag": "0x0000"}
    value = int.from_bytes(tag.encode("latin-1"), "little")
    return {"codec_tag_string": tag, "codec_tag": f"0x{value:08x}"}


def _video_fields(stream, ctx) -> dict[str, Any]:
    rate = stream.average_rate or stream.guessed_rate
    fields: dict[str, Any] = {
        "codec_time_base": fraction_text(1 / rate) if rate else "0/0",
        "width": ctx.width,
        "height": ctx.height,
        "coded_width": ctx.coded_width or ctx.width,
        "coded_height": ctx.coded_height or ctx.height,
        # PyAV reports only whether B-frames are present, not the reorder depth.
        "has_b_frames": int(bool(ctx.has_b_frames)),
        "sample_aspect_ratio": _ratio(ctx.sample_aspect_ratio),
        "display_aspect_ratio": _ratio(ctx.display_aspect_ratio),
        "pix_fmt": ctx.pix_fmt,
        "level": ctx.level if ctx.level is not None else -99,
    }
    fields["r_frame_rate"] = fraction_text(stream.base_rate or stream.guessed_rate)
    fields["avg_frame_rate"] = fraction_text(stream.average_rate)
    return fields


def _audio_fields(stream, ctx) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "codec_time_base": f"1/{ctx.sample_rate}" if ctx.sample_rate else "0/0",
        "sample_fmt": ctx.format.name if ctx.format else "unknown",
        "sample_rate": str(ctx.sample_rate or 0),
        "channels": ctx.channels,
        "bits_per_sample": _bits_per_sample(ctx),
    }
    if ctx.layout is not None:
        fields["channel_layout"] = ctx.layout.name
    return fields


def _bits_per_sample(ctx) -> int:
    # ffprobe reports the codec's fixed sample size: non-zero only for PCM-like codecs.
    if ctx.codec.canonical_name.startswith("pcm_") and ctx.format is not None:
        return ctx.format.bits
    return 0


def _timing_fields(stream) -> dict[str, Any]:
    fields: dict[str, Any] = {"time_base": fraction_text(stream.time_base)}
    if stream.start_time is not None and stream.time_base:
        fields["start_pts"] = stream.start_time
        fields["start_time"] = _seconds(stream.start_time * stream.time_base)
    if stream.duration is not None and stream.time_base:
        fields["duration_ts"] = stream.duration
        fields["duration"] = _seconds(stream.duration * stream.time_base)
    return fields


def _ratio(value: Fraction | None) -> str:
    if not value:
        return "0:1"
    return f"{value.numerator}:{value.denominator}"


def _seconds(value: Fraction) -> str:
    return f"{float(value):.6f}"
