"""Output picture sizes: fit-inside boxes, rotation, even sizes for yuv420p."""

from __future__ import annotations

import math

from ..layout import round_half_up


def even(value: float) -> int:
    """The nearest even size (half-up), never below 2: yuv420p needs even sides."""
    return max(2, 2 * math.floor(value / 2 + 0.5))


def fit_inside(src_w: int, src_h: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The largest size with the source aspect that fits in ``box_w``×``box_h``."""
    scale = min(box_w / src_w, box_h / src_h)
    return min(box_w, round_half_up(src_w * scale)), min(box_h, round_half_up(src_h * scale))


def rotated(size: tuple[int, int], degrees: int) -> tuple[int, int]:
    """The size after a clockwise rotation by a multiple of 90 degrees."""
    return (size[1], size[0]) if degrees % 180 else size


def transposes(degrees: int) -> list[int]:
    """ffmpeg ``transpose`` directions that rotate clockwise by ``degrees``."""
    return {90: [1], 180: [1, 1], 270: [2]}.get(degrees % 360, [])
