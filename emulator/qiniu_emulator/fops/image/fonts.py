"""Drawing watermark text onto a transparent layer (font lookup: ``fops.fonts``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont
else:
    Image = lazy_module("PIL.Image")
    ImageDraw = lazy_module("PIL.ImageDraw")
    ImageFont = lazy_module("PIL.ImageFont")

from ..fonts import DEFAULT_FONT, find_font, needs_cjk
from ..context import OpFailed
from .color import RGBA

MAX_LAYER_PIXELS = 50_000_000


def load_font(name: str | None, text: str, px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = find_font(name or DEFAULT_FONT, needs_cjk(text))
    if path is None:
        return ImageFont.load_default(size=px)
    try:
        return ImageFont.truetype(path, size=px)
    except OSError as exc:
        raise OpFailed(f"cannot load font {path}: {exc}") from exc


def render_text(text: str, font_name: str | None, px: int, fill: RGBA) -> Image.Image:
    """``text`` drawn in ``fill`` on a transparent RGBA layer cropped to its ink box."""
    font = load_font(font_name, text, px)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox((0, 0), text, font=font)
    width, height = max(1, int(right - left)), max(1, int(bottom - top))
    if width * height > MAX_LAYER_PIXELS:
        raise OpFailed(f"text watermark too large: {width}x{height} pixels")
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(layer).multiline_text((-left, -top), text, font=font, fill=fill)
    return layer
