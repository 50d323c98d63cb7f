"""watermark/1 (image), /2 (text) and /3 (several marks) of docs/fops.md §4.

Every mark is placed at its gravity with ``dx``/``dy`` margins (defaults SouthEast,
10, 10, dissolve 100) and alpha-composited in the written order. A mark larger than the
source is skipped; when no mark fits and no format change was asked for, the source is
returned unchanged. In mode 3 each ``image``/``text`` block owns the parameters after
it; ``format`` and ``ignore-error`` belong to the whole op wherever they appear.
Text size is ``fontsize`` twips, i.e. ``fontsize/20`` px (0 = the default of 240 twips);
the default fill is white, as the v6 reference says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import Image
else:
    Image = lazy_module("PIL.Image")

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op, OpSpec
from ..grammar import (
    FopSyntaxError,
    arg,
    b64_text,
    build,
    convert,
    float_range,
    int_range,
    only_one,
    pairs,
    params_of,
)
from .color import RGBA, b64_colour
from .encode import EncodeSettings, output_format
from .fonts import render_text
from .geometry import Size, anchored_origin
from .io import SourceImage, load, open_source, working_mode
from .params import format_name, gravity
from .process import process_image, unchanged
from .steps import Step

DEFAULT_FONTSIZE = 240
WHITE: RGBA = (255, 255, 255, 255)
MARK_MAX_PIXELS = 25_000_000


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where a mark goes and how opaque it is (the parameters both kinds of mark share)."""

    dissolve: int = arg(int_range(1, 100), "opacity in percent", default=100)
    gravity: str = arg(gravity, "anchor of the mark", default="SouthEast")
    dx: int = arg(int_range(-9999, 9999), "horizontal margin in px", default=10)
    dy: int = arg(int_range(-9999, 9999), "vertical margin in px", default=10)


@dataclass(frozen=True, kw_only=True)
class ImageMark(Placement):
    image: str = arg(b64_text, "URL of the mark (kodo://, http(s)://)", required=True)
    ws: float = arg(float_range(0, 1), "mark size relative to the source", default=0.0)
    wst: int = arg(int_range(0, 3), "which edge ws refers to", default=0)


@dataclass(frozen=True, kw_only=True)
class TextMark(Placement):
    text: str = arg(b64_text, "the text", required=True)
    font: str | None = arg(b64_text, "font name")
    fontsize: int = arg(int_range(0, 20000), "size in twips (0 = 240)", default=0)
    fill: RGBA = arg(b64_colour, "text colour", default=WHITE)


Mark = ImageMark | TextMark
MARK_KINDS: dict[str, type[ImageMark] | type[TextMark]] = {"image": ImageMark, "text": TextMark}


@dataclass(frozen=True)
class WatermarkArgs:
    mode: int = arg(int_range(1, 3), "1 image, 2 text, 3 several marks", positional=True, required=True)
    marks: tuple[Mark, ...] = ()
    format: str | None = arg(format_name, "output format")
    ignore_error: bool = arg(only_one, "1 = return the input when processing fails",
                             name="ignore-error", default=False)


GLOBAL_NAMES = ("format", "ignore-error")


@dataclass
class Layer:
    """A mark ready to composite: RGBA pixels (dissolve applied) and where they go."""

    image: Image.Image
    gravity: str
    dx: int
    dy: int


def parse_watermark(segments: list[str]) -> WatermarkArgs:
    """Mode 1/2: one mark; mode 3: each ``image``/``text`` opens a block owning what follows."""
    if not segments or segments[0] == "":
        raise FopSyntaxError("missing mode")
    mode = convert("mode", int_range(1, 3), segments[0])
    blocks: list[tuple[str, list[tuple[str, str]]]] = [] if mode == 3 else [("image" if mode == 1 else "text", [])]
    written_globals: list[tuple[str, str]] = []
    for name, text in pairs(segments[1:]):
        if name in GLOBAL_NAMES:
            written_globals.append((name, text))
            continue
        if mode == 3 and name in MARK_KINDS:
            blocks.append((name, []))
        if not blocks:
            raise FopSyntaxError(f"{name} must follow an image or text block", name)
        blocks[-1][1].append((name, text))
    if not blocks:
        raise FopSyntaxError("watermark/3 needs at least one image or text block")
    marks = []
    for kind, written in blocks:
        if kind not in {name for name, _ in written}:
            raise FopSyntaxError(f"watermark/{mode} needs a non-empty {kind}")
        marks.append(build(MARK_KINDS[kind], written))
    return build(WatermarkArgs, written_globals, {"mode": mode, "marks": tuple(marks)})


