"""Opening source images safely, and bringing their pixels into a working mode.

Safety rules, all checked from the header before any pixel is decoded:

* only the input formats Qiniu lists are identified (jpeg, png, gif, webp, tiff, bmp,
  psd, avif, heic), so no exotic decoder (EPS via Ghostscript, ...) ever runs; HEIC is
  read (and written) by pillow-heif, registered with Pillow on first use;
* sides above 30000 px or more than 150 Mpx are refused (docs/fops.md §2.1). Pillow's own
  decompression-bomb guard fires later (about 179 Mpx) and is reported the same way. Its
  warning for 89-150 Mpx images is left alone: silencing it needs process-global state;
* truncated or corrupt data surfaces as ``OpFailed("not a valid image: ...")`` when the
  pixels are loaded.

Working modes: every decoded image is normalised to L, LA, RGB or RGBA. Palette images
become RGB(A) so resampling is not nearest-neighbour; 16-bit grayscale is scaled down to
8 bits (not clipped); CMYK becomes RGB through its embedded ICC profile when there is one
(naive inversion otherwise), and that CMYK profile is then dropped from the output.
"""

from __future__ import annotations

import functools
import io
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import Image, ImageCms, ImageFile, ImageSequence
else:
    Image = lazy_module("PIL.Image")
    ImageCms = lazy_module("PIL.ImageCms")
    ImageFile = lazy_module("PIL.ImageFile")
    ImageSequence = lazy_module("PIL.ImageSequence")

from ..context import OpFailed
from .geometry import Size

MAX_PIXELS = 150_000_000
MAX_SIDE = 30_000
# Bytes read per decoder call: a whole typical photo at once (see ``load``).
DECODE_BLOCK = 32 * 1024 * 1024

# Pillow format -> the name Qiniu reports (imageInfo "format") and the output default.
SOURCE_FORMATS = {
    "JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp",
    "TIFF": "tiff", "BMP": "bmp", "PSD": "psd", "AVIF": "avif", "HEIF": "heic",
}

# The decoders we let Pillow try (MPO files are opened by the JPEG decoder).
OPEN_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "PSD", "AVIF", "HEIF")

EXIF_ORIENTATION_TAG = 0x0112

# EXIF orientation -> the transpose that shows the picture upright (``Image.Transpose`` names).
_UPRIGHT = {
    2: "FLIP_LEFT_RIGHT",
    3: "ROTATE_180",
    4: "FLIP_TOP_BOTTOM",
    5: "TRANSPOSE",
    6: "ROTATE_270",
    7: "TRANSVERSE",
    8: "ROTATE_90",
}


@dataclass
class SourceImage:
    """A lazily opened image and what its header says. Pixels are not decoded yet."""

    image: Image.Image
    format: str
    size: Size
    orientation: int
    frames: int
    file_size: int

    @property
    def oriented_size(self) -> Size:
        """The size once EXIF orientation is applied (5-8 swap the sides)."""
        return swap_if_transposed(self.size, self.orientation)

    @property
    def animated(self) -> bool:
        return self.frames > 1

    def exif(self) -> Image.Exif | None:
        exif = self.image.getexif()
        return exif if len(exif) else None


def swap_if_transposed(size: Size, orientation: int) -> Size:
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


