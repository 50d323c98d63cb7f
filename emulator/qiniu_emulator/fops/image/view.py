"""imageView2: the six thumbnail modes of docs/fops.md §2.

The source is turned upright (EXIF orientation) first, then resized (never enlarged)
and, for modes 1 and 5, centre-cropped. Output sizes are limited as Qiniu limits them:
at most 9999 px per side and 25 Mpx on a download URL, 14999 px and 60 Mpx in a
persistent job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op, OpSpec
from ..grammar import arg, int_range, only_one, switch
from .encode import EncodeSettings
from .geometry import Size, view_plan
from .io import SourceImage
from .params import format_name
from .process import process_image
from .quality import Quality, parse_quality
from .steps import CentreCrop, Orient, ResizeTo, Step


@dataclass(frozen=True)
class ViewArgs:
    mode: int = arg(int_range(0, 5), "thumbnail mode 0-5", positional=True, required=True)
    w: int | None = arg(int_range(1, 9999), "width in px")
    h: int | None = arg(int_range(1, 9999), "height in px")
    format: str | None = arg(format_name, "output format")
    interlace: bool = arg(switch, "1 = progressive JPEG", default=False)
    q: Quality | None = arg(parse_quality, "quality 1-100, '!' = verbatim")
    colors: int | None = arg(int_range(1, 65536), "GIF palette size (clamped to 2-256)")
    ignore_error: bool = arg(only_one, "1 = return the input when processing fails",
                             name="ignore-error", default=False)


SYNC_OUTPUT_LIMIT = (9999, 25_000_000)
PERSISTENT_OUTPUT_LIMIT = (14999, 60_000_000)


def run_image_view(op: Op[ViewArgs], src: Path, ctx: OpContext) -> OpResult:
    """Run ``imageView2/<mode>/...`` on ``src``."""
    args = op.args
    settings = EncodeSettings(format=args.format, quality=args.q, interlace=args.interlace,
                              colors=args.colors)
    mode, w, h = args.mode, args.w, args.h
    limit = SYNC_OUTPUT_LIMIT if ctx.sync else PERSISTENT_OUTPUT_LIMIT

    def build(source: SourceImage) -> list[Step]:
        plan = view_plan(mode, source.oriented_size, w, h)
        _check_output(plan.crop or plan.resize, limit)
        steps: list[Step] = [Orient(source.orientation)] if source.orientation != 1 else []
        steps.append(ResizeTo(plan.resize))
        if plan.crop is not None:
            steps.append(CentreCrop(plan.crop))
        return steps

    return process_image(src, ctx, build, settings)


def _check_output(size: Size, limit: tuple[int, int]) -> None:
    side, pixels = limit
    if max(size) > side or size[0] * size[1] > pixels:
        raise OpFailed(f"output {size[0]}x{size[1]} exceeds the imageView2 limit of "
                       f"{side} px per side and {pixels} pixels")


SPEC = OpSpec(name="imageView2", run=run_image_view, args=ViewArgs, help="basic thumbnails")
