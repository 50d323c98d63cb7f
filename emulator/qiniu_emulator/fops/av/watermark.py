"""avthumb watermarks: image and video overlays (``wmImage``, ``wmVideo``) and text (``wmText``).

Image and video marks may be scaled against the frame (``wmScale``, ``wmScaleType``) and
made translucent (``wmAlpha``); every mark may be limited to a time window (``wmPos``,
``wmDuration``, ``wmShortest``), docs/fops.md §6.2.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    import ffmpeg
else:
    ffmpeg = lazy_module("ffmpeg")

from ..fonts import DEFAULT_FONT, find_font, needs_cjk
from ..context import OpContext, OpFailed
from .ffmpeg import media_input
from .params import END
from .probe import probe
from .thumb_parse import ThumbArgs

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


@dataclass(frozen=True)
class MarkStyle:
    """How an image or video mark is drawn: scaled to a fraction of a frame side, its opacity,
    and the ffmpeg ``enable`` expression of its time window."""

    scale: float | None = None
    by_long_side: bool = False
    alpha: float | None = None
    enable: str | None = None

    def size(self, mark: tuple[int, int], frame: tuple[int, int]) -> tuple[int, int] | None:
        if self.scale is None:
            return None
        pick = max if self.by_long_side else min
        factor = self.scale * pick(frame) / pick(mark)
        return max(1, round(mark[0] * factor)), max(1, round(mark[1] * factor))


def add_marks(video: Any, args: ThumbArgs, frame: tuple[int, int], seconds: float | None,
              ctx: OpContext) -> Any:
    """Every watermark ``args`` asks for, drawn over ``video`` (``frame`` is its size)."""
    offsets = (args.wm_offset_x, args.wm_offset_y)
    enable = _enable(args, seconds)
    style = MarkStyle(args.wm_scale, args.wm_scale_type == "1", args.wm_alpha, enable)
    placement = Placement(args.wm_gravity or DEFAULT_GRAVITY, *offsets)
    for url, moving in ((args.wm_image, False), (args.wm_video, True)):
        if url is not None:
            video = add_image_mark(video, url, placement, ctx, frame, style, moving)
    if args.wm_text is not None:
        placement = Placement(args.wm_gravity_text or DEFAULT_GRAVITY, *offsets)
        video = add_text_mark(video, args.wm_text, placement, ctx, args.wm_font,
                              args.wm_font_color, args.wm_font_size, enable)
    return video


def _enable(args: ThumbArgs, seconds: float | None) -> str | None:
    """``between(t,a,b)`` for wmPos/wmDuration; a window past the end needs wmShortest/1."""
    if args.wm_pos is None or args.wm_duration is None:
        return None
    if args.wm_pos == END:
        if seconds is None:
            raise OpFailed("wmPos/$(end) needs a source whose duration is known")
        start, end = seconds + args.wm_duration, seconds
    else:
        start = float(args.wm_pos)
        end = start + args.wm_duration
    if start < 0 or (seconds is not None and end > seconds + 0.001):
        if not args.wm_shortest:
            raise OpFailed(f"the watermark time {start:g}..{end:g} s runs outside the video's "
                           f"{seconds:.3f} s; add wmShortest/1 to trim it")
        start, end = max(start, 0.0), min(end, seconds or end)
    return f"between(t,{start:g},{end:g})"


def add_image_mark(video: Any, url: str, placement: Placement, ctx: OpContext,
                   frame: tuple[int, int], style: MarkStyle, moving: bool = False) -> Any:
    """Overlay the image (or video) at ``url``, fetched through the context. A still image
    stays to the end; a video mark disappears when it ends."""
    path = ctx.fetch(url, Path(tempfile.mkdtemp(dir=ctx.scratch, prefix="wm-")))
    picture = probe(path).video
    if picture is None:
        raise OpFailed(f"the watermark {url} has no picture")
    mark = media_input(path)["v:0"]
    size = style.size((picture.width, picture.height), frame)
    if size is not None:
        mark = mark.filter("scale", *size)
    if style.alpha is not None:
        mark = mark.filter("format", "rgba").filter("colorchannelmixer", aa=style.alpha)
    x, y = placement.position("main_w", "main_h", "overlay_w", "overlay_h")
    options = {"enable": style.enable} if style.enable else {}
    return ffmpeg.overlay(video, mark, x=x, y=y, eof_action="pass" if moving else "repeat", **options)


def add_text_mark(video: Any, text: str, placement: Placement, ctx: OpContext, font: str | None,
                  color: str | None, size_twips: int | None, enable: str | None = None) -> Any:
    """Draw ``text`` on every frame; the text goes through a file so it is never parsed."""
    text_file = ctx.output_path(".txt")
    text_file.write_text(text, encoding="utf-8")
    x, y = placement.position("w", "h", "tw", "th")
    points = (size_twips or DEFAULT_FONT_TWIPS) / TWIPS_PER_POINT
    options = {"enable": enable} if enable else {}
    return video.drawtext(textfile=str(text_file), fontfile=font_file(font, text, ctx),
                          fontcolor=(color or DEFAULT_FONT_COLOR), fontsize=max(4, round(points)),
                          x=x, y=y, expansion="none", **options)


def font_file(name: str | None, text: str, ctx: OpContext) -> str:
    """The font for ``wmText`` (same lookup as image watermarks)."""
    path = find_font(name or DEFAULT_FONT, needs_cjk(text))
    if path is None:
        raise OpFailed("wmText needs a font, and no font is installed")
    if name and Path(path).stem.replace(" ", "").lower() != name.replace(" ", "").lower():
        ctx.log(f"wmFont {name!r} resolved to {Path(path).name}")
    return path
