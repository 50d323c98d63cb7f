"""Writing the result image: output formats, modes, metadata and ``size-limit``.

Choices:

* Formats without alpha (jpg, bmp) get transparent areas flattened onto the
  ``background`` colour, white unless an opaque background was asked for (docs/fops.md §2.3).
* EXIF and ICC data are kept unless ``strip``; when the pixels were turned upright the
  EXIF orientation is reset to 1 so viewers do not rotate them a second time.
* ``colors`` quantises GIF output to that many palette entries (2-256).
* ``interlace`` writes progressive JPEG; other formats ignore it (docs/fops.md §2.1).
* heic/avif are written only when the installed Pillow has an encoder for them (heic
  through pillow-heif); the side limit for both is 9999 px (docs/fops.md vector 60),
  webp's is the codec's 16383 px. heic output is also limited to 30.72 Mpx in persistent
  jobs and 7.68 Mpx on download URLs (docs/fops.md §2.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import io
from dataclasses import dataclass
from pathlib import Path

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import Image, features
else:
    Image = lazy_module("PIL.Image")
    features = lazy_module("PIL.features")

from ..context import OpFailed
from ..profiles import FAST, EncodeProfile
from .color import RGBA
from .geometry import Size
from .io import MAX_PIXELS, MAX_SIDE, enable_heif
from .quality import Quality

WHITE: RGBA = (255, 255, 255, 255)


@dataclass(frozen=True)
class OutputFormat:
    name: str
    pillow: str
    mime: str
    suffix: str
    alpha: bool
    animated: bool
    max_side: int
    lossy: bool


FORMATS = {f.name: f for f in (
    OutputFormat("jpeg", "JPEG", "image/jpeg", ".jpg", False, False, 65500, True),
    OutputFormat("png", "PNG", "image/png", ".png", True, False, MAX_SIDE, False),
    OutputFormat("gif", "GIF", "image/gif", ".gif", True, True, MAX_SIDE, False),
    OutputFormat("webp", "WEBP", "image/webp", ".webp", True, True, 16383, True),
    OutputFormat("bmp", "BMP", "image/bmp", ".bmp", False, False, MAX_SIDE, False),
    OutputFormat("tiff", "TIFF", "image/tiff", ".tiff", True, False, MAX_SIDE, False),
    OutputFormat("avif", "AVIF", "image/avif", ".avif", True, False, 9999, True),
    OutputFormat("heic", "HEIF", "image/heic", ".heic", True, False, 9999, True),
)}

@dataclass(frozen=True)
class PixelLimit:
    """The most pixels an output format may have on a download URL and in a persistent job."""

    sync: int
    persistent: int


PIXEL_LIMITS = {"heic": PixelLimit(sync=7_680_000, persistent=30_720_000)}

# Names accepted in ``format/<fmt>``.
FORMAT_NAMES = ("jpg", "jpeg", "png", "gif", "webp", "bmp", "tiff", "avif", "heic")


@dataclass(frozen=True)
class SizeLimit:
    """``size-limit``: a byte budget (None = the input's size) and the ``!`` flag."""

    limit: int | None
    force: bool = False


@dataclass
class EncodeSettings:
    """The position-independent settings applied when the result is written."""

    format: str | None = None
    quality: Quality | None = None
    interlace: bool = False
    strip: bool = False
    colors: int | None = None
    background: RGBA = WHITE
    size_limit: SizeLimit | None = None


@dataclass
class Metadata:
    """Metadata carried from the source into the output (dropped by ``strip``)."""

    exif: bytes | None = None
    icc: bytes | None = None


@dataclass
class Animation:
    frames: list[Image.Image]
    durations: list[int]
    loop: int | None = 0  # None: play once (no loop extension)


def output_format(requested: str | None, source_format: str) -> OutputFormat:
    """The format to write: the requested one, else the source's (psd sources give png)."""
    name = requested or source_format
    name = "jpeg" if name == "jpg" else name
    fmt = FORMATS.get(name, FORMATS["png"])
    if not can_write(fmt):
        raise OpFailed(f"{fmt.name} output is not supported by this emulator's image library")
    return fmt


def can_write(fmt: OutputFormat) -> bool:
    """Whether the installed Pillow has an encoder for ``fmt`` (avif/heic are optional)."""
    Image.init()
    if fmt.name == "avif" and not features.check("avif"):
        return False
    if fmt.name == "heic" and not enable_heif():
        return False
    return fmt.pillow in Image.SAVE


def check_output_size(fmt: OutputFormat, size: Size, sync: bool = False) -> None:
    width, height = size
    if max(size) > fmt.max_side:
        raise OpFailed(f"{fmt.name} output is limited to {fmt.max_side} px per side, got {width}x{height}")
    if width * height > MAX_PIXELS:
        raise OpFailed(f"output too large: {width}x{height} pixels")
    limit = PIXEL_LIMITS.get(fmt.name)
    if limit is not None:
        most = limit.sync if sync else limit.persistent
        where = "on a download URL" if sync else "in a persistent job"
        if width * height > most:
            raise OpFailed(f"{fmt.name} output is limited to {most} pixels {where}, got {width}x{height}")


def prepare(image: Image.Image, fmt: OutputFormat, settings: EncodeSettings) -> Image.Image:
    """Bring a working-mode image into a mode ``fmt`` can store."""
    if not fmt.alpha:
        image = flatten(image, settings.background)
    elif fmt.name in ("webp", "avif", "heic") and image.mode in ("L", "LA"):
        image = image.convert("RGBA" if image.mode == "LA" else "RGB")
    if fmt.name == "gif" and settings.colors:
        image = quantize(image, settings.colors)
    return image


def flatten(image: Image.Image, background: RGBA) -> Image.Image:
    """Composite any alpha onto an opaque background (white when ``background`` is transparent)."""
    if image.mode not in ("LA", "RGBA"):
        return image
    colour = background if background[3] == 255 else WHITE
    base = Image.new("RGBA", image.size, colour)
    base.alpha_composite(image.convert("RGBA"))
    return base.convert("RGB")


def quantize(image: Image.Image, colors: int) -> Image.Image:
    colors = min(256, max(2, colors))
    if image.mode in ("LA", "RGBA"):
        return image.convert("RGBA").quantize(colors, method=Image.Quantize.FASTOCTREE)
    return image.convert("RGB").quantize(colors)


def save_options(fmt: OutputFormat, quality: int, settings: EncodeSettings,
                 meta: Metadata, profile: EncodeProfile = FAST) -> dict:
    options: dict = {}
    if fmt.lossy:
        options["quality"] = quality
    if fmt.name == "webp":
        options["method"] = profile.webp_method
    if fmt.name == "avif":
        options["speed"] = profile.avif_speed
    if fmt.name == "jpeg" and settings.interlace:
        options["progressive"] = True
    if fmt.name == "tiff":
        options["compression"] = "tiff_deflate"
    if not settings.strip and fmt.name in ("jpeg", "png", "webp", "avif", "heic", "tiff") and meta.icc:
        options["icc_profile"] = meta.icc
    if not settings.strip and fmt.name in ("jpeg", "png", "webp", "avif", "heic") and meta.exif:
        options["exif"] = meta.exif
    return options


def write(image: Image.Image | Animation, target: Path | io.BytesIO, fmt: OutputFormat,
          options: dict) -> None:
    """Save a still image or an animation (GIF/WebP) with ``options``."""
    try:
        if isinstance(image, Animation):
            first, *rest = image.frames
            if fmt.name == "gif":
                # Every frame is a full picture, so each one replaces the previous.
                options = {**options, "disposal": 2}
            if image.loop is not None:
                options = {**options, "loop": image.loop}
            first.save(target, fmt.pillow, save_all=True, append_images=rest,
                       duration=image.durations, **options)
        else:
            image.save(target, fmt.pillow, **options)
    except (OSError, ValueError, KeyError) as exc:
        raise OpFailed(f"cannot encode {fmt.name}: {exc}") from exc


def encode(image: Image.Image | Animation, path: Path, fmt: OutputFormat, quality: int,
           settings: EncodeSettings, meta: Metadata, input_size: int,
           profile: EncodeProfile = FAST) -> bool:
    """Write the result to ``path``; False when a forced ``size-limit`` could not be met
    (the caller then returns its input unchanged)."""
    options = save_options(fmt, quality, settings, meta, profile)
    if isinstance(image, Animation):
        options.pop("method", None)  # animated WebP's default effort is already the lowest
    write(image, path, fmt, options)
    limit = settings.size_limit
    if limit is None or not (fmt.name == "jpeg" or limit.force):
        return True
    budget = limit.limit if limit.limit is not None else input_size
    if path.stat().st_size <= budget:
        return True
    best = _highest_quality_within(image, fmt, options, budget) if fmt.lossy else None
    if best is not None:
        path.write_bytes(best)
        return True
    if not limit.force and fmt.lossy:
        write(image, path, fmt, {**options, "quality": 1})
    return not limit.force


def _highest_quality_within(image: Image.Image | Animation, fmt: OutputFormat, options: dict,
                            budget: int) -> bytes | None:
    """Binary search on quality for the largest encoding that fits ``budget`` bytes."""
    low, high, best = 1, options["quality"] - 1, None
    while low <= high:
        middle = (low + high) // 2
        buffer = io.BytesIO()
        write(image, buffer, fmt, {**options, "quality": middle})
        if buffer.tell() <= budget:
            best, low = buffer.getvalue(), middle + 1
        else:
            high = middle - 1
    return best
