"""avthumb's audio filters: the ``af`` chain, ``volume``, ``loudnorm*`` and ``amix*``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    import ffmpeg
else:
    ffmpeg = lazy_module("ffmpeg")

from ..context import OpContext, OpFailed
from .ffmpeg import media_input
from .filters import apply_chain
from .probe import MediaInfo, probe
from .thumb_parse import ThumbArgs

# ffmpeg's own loudnorm defaults, which Qiniu's loudnormI/LRA/TP presumably mirror.
LOUDNORM_DEFAULTS = {"I": -24.0, "LRA": 7.0, "TP": -2.0}


def audio_stream(source: Any, args: ThumbArgs, info: MediaInfo, ctx: OpContext) -> Any:
    """The source's first audio stream with every audio filter ``args`` asks for."""
    audio = apply_chain(source["a:0"], args.af)
    if args.volume is not None:
        audio = audio.filter("volume", args.volume)
    if args.loudnorm:
        audio = _loudnorm(audio, args, info)
    if args.amix is not None:
        audio = _mix_in(audio, args, ctx)
    return audio


def _loudnorm(audio: Any, args: ThumbArgs, info: MediaInfo) -> Any:
    targets = dict(LOUDNORM_DEFAULTS)
    for name, value in (("I", args.loudnorm_i), ("LRA", args.loudnorm_lra), ("TP", args.loudnorm_tp)):
        if value is not None:
            targets[name] = value
    audio = audio.filter("loudnorm", **{k: f"{v:g}" for k, v in targets.items()})
    # loudnorm works at 192 kHz; the output keeps the rate it would have had without it
    rate = args.ar or (info.audio.sample_rate if info.audio else 0) or 48000
    return audio.filter("aresample", rate)


def _mix_in(audio: Any, args: ThumbArgs, ctx: OpContext) -> Any:
    """``amix/<url>``: the fetched audio, from ``amixStart`` for ``amixDuration`` seconds, mixed
    in at ``amixOffset`` seconds of the output; the output keeps its own length."""
    url = args.amix or ""
    path = ctx.fetch(url, Path(tempfile.mkdtemp(dir=ctx.scratch, prefix="amix-")))
    try:
        mixed_info = probe(path)
    except OpFailed as exc:
        raise OpFailed(f"amix {url}: {exc}") from exc
    if mixed_info.audio is None:
        raise OpFailed(f"amix {url} has no audio")
    options: dict[str, Any] = {}
    if args.amix_start:
        options["ss"] = args.amix_start
    if args.amix_duration is not None:
        options["t"] = args.amix_duration
    mixed = media_input(path, **options)["a:0"]
    if args.amix_offset:
        mixed = mixed.filter("adelay", delays=f"{round(args.amix_offset * 1000)}", all=1)
    return ffmpeg.filter([audio, mixed], "amix", inputs=2, duration="first", dropout_transition=0)