@functools.cache
def enable_heif() -> bool:
    """Register pillow-heif's HEIC decoder and encoder with Pillow; False if it is missing."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


@contextmanager
def open_source(path: Path, max_pixels: int = MAX_PIXELS) -> Iterator[SourceImage]:
    """Open ``path`` for reading; refuse non-images and oversized images up front."""
    file_size = path.stat().st_size
    if file_size == 0:
        raise OpFailed("source data is empty or fail to get source data")
    enable_heif()
    try:
        image = Image.open(path, formats=OPEN_FORMATS)
    except Image.DecompressionBombError as exc:
        raise OpFailed(f"image too large: {exc}") from exc
    except Image.UnidentifiedImageError as exc:
        raise OpFailed("not a valid image") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise OpFailed(f"not a valid image: {exc}") from exc
    try:
        check_size(image.size, max_pixels)
        yield SourceImage(
            image=image,
            format=SOURCE_FORMATS[image.format or "PNG"],
            size=image.size,
            orientation=_orientation(image),
            frames=count_gif_frames(path) if image.format == "GIF" else getattr(image, "n_frames", 1),
            file_size=file_size,
        )
    finally:
        image.close()


def count_gif_frames(path: Path) -> int:
    """The number of images in a GIF, read from its block structure.

    Pillow counts GIF frames by seeking, which decodes every frame: a few hundred bytes
    of GIF can declare dozens of full-screen frames, so they are counted without decoding.
    """
    with path.open("rb") as f:
        data = f.read()
    if len(data) < 13 or not data.startswith(b"GIF"):
        return 1
    pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    frames = 0
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: label, then data sub-blocks
            pos = _skip_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # image descriptor, optional local colour table, LZW size, data
            frames += 1
            flags = data[pos + 9] if pos + 9 < len(data) else 0
            pos += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
            pos = _skip_sub_blocks(data, pos + 1)
        else:
            break
    return max(frames, 1)


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos]:
        pos += data[pos] + 1
    return pos + 1


def check_size(size: Size, max_pixels: int = MAX_PIXELS) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise OpFailed("not a valid image: zero width or height")
    if max(width, height) > MAX_SIDE:
        raise OpFailed(f"image too large: {width}x{height}, sides are limited to {MAX_SIDE} px")
    if width * height > max_pixels:
        raise OpFailed(f"image too large: {width}x{height} = {width * height} pixels > {max_pixels}")


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(EXIF_ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not make the image unreadable
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def load(image: Image.Image) -> None:
    """Decode the pixels, turning decoder failures into a clear op failure."""
    if isinstance(image, ImageFile.ImageFile):
        # Pillow feeds its decoder 64 KiB at a time and takes the GIL back between calls;
        # any other busy thread (a request, another job) then holds it up to the switch
        # interval at each of those points, several times the decode itself. One read
        # and one decoder call per frame keep the decode off the GIL as a whole.
        image.decodermaxblock = DECODE_BLOCK
    try:
        image.load()
    except Image.DecompressionBombError as exc:
        raise OpFailed(f"image too large: {exc}") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise OpFailed(f"not a valid image: truncated or corrupt data ({exc})") from exc


def upright(image: Image.Image, orientation: int) -> Image.Image:
    method = _UPRIGHT.get(orientation)
    return image if method is None else image.transpose(Image.Transpose[method])


def working_mode(image: Image.Image) -> tuple[Image.Image, bool]:
    """Convert to L/LA/RGB/RGBA. Returns the image and whether its ICC profile still applies."""
    mode = image.mode
    if mode in ("L", "LA", "RGB", "RGBA"):
        return image, True
    if mode == "CMYK":
        return _cmyk_to_rgb(image), False
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB"), True
    if mode.startswith("I") or mode == "F":
        return _to_8bit_gray(image), True
    if mode == "1":
        return image.convert("L"), True
    return image.convert("RGBA" if "A" in mode else "RGB"), True


def _to_8bit_gray(image: Image.Image) -> Image.Image:
    if image.mode == "F":
        return image.convert("L")
    wide = image if image.mode == "I" else image.convert("I")
    peak = wide.getextrema()[1]
    assert isinstance(peak, (int, float))  # a single-band image has scalar extrema
    # 16-bit data holds values above 255; scale instead of clipping them to white.
    factor = 1 / 256 if peak > 255 else 1
    return wide.point(lambda value: value * factor).convert("L")


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                                  outputMode="RGB")
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    return image.convert("RGB")


def iter_frames(image: Image.Image, limit: int) -> Iterator[tuple[Image.Image, int]]:
    """Each frame of an animation as RGBA with its duration in ms; at most ``limit`` frames."""
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        if index >= limit:
            break
        load(frame)
        duration = int(frame.info.get("duration", 100) or 100)
        # An RGBA canvas is handed over as it is, not copied: the caller copies what it keeps.
        yield (frame if frame.mode == "RGBA" else frame.convert("RGBA")), duration
