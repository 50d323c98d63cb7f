"""Test media for the image ops, drawn with Pillow, and pixel comparisons."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image, ImageChops, ImageStat


def pattern(size: tuple[int, int], block: int) -> Image.Image:
    """Red grows left to right, blue top to bottom, green is random ``block``-px tiles.

    The tiles make any misplaced crop obvious; the gradients tell where a pixel came from.
    """
    gradient = Image.linear_gradient("L")
    red = gradient.transpose(Image.Transpose.ROTATE_90).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    tiles = Image.effect_noise((size[0] // block + 1, size[1] // block + 1), 90)
    tiles = tiles.resize((tiles.size[0] * block, tiles.size[1] * block), Image.Resampling.NEAREST)
    return Image.merge("RGB", (red.resize(size), tiles.crop((0, 0, *size)), gradient.resize(size)))


def save_jpeg(image: Image.Image, path: Path, quality: int = 90, **options) -> Path:
    image.save(path, "JPEG", quality=quality, **options)
    return path


def with_exif(jpeg: bytes, exif: Image.Exif) -> bytes:
    """``jpeg`` with an APP1 EXIF segment inserted after SOI (no re-encoding)."""
    data = exif.tobytes()
    payload = data if data.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + data
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width``x``height`` but carries almost no data (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) \
        + chunk(b"IEND", b"")


def mean_diff(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference over all RGB channels (0 = identical)."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(ImageStat.Stat(diff).mean) / 3


def open_image(path: Path) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image


def animation(path: Path, colours: list[tuple[int, int, int]], size: tuple[int, int] = (60, 40),
              fmt: str = "GIF") -> Path:
    frames = [Image.new("RGB", size, colour) for colour in colours]
    frames[0].save(path, fmt, save_all=True, append_images=frames[1:], duration=80, loop=0)
    return path
