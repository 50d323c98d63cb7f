"""Image ops backed by Pillow: imageView2, imageMogr2, watermark, imageInfo, exif, imageAve.

Each op lives in its own ``image_*`` module; this one only registers them.
Output MIME types follow the written format (``image/jpeg``, ``image/png``,
``image/gif``, ``image/webp``, ``image/bmp``, ``image/tiff``, ``image/avif``,
``image/heic``); the info ops answer ``application/json``.
"""

from __future__ import annotations

from . import image_mogr2, image_view, image_watermark
from .image_exif import run_exif
from .image_info import run_image_ave, run_image_info
from .registry import OpSpec, Registry, Schema


def register(registry: Registry) -> None:
    """Add the image ops to ``registry``."""
    registry.add(image_view.SPEC)
    registry.add(image_mogr2.SPEC)
    registry.add(image_watermark.SPEC)
    registry.add(OpSpec(name="imageInfo", run=run_image_info, schema=Schema()))
    registry.add(OpSpec(name="exif", run=run_exif, schema=Schema()))
    registry.add(OpSpec(name="imageAve", run=run_image_ave, schema=Schema()))
