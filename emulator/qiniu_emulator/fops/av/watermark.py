"""avthumb watermarks: an image overlay (``wmImage``) and a text overlay (``wmText``)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from ..fonts import DEFAULT_FONT, find_font, needs_cjk
from ..context import OpContext, OpFailed
from .ffmpeg import media_input

DEFAULT_GRAVITY = "NorthEast"
DEFAULT_FONT_COLOR = "black"
# wmFontSize is in twips (1/20 point); a point is drawn as one pixel.
DEFAULT_FONT_TWIPS = 480
TWIPS_PER_POINT = 20


@dataclass(frozen=True)
class Placement:
    """Where a mark goes: a gravity and signed offsets (positive = right / down)."""

    gravity: str
    dx: int
    dy: int

    def position(self, frame_w: str, frame_h: str, mark_w: str, mark_h: str) -> tuple[str, str]:
        """ffmpeg expressions for the mark's top-left corner."""
        west, east = self.gravity.endswith("West"), self.gravity.endswith("East")
        north, south = self.gravity.startswith("North"), self.gravity.startswith("South")
        x = "0" if west else f"{frame_w}-{mark_w}" if east else f"({frame_w}-{mark_w})/2"
        y = "0" if north else f"{frame_h}-{mark_h}" if south else f"({frame_h}-{mark_h})/2"
        return f"{x}+({self.dx})", f"{y}+({self.dy})"


def add_image_mark(video: Any, url: str, placement: Placement, ctx: OpContext) -> Any:
    """Overlay the image at ``url`` (fetched through the context) on every frame."""
    image = ctx.fetch(url, Path(tempfile.mkdtemp(dir=ctx.scratch, prefix="wm-")))
    x, y = placement.position("main_w", "main_h", "overlay_w", "overlay_h")
    mark = media_input(image)["v:0"]
    return ffmpeg.overlay(video, mark, x=x, y=y, eof_action="repeat")


def add_text_mark(video: Any, text: str, placement: Placement, ctx: OpContext, font: str | None,
                  color: str | None, size_twips: int | None) -> Any:
    """Draw ``text`` on every frame; the text goes through a file so it is never parsed."""
    text_file = ctx.output_path(".txt")
    text_file.write_text(text, encoding="utf-8")
    x, y = placement.position("w", "h", "tw", "th")
    points = (size_twips or DEFAULT_FONT_TWIPS) / TWIPS_PER_POINT
    return video.drawtext(textfile=str(text_file), fontfile=font_file(font, text, ctx),
                          fontcolor=(color or DEFAULT_FONT_COLOR), fontsize=max(4, round(points)),
                          x=x, y=y, expansion="none")


def font_file(name: str | None, text: str, ctx: OpContext) -> str:
    """The font for ``wmText`` (same lookup as image watermarks)."""
    path = find_font(name or DEFAULT_FONT, needs_cjk(text))
    if path is None:
        raise OpFailed("wmText needs a font, and no font is installed")
    if name and Path(path).stem.replace(" ", "").lower() != name.replace(" ", "").lower():
        ctx.log(f"wmFont {name!r} resolved to {Path(path).name}")
    return path
