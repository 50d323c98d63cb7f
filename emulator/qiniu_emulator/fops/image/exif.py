"""The ``exif`` op (docs/fops.md §5.2): every EXIF tag as ``{"type": <TIFF type code>, "val": "..."}``.

Tags come from IFD0 and the Exif, GPS and Interoperability sub-directories, named as
Pillow's ``ExifTags`` names them (``ExposureTime``, ``ISOSpeedRatings``, ``GPSLatitude``).
Values are formatted as text: ASCII as is, numbers joined with ``", "``, rationals as
``n/d`` (with units for exposure time, f-number and focal length), small binary values
as printable text or hex bytes. Maker notes and binary blobs over 256 bytes are left
out. An image without EXIF fails with ``no exif data``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterator, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import ExifTags, TiffImagePlugin
else:
    ExifTags = lazy_module("PIL.ExifTags")
    TiffImagePlugin = lazy_module("PIL.TiffImagePlugin")

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op
from .info import write_json
from .io import open_source

# Pointer tags to the Exif, GPS and interoperability directories, and which names each uses.
SUB_IFDS = {0x8769: "TAGS", 0x8825: "GPSTAGS", 0xA005: "TAGS"}
MAKER_NOTE = 0x927C
MAX_BLOB = 256
RATIONAL_TYPES = (5, 10)


def read_exif(raw: bytes) -> dict[str, dict[str, Any]]:
    """Parse an EXIF block (with or without the ``Exif\\0\\0`` prefix) into the op's JSON."""
    data = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
    result: dict[str, dict[str, Any]] = {}
    for ifd, names in _directories(data):
        for tag, value in ifd.items():
            if tag in SUB_IFDS or tag == MAKER_NOTE:
                continue
            name = names.get(tag, f"0x{tag:04x}")
            kind = ifd.tagtype.get(tag, 7)
            text = format_value(name, kind, value)
            if text is not None:
                result[name] = {"type": kind, "val": text}
    return result


def _directories(data: bytes) -> Iterator[tuple[TiffImagePlugin.ImageFileDirectory_v2, dict]]:
    fp = io.BytesIO(data)
    head = fp.read(8)
    root = _load_ifd(fp, head, None)
    yield root, ExifTags.TAGS
    for pointer, names in SUB_IFDS.items():
        offset = root.get(pointer)
        if isinstance(offset, int) and 8 <= offset < len(data):
            try:
                yield _load_ifd(fp, head, offset), getattr(ExifTags, names)
            except (OSError, ValueError, SyntaxError, EOFError):
                continue  # a broken sub-directory should not hide the rest


def _load_ifd(fp: io.BytesIO, head: bytes, offset: int | None) -> TiffImagePlugin.ImageFileDirectory_v2:
    try:
        ifd = TiffImagePlugin.ImageFileDirectory_v2(head)
        fp.seek(ifd.next if offset is None else offset)
        ifd.load(fp)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise OpFailed("no exif data") from exc
    return ifd


def format_value(name: str, kind: int, value: Any) -> str | None:
    """The ``val`` text for one tag, or None to leave the tag out."""
    if isinstance(value, bytes):
        return _format_bytes(value)
    if isinstance(value, str):
        return value.rstrip("\x00").strip()
    values = value if isinstance(value, tuple) else (value,)
    if kind in RATIONAL_TYPES:
        return ", ".join(_format_rational(name, v) for v in values)
    return ", ".join(str(v) for v in values)


def _format_bytes(value: bytes) -> str | None:
    if len(value) > MAX_BLOB:
        return None
    text = value.rstrip(b"\x00")
    if text and all(32 <= b < 127 for b in text):
        return text.decode("ascii")
    return " ".join(f"{b:02x}" for b in value)


def _format_rational(name: str, value: Any) -> str:
    numerator = getattr(value, "numerator", value)
    denominator = getattr(value, "denominator", 1)
    if not denominator:
        return f"{numerator}/0"
    number = numerator / denominator
    if name == "ExposureTime":
        return f"{numerator}/{denominator} sec." if number < 1 else f"{number:g} sec."
    if name == "FNumber":
        return f"f/{number:.1f}"
    if name == "FocalLength":
        return f"{number:.1f} mm"
    return f"{numerator}" if denominator == 1 else f"{numerator}/{denominator}"


def exif_tags(src: Path) -> dict[str, dict[str, Any]]:
    """The EXIF tags of the image at ``src`` (empty when it has none)."""
    with open_source(src) as source:
        raw = source.image.info.get("exif")
        if not raw:
            exif = source.exif()
            raw = exif.tobytes() if exif is not None else b""
    return read_exif(raw) if raw else {}


def run_exif(op: Op, src: Path, ctx: OpContext) -> OpResult:
    tags = exif_tags(src)
    if not tags:
        raise OpFailed("no exif data")
    return write_json(ctx, tags)
