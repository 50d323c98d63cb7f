"""watermark/1 (image), /2 (text) and /3 (several marks) of spec 4.

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
from typing import Any, Callable

from PIL import Image

from ..registry import (
    FopSyntaxError,
    Op,
    OpContext,
    OpFailed,
    OpResult,
    OpSpec,
    b64_text,
    float_range,
    int_range,
)
from .color import RGBA, b64_colour
from .encode import EncodeSettings, output_format
from .fonts import render_text
from .geometry import Size, anchored_origin
from .io import SourceImage, load, open_source, working_mode
from .params import flag_one, format_name, gravity
from .process import process_image, unchanged
from .steps import Step

DEFAULT_FONTSIZE = 240
WHITE: RGBA = (255, 255, 255, 255)
MARK_MAX_PIXELS = 25_000_000

PLACEMENT_PARAMS: dict[str, Callable[[str], Any]] = {
    "dissolve": int_range(1, 100),
    "gravity": gravity,
    "dx": int_range(-9999, 9999),
    "dy": int_range(-9999, 9999),
}
IMAGE_PARAMS = {"image": b64_text, "ws": float_range(0, 1), "wst": int_range(0, 3), **PLACEMENT_PARAMS}
TEXT_PARAMS = {"text": b64_text, "font": b64_text, "fontsize": int_range(0, 20000),
               "fill": b64_colour, **PLACEMENT_PARAMS}
GLOBAL_PARAMS: dict[str, Callable[[str], Any]] = {"format": format_name, "ignore-error": flag_one}


@dataclass(frozen=True)
class Mark:
    """One watermark block: ``kind`` is ``image`` or ``text``; ``params`` its converted values."""

    kind: str
    params: tuple[tuple[str, Any], ...]

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)


@dataclass
class Layer:
    """A mark ready to composite: RGBA pixels (dissolve applied) and where they go."""

    image: Image.Image
    gravity: str
    dx: int
    dy: int


def parse_watermark(segments: list[str]) -> tuple[dict[str, Any], list[str]]:
    if not segments or segments[0] == "":
        raise FopSyntaxError("missing mode")
    mode = _convert("mode", int_range(1, 3), segments[0])
    blocks: list[tuple[str, dict[str, Any]]] = [] if mode == 3 else [("image" if mode == 1 else "text", {})]
    args: dict[str, Any] = {"mode": mode}
    order = ["mode"]
    for name, text in _pairs(segments[1:]):
        order.append(name)
        if name in GLOBAL_PARAMS:
            _store(args, name, _convert(name, GLOBAL_PARAMS[name], text))
            continue
        if mode == 3 and name in ("image", "text"):
            blocks.append((name, {}))
        if not blocks:
            raise FopSyntaxError(f"{name} must follow an image or text block", name)
        kind, params = blocks[-1]
        allowed = IMAGE_PARAMS if kind == "image" else TEXT_PARAMS
        if name not in allowed:
            raise FopSyntaxError("unknown parameter", name)
        _store(params, name, _convert(name, allowed[name], text))
    for kind, params in blocks:
        if kind not in params or not params[kind]:
            raise FopSyntaxError(f"watermark/{mode} needs a non-empty {kind}")
    if not blocks:
        raise FopSyntaxError("watermark/3 needs at least one image or text block")
    args["marks"] = tuple(Mark(kind, tuple(params.items())) for kind, params in blocks)
    return args, order


def _pairs(segments: list[str]) -> list[tuple[str, str]]:
    if len(segments) % 2:
        raise FopSyntaxError(f"parameter {segments[-1]} needs a value", segments[-1])
    return list(zip(segments[::2], segments[1::2]))


def _store(target: dict[str, Any], name: str, value: Any) -> None:
    if name in target:
        raise FopSyntaxError(f"parameter {name} given twice", name)
    target[name] = value


def _convert(name: str, convert: Callable[[str], Any], text: str) -> Any:
    if text == "":
        raise FopSyntaxError(f"empty value for {name}", text)
    try:
        return convert(text)
    except ValueError as exc:
        raise FopSyntaxError(f"bad {name}: {exc}", text) from exc


def mark_pixels(mark: Mark, ctx: OpContext) -> Image.Image:
    """The mark's RGBA pixels before scaling: a fetched image or rendered text."""
    if mark.kind == "text":
        px = max(1, (mark.get("fontsize") or DEFAULT_FONTSIZE) // 20)
        return render_text(mark.get("text"), mark.get("font"), px, mark.get("fill", WHITE))
    if ctx.resolve_url is None:
        raise OpFailed("watermark image URLs cannot be resolved here")
    path = ctx.resolve_url(mark.get("image"), ctx.scratch)
    try:
        with open_source(Path(path), max_pixels=MARK_MAX_PIXELS) as source:
            load(source.image)
            return working_mode(source.image)[0].convert("RGBA")
    except OpFailed as exc:
        raise OpFailed(f"watermark image: {exc}") from exc


def mark_size(pixels: Size, mark: Mark, size: Size) -> Size:
    """Apply ``ws``: the mark's reference edge becomes ``ws`` x the source's (``wst`` picks it)."""
    ws = mark.get("ws", 0.0)
    if not ws:
        return pixels
    pick = (min, max, lambda s: s[0], lambda s: s[1])[mark.get("wst", 0)]
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
        layers.append(Layer(dissolved(pixels, mark.get("dissolve", 100)), mark.get("gravity", "SouthEast"),
                            mark.get("dx", 10), mark.get("dy", 10)))
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


def run_watermark(op: Op, src: Path, ctx: OpContext) -> OpResult:
    """Run ``watermark/<mode>/...`` on ``src``."""
    settings = EncodeSettings(format=op.args.get("format"))
    with open_source(src) as source:
        size = source.size
        as_is = unchanged(src, source)
        same_format = (settings.format is None
                       or output_format(settings.format, source.format).name == source.format)
    marks = [(mark, mark_pixels(mark, ctx)) for mark in op.args["marks"]]
    layers = fitting_layers(marks, size)
    if not layers and same_format:
        ctx.log("watermark: no mark fits inside the source; returning it unchanged")
        return as_is

    def build(opened: SourceImage) -> list[Step]:
        return [Stamp(tuple(layers))]

    return process_image(src, ctx, build, settings)


SPEC = OpSpec(name="watermark", run=run_watermark, parse=parse_watermark)
