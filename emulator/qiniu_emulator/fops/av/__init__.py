"""Audio/video ops: avthumb, vframe, avinfo, vsample, avconcat (ffmpeg + PyAV), adapt, pm3u8.

Every op probes its input in-process with PyAV (so a non-media input fails with
``not a valid media: ...`` before ffmpeg starts), then runs one ffmpeg command built
with ffmpeg-python under the op's wall-clock limit. Multi-output ops (HLS segments,
vsample frames) return their further files as extra outputs with their final keys.

Besides Qiniu's documented parameters, avthumb accepts ``af``/``vf`` filter chains
restricted to a whitelist of safe filters (see ``filters``).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..context import OpContext, OpResult
from ..declare import Op, OpSpec
from ..registry import Registry
from .adapt import AdaptArgs, run_adapt
from .concat import ConcatArgs, parse_avconcat, run_avconcat
from .frames import VframeArgs, VsampleArgs, run_vframe, run_vsample
from .hls import run_hls
from .info import media_info_json
from .pm3u8 import Pm3u8Args, run_pm3u8
from .thumb import run_avthumb
from .thumb_parse import INERT, NOT_EMULATED, ThumbArgs, parse_avthumb

NEUTRAL_FILENAME = "source"


def run_avthumb_any(op: Op[ThumbArgs], src: Path, ctx: OpContext) -> OpResult:
    """avthumb: HLS (playlist + segments) or a single transcoded file."""
    if op.args.format == "m3u8":
        return run_hls(op, src, ctx)
    return run_avthumb(op, src, ctx)


def run_avinfo(op: Op, src: Path, ctx: OpContext) -> OpResult:
    """ffprobe-shaped JSON; ``format.filename`` is the source key, never a local path."""
    document = media_info_json(src, ctx.source.key or NEUTRAL_FILENAME)
    out = ctx.output_path(".json")
    out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return OpResult(path=out, mime="application/json")


def register(registry: Registry) -> None:
    """Add the audio/video ops to ``registry``."""
    registry.add(OpSpec(name="avthumb", run=run_avthumb_any, args=ThumbArgs, parse=parse_avthumb,
                        help="transcode audio and video, HLS included", not_emulated=NOT_EMULATED,
                        inert=INERT))
    registry.add(OpSpec(name="vframe", run=run_vframe, args=VframeArgs, help="one video frame"))
    registry.add(OpSpec(name="avinfo", run=run_avinfo, help="ffprobe-shaped media metadata"))
    registry.add(OpSpec(name="vsample", run=run_vsample, args=VsampleArgs, sync=False,
                        help="video frames at an interval"))
    registry.add(OpSpec(name="avconcat", run=run_avconcat, args=ConcatArgs, parse=parse_avconcat,
                        sync=False, help="join audio and video pieces"))
    registry.add(OpSpec(name="adapt", run=run_adapt, args=AdaptArgs, sync=False,
                        help="multi-bitrate HLS: a master playlist over one variant per rendition"))
    registry.add(OpSpec(name="pm3u8", run=run_pm3u8, args=Pm3u8Args,
                        help="a private playlist with every segment URL signed"))
