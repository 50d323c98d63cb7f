"""Pure size arithmetic for the image ops: no pixels, only ``(width, height)`` tuples.

Everything here follows the fops spec: ``round`` is half-up and never below 1;
imageView2 never enlarges (``cap``); imageMogr2 ``thumbnail`` may enlarge; crops are
placed relative to a gravity anchor and then intersected with the image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..layout import round_half_up

Size = tuple[int, int]


# Beyond these a thumbnail request may only shrink (docs/fops.md §3.3 limits).
ENLARGE_MAX_SIDE = 10000
ENLARGE_MAX_AREA = 25_000_000


def scaled(size: Size, scale: float) -> Size:
    return round_half_up(size[0] * scale), round_half_up(size[1] * scale)


# ---------------------------------------------------------------------------
# imageView2


@dataclass(frozen=True)
class ViewPlan:
    """Where imageView2 resizes to, and the centre crop (if any) taken afterwards."""

    resize: Size
    crop: Size | None = None


def view_plan(mode: int, size: Size, w: int | None, h: int | None) -> ViewPlan:
    """The imageView2 geometry of docs/fops.md §2.2 for a (post-orientation) source ``size``."""
    width, height = size
    if w is None and h is None:
        return ViewPlan(resize=size)
    if mode in (0, 2):
        scale = _view_max_scale(mode, size, w, h)
        return ViewPlan(scaled(size, min(scale, 1.0)))
    # Modes 1, 3, 4, 5: a missing side takes the other's value.
    bw = w if w is not None else h
    bh = h if h is not None else w
    assert bw is not None and bh is not None
    if mode in (1, 3):
        scale = max(bw / width, bh / height)
    else:
        scale = max(bw / max(size), bh / min(size))
    resized = scaled(size, min(scale, 1.0))
    if mode == 1:
        return ViewPlan(resized, (min(bw, resized[0]), min(bh, resized[1])))
    if mode == 5:
        box = (bw, bh) if width >= height else (bh, bw)
        return ViewPlan(resized, (min(box[0], resized[0]), min(box[1], resized[1])))
    return ViewPlan(resized)


def _view_max_scale(mode: int, size: Size, w: int | None, h: int | None) -> float:
    """Modes 0 and 2 treat w/h as maximums; a missing one is unbounded."""
    first, second = (max(size), min(size)) if mode == 0 else size
    limits = [lim / side for lim, side in ((w, first), (h, second)) if lim is not None]
    return min(limits)


def centre_crop_box(size: Size, crop: Size) -> tuple[int, int, int, int]:
    x = (size[0] - crop[0]) // 2
    y = (size[1] - crop[1]) // 2
    return x, y, x + crop[0], y + crop[1]


# ---------------------------------------------------------------------------
# imageMogr2 thumbnail


@dataclass(frozen=True)
class Thumbnail:
    """One parsed ``thumbnail/`` geometry. ``kind`` names the syntax (see docs/fops.md §3.3)."""

    kind: str  # percent, percent_w, percent_h, width, height, fit, cover, exact, shrink, enlarge, area
    a: int = 0
    b: int = 0

    def target(self, size: Size) -> Size:
        """The output size for a source of ``size``, with the large-request rule applied."""
        wanted = self._raw_target(size)
        enlarges = wanted[0] > size[0] or wanted[1] > size[1]
        too_big = (max(wanted) > ENLARGE_MAX_SIDE or wanted[0] * wanted[1] > ENLARGE_MAX_AREA)
        if enlarges and too_big:
            # Oversized requests may only shrink: keep the aspect the request asked for.
            factor = min(size[0] / wanted[0], size[1] / wanted[1], 1.0)
            return round_half_up(wanted[0] * factor), round_half_up(wanted[1] * factor)
        return wanted

    def _raw_target(self, size: Size) -> Size:
        width, height = size
        kind, a, b = self.kind, self.a, self.b
        if kind == "percent":
            return scaled(size, a / 100)
        if kind == "percent_w":
            # Spec Q3: width scaled, height kept (the table's reading, not ImageMagick's).
            return round_half_up(width * a / 100), height
        if kind == "percent_h":
            return width, round_half_up(height * a / 100)
        if kind == "width":
            return a, round_half_up(height * a / width)
        if kind == "height":
            return round_half_up(width * a / height), a
        if kind == "exact":
            return a, b
        if kind == "area":
            factor = math.sqrt(a / (width * height))
            return max(1, math.floor(width * factor)), max(1, math.floor(height * factor))
        fit = min(a / width, b / height)
        scale = {"fit": fit, "cover": max(a / width, b / height),
                 "shrink": min(fit, 1.0), "enlarge": max(fit, 1.0)}[kind]
        return scaled(size, scale)


# ---------------------------------------------------------------------------
# gravity + crop


@dataclass(frozen=True)
class CropSpec:
    """``crop/`` geometry: a size (either side may be None = full) and signed offsets."""

    width: int | None
    height: int | None
    dx: int = 0
    dy: int = 0


def anchored_origin(gravity: str, size: Size, box: Size, dx: int, dy: int) -> tuple[int, int]:
    """Top-left corner of ``box`` placed on ``size`` at ``gravity`` with offsets.

    Offsets push inwards from the anchored edge, so East columns and South rows
    subtract them (ImageMagick ``-gravity`` semantics).
    """
    column = 0 if gravity.endswith("West") else 2 if gravity.endswith("East") else 1
    row = 0 if gravity.startswith("North") else 2 if gravity.startswith("South") else 1
    x = (dx, (size[0] - box[0]) // 2 + dx, size[0] - box[0] - dx)[column]
    y = (dy, (size[1] - box[1]) // 2 + dy, size[1] - box[1] - dy)[row]
    return x, y


def crop_box(size: Size, spec: CropSpec, gravity: str) -> tuple[int, int, int, int] | None:
    """The crop rectangle intersected with the image, or None when nothing remains."""
    box = (spec.width or size[0], spec.height or size[1])
    x, y = anchored_origin(gravity, size, box, spec.dx, spec.dy)
    left, top = max(0, x), max(0, y)
    right, bottom = min(size[0], x + box[0]), min(size[1], y + box[1])
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def rotated_size(size: Size, degrees: int) -> Size:
    """Bounding box of ``size`` rotated by ``degrees``, within a pixel of Pillow's ``expand=True``."""
    degrees %= 360
    if degrees in (0, 180):
        return size
    if degrees in (90, 270):
        return size[1], size[0]
    rad = math.radians(degrees)
    cos, sin = abs(math.cos(rad)), abs(math.sin(rad))
    return (math.ceil(size[0] * cos + size[1] * sin - 1e-9),
            math.ceil(size[0] * sin + size[1] * cos - 1e-9))
