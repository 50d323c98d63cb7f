"""imageInfo and imageAve (docs/fops.md §5.1, §5.3): JSON facts about an image.

``colorModel`` vocabulary: JPEG colour is ``ycbcr`` (``cmyk`` for CMYK, ``gray`` for
grayscale); otherwise ``rgb``, ``nrgba`` (any alpha), ``gray``, ``gray16`` (16-bit
grayscale) and ``palette<N>`` with N the number of palette entries (the spec's
``palette16`` reading). ``width``/``height`` are the stored size, not EXIF-rotated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import json
from pathlib import Path

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import ImageStat
else:
    ImageStat = lazy_module("PIL.ImageStat")

from ..context import OpContext, OpResult
from ..declare import Op
from .encode import FORMATS, WHITE, flatten
from .io import SourceImage, load, open_source, working_mode
from .memory import reserve, still_bytes

ORIENTATION_NAMES = {
    1: "Top-left", 2: "Top-right", 3: "Bottom-right", 4: "Bottom-left",
    5: "Left-top", 6: "Right-top", 7: "Right-bottom", 8: "Left-bottom",
}


def color_model(source: SourceImage) -> str:
    mode = source.image.mode
    if source.format == "jpeg":
        return {"L": "gray", "CMYK": "cmyk"}.get(mode, "ycbcr")
    if mode == "P":
        palette = source.image.getpalette() or []
        if "transparency" in source.image.info:
            return "nrgba"
        return f"palette{max(1, len(palette) // 3)}"
    if mode in ("1", "L"):
        return "gray"
    if mode.startswith("I"):
        return "gray16"
    if mode == "CMYK":
        return "cmyk"
    return "nrgba" if "A" in mode or "transparency" in source.image.info else "rgb"


def image_info(source: SourceImage) -> dict:
    """The imageInfo object: size, format, width, height, colorModel (+ frameNumber, orientation)."""
    info = {
        "size": source.file_size,
        "format": source.format,
        "width": source.size[0],
        "height": source.size[1],
        "colorModel": color_model(source),
    }
    if source.format == "gif":
        info["frameNumber"] = source.frames
    exif = source.exif()
    if exif is not None and exif.get(0x0112) in ORIENTATION_NAMES:
        info["orientation"] = ORIENTATION_NAMES[exif[0x0112]]
    return info


def average_colour(source: SourceImage) -> str:
    """``0xrrggbb``: the mean colour with any alpha composited on white."""
    image = source.image
    if source.format == "jpeg":
        # DCT scaling keeps each block's mean, so the average barely moves and memory stays small.
        image.draft(image.mode, (256, 256))
    load(image)
    rgb = flatten(working_mode(image)[0], WHITE).convert("RGB")
    mean = ImageStat.Stat(rgb).mean
    return "0x" + "".join(f"{min(255, int(channel + 0.5)):02x}" for channel in mean)


def write_json(ctx: OpContext, value: dict) -> OpResult:
    out = ctx.output_path(".json")
    out.write_text(json.dumps(value, ensure_ascii=False))
    return OpResult(path=out, mime="application/json")


def run_image_info(op: Op, src: Path, ctx: OpContext) -> OpResult:
    with open_source(src) as source:
        return write_json(ctx, image_info(source))


def run_image_ave(op: Op, src: Path, ctx: OpContext) -> OpResult:
    with open_source(src) as source:
        # A JPEG is averaged at 1/8 scale (draft), so it stays small.
        needed = 0 if source.format == "jpeg" else still_bytes(source, [], FORMATS["jpeg"]) + source.size[0] * source.size[1] * 4
        with reserve(ctx, needed, source):
            return write_json(ctx, {"RGB": average_colour(source)})
