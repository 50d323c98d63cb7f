"""avthumb's encoder options: rates, quality, GOP, H.264 profile and level, smart slimming.

Every bitrate follows Qiniu's rule that an output never gets more than the source had
(docs/fops.md §6.3); the options are ffmpeg's own names, ready for ffmpeg-python.
"""

from __future__ import annotations

from typing import Any

from ..context import OpFailed
from .formats import NO_BITRATE_ENCODERS, YUV420_ENCODERS, OutputFormat
from .probe import MediaInfo
from .thumb_parse import ThumbArgs

H264_ENCODERS = frozenset({"libx264"})
PROFILE_TOOLS = {"main": "cabac=1", "high": "cabac=1:8x8dct=1"}
# avsmart maps smtQuality (-7..9, higher is better, default 0) onto x264/x265's CRF scale.
SMART_BASE_CRF = 26


def video_options(args: ThumbArgs, fmt: OutputFormat, info: MediaInfo, encoder: str) -> dict[str, Any]:
    options: dict[str, Any] = {"c:v": encoder}
    if encoder == "copy":
        return options
    if encoder in YUV420_ENCODERS:
        options["pix_fmt"] = "yuv420p"
    options.update(_smart_rate(args, info, encoder) if args.avsmart else _video_rate(args, fmt, info, encoder))
    if args.maxrate is not None:
        options.update(maxrate=args.maxrate, bufsize=2 * args.maxrate)
    options.update(_gop(args, encoder))
    options.update(_h264(args, encoder))
    if args.r is not None:
        options["r"] = f"{args.r:g}"
    if args.aspect is not None:
        options["aspect"] = args.aspect
    return options


def _video_rate(args: ThumbArgs, fmt: OutputFormat, info: MediaInfo, encoder: str) -> dict[str, Any]:
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


def _smart_rate(args: ThumbArgs, info: MediaInfo, encoder: str) -> dict[str, Any]:
    """avsmart: quality decides the bitrate, so ``vb`` has no effect (docs/fops.md §6.2)."""
    if encoder not in ("libx264", "libx265"):
        raise OpFailed(f"avsmart needs libx264 or libx265, and this ffmpeg has {encoder} instead")
    options: dict[str, Any] = {"crf": SMART_BASE_CRF - (args.smt_quality or 0)}
    source_rate = info.video_bit_rate()
    if source_rate:
        options.update(maxrate=source_rate, bufsize=2 * source_rate)
    return options


def _gop(args: ThumbArgs, encoder: str) -> dict[str, Any]:
    """``gop/N``: a keyframe every N frames, exactly (scene cuts add none in between)."""
    if not args.gop:
        return {}
    options: dict[str, Any] = {"g": args.gop, "keyint_min": args.gop}
    if encoder == "libx264":
        options["sc_threshold"] = 0
    return options


def _h264(args: ThumbArgs, encoder: str) -> dict[str, Any]:
    wanted = [(name, value) for name, value in (("h264Profile", args.h264_profile),
                                                ("h264Level", args.h264_level), ("ref", args.ref))
              if value is not None]
    if not wanted:
        return {}
    if encoder not in H264_ENCODERS:
        raise OpFailed(f"{wanted[0][0]} applies to H.264 output (libx264), not {encoder}")
    values = dict(wanted)
    options: dict[str, Any] = {}
    if "h264Profile" in values:
        options["profile:v"] = values["h264Profile"]
        # x264 reports the lowest profile its tools need; the fast encode preset turns off the
        # tools that make a stream Main (CABAC) or High (8x8 transforms), so they are asked for
        tools = PROFILE_TOOLS.get(str(values["h264Profile"]))
        if tools:
            options["x264-params"] = tools
    if "h264Level" in values:
        options["level:v"] = values["h264Level"]
    if "ref" in values:
        options["refs"] = values["ref"]
    return options


def audio_options(args: ThumbArgs, fmt: OutputFormat, info: MediaInfo, encoder: str) -> dict[str, Any]:
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