def mark_pixels(mark: Mark, ctx: OpContext) -> Image.Image:
    """The mark's RGBA pixels before scaling: a fetched image or rendered text."""
    if isinstance(mark, TextMark):
        px = max(1, (mark.fontsize or DEFAULT_FONTSIZE) // 20)
        return render_text(mark.text, mark.font, px, mark.fill)
    path = ctx.fetch(mark.image)
    try:
        with open_source(path, max_pixels=MARK_MAX_PIXELS) as source:
            load(source.image)
            return working_mode(source.image)[0].convert("RGBA")
    except OpFailed as exc:
        raise OpFailed(f"watermark image: {exc}") from exc


def mark_size(pixels: Size, mark: Mark, size: Size) -> Size:
    """Apply ``ws``: the mark's reference edge becomes ``ws`` x the source's (``wst`` picks it)."""
    if not isinstance(mark, ImageMark) or not mark.ws:
        return pixels
    ws = mark.ws
    pick = (min, max, lambda s: s[0], lambda s: s[1])[mark.wst]
    factor = ws * pick(size) / pick(pixels)
    return max(1, int(pixels[0] * factor)), max(1, int(pixels[1] * factor))


def dissolved(image: Image.Image, percent: int) -> Image.Image:
    if percent >= 100:
        return image
    alpha = image.getchannel("A").point(lambda a: a * percent // 100)
    image = image.copy()
    image.putalpha(alpha)
    return image


def fitting_layers(marks: list[tuple[Mark, Image.Image]], size: Size) -> list[Layer]:
    """Scaled, dissolved layers for the marks that fit inside ``size``."""
    layers = []
    for mark, pixels in marks:
        target = mark_size(pixels.size, mark, size)
        # Checked before resizing, so a thin mark scaled by its short edge cannot explode.
        if target[0] > size[0] or target[1] > size[1]:
            continue
        if target != pixels.size:
            pixels = pixels.resize(target, Image.Resampling.LANCZOS)
        layers.append(Layer(dissolved(pixels, mark.dissolve), mark.gravity, mark.dx, mark.dy))
    return layers


@dataclass(frozen=True)
class Stamp:
    """A pixel step compositing ``layers`` onto the image (frame) it is given."""

    layers: tuple[Layer, ...]
    resizes = False

    def size_after(self, size: Size) -> Size:
        return size

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        mode = "RGBA" if image.mode in ("LA", "RGBA") else "RGB"
        canvas = image.convert("RGBA")
        for layer in self.layers:
            x, y = anchored_origin(layer.gravity, canvas.size, layer.image.size, layer.dx, layer.dy)
            _composite_clipped(canvas, layer.image, x, y)
        return canvas if mode == "RGBA" else canvas.convert("RGB")


def _composite_clipped(canvas: Image.Image, mark: Image.Image, x: int, y: int) -> None:
    """alpha_composite that tolerates marks hanging over any edge of the canvas."""
    left, top = max(0, -x), max(0, -y)
    right = min(mark.size[0], canvas.size[0] - x)
    bottom = min(mark.size[1], canvas.size[1] - y)
    if right > left and bottom > top:
        canvas.alpha_composite(mark, dest=(x + left, y + top), source=(left, top, right, bottom))


def run_watermark(op: Op[WatermarkArgs], src: Path, ctx: OpContext) -> OpResult:
    """Run ``watermark/<mode>/...`` on ``src``."""
    settings = EncodeSettings(format=op.args.format)
    with open_source(src) as source:
        size = source.size
        as_is = unchanged(src, source)
        same_format = (settings.format is None
                       or output_format(settings.format, source.format).name == source.format)
    marks = [(mark, mark_pixels(mark, ctx)) for mark in op.args.marks]
    layers = fitting_layers(marks, size)
    if not layers and same_format:
        ctx.log("watermark: no mark fits inside the source; returning it unchanged")
        return as_is

    def build(opened: SourceImage) -> list[Step]:
        return [Stamp(tuple(layers))]

    return process_image(src, ctx, build, settings)


SPEC = OpSpec(name="watermark", run=run_watermark, args=WatermarkArgs, parse=parse_watermark,
              help="image and text watermarks",
              extra_params=tuple({p.name: p for cls in MARK_KINDS.values() for _, p in params_of(cls)}.values()))
