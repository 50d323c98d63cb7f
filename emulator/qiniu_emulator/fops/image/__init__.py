"""Image ops backed by Pillow: imageView2, imageMogr2, watermark, roundPic, imageslim, imageInfo,
exif, imageAve.

Each op lives in its own module of this package; this one only registers them.
Output MIME types follow the written format (``image/jpeg``, ``image/png``,
``image/gif``, ``image/webp``, ``image/bmp``, ``image/tiff``, ``image/avif``,
``image/heic``); the info ops answer ``application/json``.
"""

from __future__ import annotations

from ..declare import OpSpec
from ..registry import Registry
from . import mogr2, rounded, slim, view, watermark
from .exif import run_exif
from .info import run_image_ave, run_image_info


def register(registry: Registry) -> None:
    """Add the image ops to ``registry``."""
    registry.add(view.SPEC)
    registry.add(mogr2.SPEC)
    registry.add(watermark.SPEC)
    registry.add(rounded.SPEC)
    registry.add(slim.SPEC)
    registry.add(OpSpec(name="imageInfo", run=run_image_info, help="size, format and colour model"))
    registry.add(OpSpec(name="exif", run=run_exif, help="EXIF tags"))
    registry.add(OpSpec(name="imageAve", run=run_image_ave, help="average colour"))
