"""imageslim: a smaller JPEG or PNG with the same format and size (docs/fops.md §9.12).

``zlevel`` (0-10, default 3) trades quality for size: JPEG is re-encoded optimised and
progressive at ``92 - 4 * zlevel``, never above the source's own estimated quality; PNG
is re-encoded losslessly at zlevel 0 and quantised to a palette above it (256 colours up
to zlevel 5, 128 up to 8, 64 beyond). Metadata (EXIF orientation, ICC) is kept. As on
Qiniu, the input comes back unchanged when slimming fails or would not make it smaller,
and other formats pass through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import io
from dataclasses import dataclass
from pathlib import Path

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import Image
else:
    Image = lazy_module("PIL.Image")

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op, OpSpec
from ..grammar import arg, int_range
from .io import SourceImage, load, open_source
from .encode import FORMATS
from .memory import reserve, still_bytes
from .process import jpeg_quality, unchanged

DEFAULT_ZLEVEL = 3
SLIMMED = ("jpeg", "png")


@dataclass(frozen=True)
class SlimArgs:
    zlevel: int = arg(int_range(0, 10), "quality loss 0-10, lower keeps more quality", default=DEFAULT_ZLEVEL)


def jpeg_target_quality(zlevel: int, source_quality: int | None) -> int:
    wanted = 92 - 4 * zlevel
    return min(wanted, source_quality) if source_quality else wanted


def palette_colours(zlevel: int) -> int:
    return 256 >> max(0, (zlevel - 3) // 3)


def slim_jpeg(source: SourceImage, zlevel: int) -> bytes:
    image = source.image
    options: dict = {"quality": jpeg_target_quality(zlevel, jpeg_quality(source)),
                     "optimize": True, "progressive": True}
    for key in ("exif", "icc_profile"):
        if image.info.get(key):
            options[key] = image.info[key]
    load(image)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def slim_png(source: SourceImage, zlevel: int) -> bytes:
    load(source.image)
    image = source.image
    if zlevel > 0 and image.mode in ("RGB", "RGBA"):
        method = Image.Quantize.FASTOCTREE if image.mode == "RGBA" else Image.Quantize.MEDIANCUT
        image = image.quantize(palette_colours(zlevel), method=method)
    options: dict = {"optimize": True}
    for key in ("exif", "icc_profile"):
        if source.image.info.get(key):
            options[key] = source.image.info[key]
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def run_imageslim(op: Op[SlimArgs], src: Path, ctx: OpContext) -> OpResult:
    """Slim ``src``; the input itself is the result whenever slimming does not pay off."""
    try:
        with open_source(src) as source:
            as_is = unchanged(src, source)
            if source.format not in SLIMMED or source.animated:
                ctx.log(f"imageslim: {source.format} is not slimmed; returning the input unchanged")
                return as_is
            slim = slim_jpeg if source.format == "jpeg" else slim_png
            # Decoded, converted, quantized: the quantizer works on a copy of its own.
            needed = still_bytes(source, [], FORMATS["png"]) + source.size[0] * source.size[1] * 8
            with reserve(ctx, needed, source):
                data = slim(source, op.args.zlevel)
    except (OpFailed, OSError, ValueError) as exc:
        ctx.log(f"imageslim: {exc}; returning the input unchanged")
        return OpResult(path=src, mime="application/octet-stream", passthrough=True)
    if len(data) >= src.stat().st_size:
        ctx.log("imageslim: the slimmed image is not smaller; returning the input unchanged")
        return as_is
    out = ctx.output_path(".jpg" if source.format == "jpeg" else ".png")
    out.write_bytes(data)
    return OpResult(path=out, mime=as_is.mime)


SPEC = OpSpec(name="imageslim", run=run_imageslim, args=SlimArgs,
              help="smaller JPEG/PNG, same format and size")
