"""avthumb's soft subtitles: ``subtitle`` (embed the source's, or an srt/ass/mkv file),
``scodec`` and ``sn`` (docs/fops.md §6.2).

Subtitles are muxed as a stream of their own; burning them into the picture (``stFont*``)
is not emulated.
"""

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
from .formats import OutputFormat
from .inputs import INPUT_PROTOCOLS
from .params import EMBED
from .probe import MediaInfo
from .thumb_parse import ThumbArgs

# Subtitle codecs each container can carry, its default first.
CONTAINER_CODECS = {
    "mp4": ("mov_text",), "mov": ("mov_text",), "ipod": ("mov_text",),
    "matroska": ("srt", "ass", "webvtt", "mov_text"), "webm": ("webvtt",),
}
# Demuxers a subtitle file may be read with: text formats, and Matroska for "an mkv with subtitles".
SUBTITLE_FORMATS = "srt,ass,webvtt,matroska"


def subtitle_stream(source: Any, args: ThumbArgs, fmt: OutputFormat, info: MediaInfo,
                    ctx: OpContext, input_options: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The subtitle stream to map and its codec option, or ``(None, {})``."""
    if args.sn or (args.subtitle is None and args.scodec is None):
        return None, {}
    codecs = CONTAINER_CODECS.get(fmt.muxer)
    if codecs is None:
        raise OpFailed(f"avthumb/{args.format} cannot carry subtitles (mp4, mov, mkv and webm can)")
    codec = args.scodec or codecs[0]
    if codec not in codecs:
        raise OpFailed(f"avthumb/{args.format} carries {', '.join(codecs)} subtitles, not {codec}")
    if args.subtitle is None or args.subtitle == EMBED:
        if not info.subtitles:
            raise OpFailed("the source has no subtitle stream to keep")
        return source["s:0"], {"c:s": codec}
    path = ctx.fetch(args.subtitle, Path(tempfile.mkdtemp(dir=ctx.scratch, prefix="sub-")))
    track = ffmpeg.input(str(path), protocol_whitelist=INPUT_PROTOCOLS, format_whitelist=SUBTITLE_FORMATS,
                         **input_options)
    return track["s:0"], {"c:s": codec}
