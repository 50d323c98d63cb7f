"""roundPic: rounded (or elliptical) corners, always written as PNG (docs/fops.md §9.11).

``radius`` sets both radii; ``radiusx`` and ``radiusy`` set them apart and come together.
A radius is pixels (``20``) or a percentage of its own axis (``!25p``); pixels beyond
half a side and percentages beyond 50 are clamped, so ``!50p`` makes an ellipse. The
corner edges are anti-aliased by supersampling only the four corner patches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import math
import re
from dataclasses import dataclass
from pathlib import Path

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import Image, ImageChops, ImageDraw
else:
    Image = lazy_module("PIL.Image")
    ImageChops = lazy_module("PIL.ImageChops")
    ImageDraw = lazy_module("PIL.ImageDraw")

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op, OpSpec
from ..grammar import FopSyntaxError, arg
from .encode import EncodeSettings
from .geometry import Size
from .io import SourceImage
from .process import process_image
from .steps import Step

SYNC_MAX_BYTES = 20 * 1024 * 1024
SOURCE_FORMATS = ("jpeg", "png")
# Supersampled corner patches stay below this many pixels, whatever the radius.
PATCH_BUDGET = 16_000_000
MAX_SUPERSAMPLE = 4


@dataclass(frozen=True)
class Radius:
    """One radius as written: pixels, or a percentage of the side it applies to."""

    value: float
    percent: bool = False

    def pixels(self, side: int) -> float:
        wanted = side * min(self.value, 50.0) / 100 if self.percent else self.value
        return min(wanted, side / 2)


def parse_radius(text: str) -> Radius:
    """``20``, ``12.5``, ``!25p`` or ``!25.5p``; never negative."""
    match = re.fullmatch(r"(!)?(\d+(?:\.\d+)?)(p)?", text)
    if match is None or bool(match[1]) != bool(match[3]):
        raise ValueError(f"{text!r} is not a radius in pixels (20) or a percentage (!25p)")
    return Radius(float(match[2]), percent=bool(match[1]))


@dataclass(frozen=True)
class RoundArgs:
    radius: Radius | None = arg(parse_radius, "both radii: pixels or !<percent>p")
    radiusx: Radius | None = arg(parse_radius, "horizontal radius (with radiusy)")
    radiusy: Radius | None = arg(parse_radius, "vertical radius (with radiusx)")

    def check(self) -> None:
        pair = (self.radiusx, self.radiusy)
        if self.radius is not None and any(r is not None for r in pair):
            culprit = "radiusx" if self.radiusx is not None else "radiusy"
            raise FopSyntaxError("invalid roundPic parameter: use radius, or radiusx with radiusy, "
                                 "not both", culprit)
        if (self.radiusx is None) != (self.radiusy is None):
            missing = "radiusy" if self.radiusy is None else "radiusx"
            raise FopSyntaxError(f"invalid roundPic parameter: radiusx and radiusy go together, "
                                 f"add {missing}", missing)
        if self.radius is None and self.radiusx is None:
            raise FopSyntaxError("invalid roundPic parameter: give radius, or radiusx and radiusy")

    def radii(self) -> tuple[Radius, Radius]:
        if self.radius is not None:
            return self.radius, self.radius
        assert self.radiusx is not None and self.radiusy is not None  # check() guarantees both
        return self.radiusx, self.radiusy


@dataclass(frozen=True)
class RoundCorners:
    """A pixel step making the corners outside the ellipse quarters transparent."""

    rx: Radius
    ry: Radius
    resizes = False

    def size_after(self, size: Size) -> Size:
        return size

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        width, height = image.size
        mask = corner_mask(image.size, self.rx.pixels(width), self.ry.pixels(height))
        rounded = image.convert("LA" if image.mode in ("L", "LA") else "RGBA")
        rounded.putalpha(ImageChops.multiply(rounded.getchannel("A"), mask))
        return rounded


def corner_mask(size: Size, rx: float, ry: float) -> Image.Image:
    """An ``L`` mask of ``size``: 255 inside the rounded rectangle, 0 outside, smooth between."""
    mask = Image.new("L", size, 255)
    if rx <= 0 or ry <= 0:
        return mask
    patch = corner_patch(rx, ry)
    width, height = size
    pw, ph = patch.size
    placed = (
        (patch, (0, 0)),
        (patch.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (width - pw, 0)),
        (patch.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, height - ph)),
        (patch.transpose(Image.Transpose.ROTATE_180), (width - pw, height - ph)),
    )
    for corner, (x, y) in placed:
        box = (x, y, x + pw, y + ph)
        # Corners of an odd side share their middle row or column: keep the more transparent.
        mask.paste(ImageChops.darker(mask.crop(box), corner), box)
    return mask


def corner_patch(rx: float, ry: float) -> Image.Image:
    """The top-left corner's alpha: a quarter ellipse of radii ``rx``, ``ry``, anti-aliased."""
    width, height = math.ceil(rx), math.ceil(ry)
    scale = max(1, min(MAX_SUPERSAMPLE, math.isqrt(PATCH_BUDGET // (width * height))))
    big = Image.new("L", (width * scale, height * scale), 0)
    ImageDraw.Draw(big).ellipse((0, 0, 2 * rx * scale - 1, 2 * ry * scale - 1), fill=255)
    # The rectangle beyond the ellipse's own bounding box (the radius's fraction) stays opaque.
    ImageDraw.Draw(big).rectangle((rx * scale, 0, width * scale, height * scale), fill=255)
    ImageDraw.Draw(big).rectangle((0, ry * scale, width * scale, height * scale), fill=255)
    return big.resize((width, height), Image.Resampling.BOX)


def run_round_pic(op: Op[RoundArgs], src: Path, ctx: OpContext) -> OpResult:
    """Round the corners of a jpeg or png and write a png."""
    if ctx.sync and src.stat().st_size > SYNC_MAX_BYTES:
        raise OpFailed("roundPic on a download URL takes images up to 20 MB; use pfop for larger ones")
    rx, ry = op.args.radii()

    def build(source: SourceImage) -> list[Step]:
        if source.format not in SOURCE_FORMATS or source.animated:
            raise OpFailed(f"roundPic takes jpeg and png images, not {source.format}; "
                           "convert it first (imageMogr2/format/png|roundPic/...)")
        return [RoundCorners(rx, ry)]

    return process_image(src, ctx, build, EncodeSettings(format="png"))


SPEC = OpSpec(name="roundPic", run=run_round_pic, args=RoundArgs, help="rounded corners, written as PNG")
