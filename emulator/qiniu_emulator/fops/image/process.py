"""The shared run of imageView2, imageMogr2 and watermark: open, plan, render, encode.

Animated GIF/WebP sources stay animated when the output format can animate: every frame
goes through the same steps. Frame counts are bounded as docs/fops.md §2.1 says (GIF 200 and
WebP 50 frames on download URLs, 500 in persistent jobs) and the decoded frames of one
animation may hold at most ``ANIMATION_PIXEL_BUDGET`` pixels in total.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import Image
else:
    Image = lazy_module("PIL.Image")

from ..context import OpContext, OpFailed, OpResult
from .encode import (
    FORMATS,
    Animation,
    EncodeSettings,
    Metadata,
    OutputFormat,
    check_output_size,
    encode,
    output_format,
    prepare,
)
from .io import EXIF_ORIENTATION_TAG, SourceImage, open_source
from .memory import animation_bytes, reserve, still_bytes
from .quality import effective_quality, estimate_jpeg_quality
from .steps import Orient, Step, plan, render_frames, render_still

ANIMATION_PIXEL_BUDGET = 150_000_000
SOURCE_MIMES = {"psd": "image/vnd.adobe.photoshop"}


@dataclass(frozen=True)
class FrameLimit:
    """How many frames an animation may have, and what happens beyond that."""

    sync: int
    persistent: int

    def of(self, ctx: OpContext) -> int:
        return self.sync if ctx.sync else self.persistent


FRAME_LIMITS = {"gif": FrameLimit(200, 500), "webp": FrameLimit(50, 500)}


def process_image(src: Path, ctx: OpContext, build_steps: Callable[[SourceImage], list[Step]],
                  settings: EncodeSettings, too_many_frames_passthrough: bool = False) -> OpResult:
    """Run the steps ``build_steps`` gives for the opened source and write the result."""
    with open_source(src) as source:
        steps = build_steps(source)
        fmt = output_format(settings.format, source.format)
        final = plan(steps, source.size)
        check_output_size(fmt, final, ctx.sync)
        quality = effective_quality(fmt.name, settings.quality, jpeg_quality(source),
                                    source.size[0] * source.size[1], final[0] * final[1])
        if source.animated and fmt.animated:
            limit = FRAME_LIMITS.get(source.format, FrameLimit(500, 500)).of(ctx)
            if source.frames > limit:
                if too_many_frames_passthrough:
                    return unchanged(src, source)
                raise OpFailed(f"too many frames: {source.frames} > {limit}")
            check_animation_budget(source.frames, final)
            with reserve(ctx, animation_bytes(source, source.frames, steps, fmt), source):
                frames = render_frames(source, steps, limit, ctx.check)
                written = _write(frames, True, source, steps, fmt, quality, settings, ctx)
        else:
            with reserve(ctx, still_bytes(source, steps, fmt), source):
                image, icc_ok = render_still(source, steps, ctx.check)
                written = _write(image, icc_ok, source, steps, fmt, quality, settings, ctx)
        if written is None:
            ctx.log("size-limit cannot be met; returning the input unchanged")
            return unchanged(src, source)
        return OpResult(path=written, mime=fmt.mime)


def _write(image: Image.Image | Animation, icc_ok: bool, source: SourceImage, steps: list[Step],
           fmt: OutputFormat, quality: int, settings: EncodeSettings, ctx: OpContext) -> Path | None:
    """Encode the rendered pixels; None when ``size-limit`` cannot be met."""
    image = _prepare_all(image, fmt, settings)
    meta = carry_metadata(source, steps, icc_ok)
    out = ctx.output_path(fmt.suffix)
    if not encode(image, out, fmt, quality, settings, meta, source.file_size, ctx.encode):
        return None
    return out


def _prepare_all(image: Image.Image | Animation, fmt: OutputFormat,
                 settings: EncodeSettings) -> Image.Image | Animation:
    if isinstance(image, Animation):
        image.frames = [prepare(frame, fmt, settings) for frame in image.frames]
        return image
    return prepare(image, fmt, settings)


def check_animation_budget(frames: int, size: tuple[int, int]) -> None:
    total = frames * size[0] * size[1]
    if total > ANIMATION_PIXEL_BUDGET:
        raise OpFailed(f"animation too large: {frames} frames of {size[0]}x{size[1]}")


def unchanged(src: Path, source: SourceImage) -> OpResult:
    """The source itself as the op's result (the op decided not to change it).

    Marked as a pass-through so the caller copies it: the path may be a stored object.
    """
    fmt = FORMATS.get(source.format)
    mime = fmt.mime if fmt else SOURCE_MIMES.get(source.format, "application/octet-stream")
    return OpResult(path=src, mime=mime, passthrough=True)


def jpeg_quality(source: SourceImage) -> int | None:
    """Estimated IJG quality of a JPEG source, None for other formats."""
    tables = getattr(source.image, "quantization", None)
    if source.format != "jpeg" or not tables or 0 not in tables:
        return None
    return estimate_jpeg_quality(tables[0])


def carry_metadata(source: SourceImage, steps: list[Step], icc_ok: bool) -> Metadata:
    """EXIF and ICC to write; orientation reset when the pixels were turned upright."""
    icc = source.image.info.get("icc_profile") if icc_ok else None
    exif = source.exif()
    if exif is None:
        return Metadata(exif=None, icc=icc)
    if any(isinstance(step, Orient) and step.orientation != 1 for step in steps):
        exif[EXIF_ORIENTATION_TAG] = 1
    try:
        return Metadata(exif=exif.tobytes(), icc=icc)
    except (ValueError, TypeError, OSError, KeyError):
        return Metadata(exif=None, icc=icc)  # an EXIF block Pillow cannot re-serialise is dropped
